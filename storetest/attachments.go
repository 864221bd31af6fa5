package storetest

import (
	"context"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

func testAttachments(t *testing.T, st Store) {
	ctx := context.Background()
	create(t, st, 1)
	create(t, st, 2)
	img := sb.Attachment{SessionID: 1, Name: "photo of café.png", ContentType: "image/png", Size: 2048,
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Kind: sb.AttachmentImage,
		Width: 800, Height: 600, UploadedBy: sb.FromEndUser, CreatedAt: t0.Add(1500 * time.Millisecond)}
	if err := st.CreateAttachment(ctx, &img); err != nil || img.ID == 0 {
		t.Fatalf("create: %v, id %d", err, img.ID)
	}
	doc := sb.Attachment{SessionID: 2, Name: "invoice.pdf", ContentType: "application/pdf", Size: 10,
		SHA256: "00", Kind: sb.AttachmentFile, UploadedBy: sb.FromAgent, AgentID: 7, CreatedAt: t0}
	if err := st.CreateAttachment(ctx, &doc); err != nil {
		t.Fatal(err)
	}
	late := sb.Attachment{SessionID: 1, Name: "notes.txt", ContentType: "text/plain", Size: 3, SHA256: "01",
		Kind: sb.AttachmentFile, UploadedBy: sb.FromAgent, AgentID: 2, CreatedAt: t0.Add(time.Minute)}
	if err := st.CreateAttachment(ctx, &late); err != nil {
		t.Fatal(err)
	}
	if img.ID == doc.ID || doc.ID == late.ID || late.ID < img.ID {
		t.Errorf("ids %d %d %d are not distinct and increasing", img.ID, doc.ID, late.ID)
	}
	got, err := st.Attachment(ctx, img.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(img.CreatedAt) {
		t.Errorf("created at %v, want %v", got.CreatedAt, img.CreatedAt)
	}
	got.CreatedAt = img.CreatedAt
	if got != img {
		t.Errorf("read back %+v\nwant %+v", got, img)
	}
	list, err := st.SessionAttachments(ctx, 1)
	if err != nil || len(list) != 2 || list[0].ID != img.ID || list[1].ID != late.ID || list[1].AgentID != 2 {
		t.Errorf("session 1 attachments %+v %v", list, err)
	}
	if list, _ := st.SessionAttachments(ctx, 3); len(list) != 0 {
		t.Errorf("session without attachments: %+v", list)
	}
	if _, err := st.Attachment(ctx, 999); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("unknown attachment: %v", err)
	}
	orphan := sb.Attachment{SessionID: 42, Name: "x.txt", ContentType: "text/plain", Kind: sb.AttachmentFile,
		UploadedBy: sb.FromEndUser, CreatedAt: t0}
	if err := st.CreateAttachment(ctx, &orphan); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("attachment of a missing session: %v", err)
	}
	if err := st.DeleteAttachment(ctx, doc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Attachment(ctx, doc.ID); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("deleted attachment: %v", err)
	}
	if err := st.DeleteAttachment(ctx, doc.ID); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
}
