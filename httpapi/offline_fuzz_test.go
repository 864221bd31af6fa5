package httpapi

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/broker"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/service"
	"github.com/switchboardhq/switchboard/sqlite"
)

// FuzzOfflineMessageBody decodes arbitrary bodies of POST
// /api/v1/offline-messages as the API does: a body is refused as invalid,
// or gives an unprocessed message whose answers fit the template.
func FuzzOfflineMessageBody(f *testing.F) {
	ctx := context.Background()
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	db, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "sb.db"), sqlite.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	dir, err := directory.Open(ctx, db, c)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := dir.SaveLeaveMessageTemplate(ctx, sb.LeaveMessageTemplate{Name: "Contact", Fields: []sb.TemplateField{
		{Key: "name", Label: "Name", Type: "text", Required: true},
		{Key: "email", Label: "E-mail", Type: "email"},
		{Key: "topic", Label: "Topic", Type: "select", Options: []string{"Sales", "Billing"}}}}); err != nil {
		f.Fatal(err)
	}
	if _, err := dir.SaveWebPlugin(ctx, sb.WebPlugin{Name: "Shop", OfflineMessages: true}); err != nil {
		f.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	feed := broker.New()
	eng, err := engine.New(ctx, db, engine.Options{Clock: c, Directory: dir, Publisher: feed, Logger: log})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { feed.Close(); eng.Close() })
	s := New(Config{Engine: eng, Feed: feed, Directory: dir, Config: db, Logger: log})
	for _, seed := range []string{
		`{"fields":{"name":"Dana","topic":"Sales"},"email":"d@example.com","content":"hi"}`,
		`{"fields":{"name":"D","email":"x"},"name":"E","content":"hi"}`,
		`{"template_id":2,"content":"hi"}`,
		`{"fields":{"name":"D"},"phone":"+1 (222) 333","session_id":1,"content":" "}`,
		`{"fields":null,"content":"x","queue_id":-4}`,
	} {
		f.Add([]byte(seed), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, asVisitor bool) {
		var in OfflineMessageInput
		if err := DecodeStrict(body, &in, false); err != nil {
			if sb.ErrorCode(err) != sb.EINVALID {
				t.Fatalf("decode refused with %v", err)
			}
			return
		}
		p := Principal{Caller: service.Caller{Role: sb.RoleIntegration}}
		if asVisitor {
			p = Principal{Caller: service.Caller{Role: sb.RoleVisitor, VisitorID: "v-1", PluginID: 1}}
		}
		m, err := s.newOfflineMessage(ctx, p, in)
		if err != nil {
			if code := sb.ErrorCode(err); code != sb.EINVALID && code != sb.EFORBIDDEN {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if m.Content == "" || utf8.RuneCountInString(m.Content) > sb.MaxOfflineContent || m.Status != sb.OfflineUnprocessed {
			t.Fatalf("accepted %+v", m)
		}
		if m.Name == "" || m.TemplateID != 1 {
			t.Fatalf("the required name or the template is missing: %+v", m)
		}
		if asVisitor && (m.VisitorID != "v-1" || m.PluginID != 1) {
			t.Fatalf("visitor identity not forced: %+v", m)
		}
		for k, v := range m.Fields {
			if k != "topic" || (v != "Sales" && v != "Billing") {
				t.Fatalf("answer %s=%q kept", k, v)
			}
		}
	})
}

// FuzzOfflinePatch applies arbitrary PATCH bodies: a refused patch is one
// of the API's errors; an applied one leaves a known status with
// processed_at set exactly when processed, and an agent's message its own.
func FuzzOfflinePatch(f *testing.F) {
	for _, seed := range []string{`{"status":"processing"}`, `{"assignee_id":1,"note":"x"}`, `{"assignee_id":0}`,
		`{"status":"processed","assignee_id":2}`, `{"note":null}`} {
		f.Add([]byte(seed), uint8(0), int64(0))
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	statuses := []string{sb.OfflineUnprocessed, sb.OfflineProcessing, sb.OfflineProcessed}
	roles := []string{sb.RoleAgent, sb.RoleSupervisor, sb.RoleAdmin, sb.RoleIntegration, sb.RoleVisitor}
	f.Fuzz(func(t *testing.T, body []byte, pick uint8, assignee int64) {
		var patch OfflineMessagePatch
		if err := DecodeStrict(body, &patch, false); err != nil {
			return
		}
		p := Principal{Caller: service.Caller{Role: roles[int(pick)%len(roles)], AgentID: 1}}
		m := sb.OfflineMessage{ID: 1, Status: statuses[int(pick/8)%3], AssigneeID: (assignee%3 + 3) % 3}
		if m.Status == sb.OfflineProcessed {
			m.ProcessedAt = &now
		}
		before := m
		err := applyOfflinePatch(p, &m, patch, now.Add(time.Minute), func(id int64) bool { return id == 1 || id == 2 })
		if err != nil {
			switch sb.ErrorCode(err) {
			case sb.EINVALID, sb.EFORBIDDEN, sb.ECONFLICT:
				return
			}
			t.Fatalf("refused with %v", err)
		}
		if (m.Status == sb.OfflineProcessed) != (m.ProcessedAt != nil) {
			t.Fatalf("status %s with processed_at %v", m.Status, m.ProcessedAt)
		}
		if p.Role == sb.RoleVisitor {
			t.Fatal("a visitor changed a message")
		}
		if p.Role == sb.RoleAgent && (before.AssigneeID != 0 && before.AssigneeID != 1 || m.AssigneeID != 0 && m.AssigneeID != 1) {
			t.Fatalf("an agent changed %+v into %+v", before, m)
		}
		if m.AssigneeID < 0 || m.AssigneeID > 2 {
			t.Fatalf("assignee %d", m.AssigneeID)
		}
	})
}
