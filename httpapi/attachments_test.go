package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/localfs"
	"github.com/switchboardhq/switchboard/metadata"
)

// picture is a w×h image: red on the left, blue on the right.
func picture(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{220, 20, 20, 255}
			if x >= w/2 {
				c = color.NRGBA{20, 20, 220, 255}
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, picture(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload posts a file to a session's attachments.
func (s *stack) upload(as string, session int, name, contentType string, data []byte) response {
	s.t.Helper()
	return s.do(as, "POST", "/api/v1/sessions/"+itoa(session)+"/attachments?name="+url.QueryEscape(name), string(data),
		"Content-Type", contentType)
}

func itoa(n int) string { return strconv.Itoa(n) }

// attachment decodes an upload's answer.
func attachment(t *testing.T, r response) sb.Attachment {
	t.Helper()
	if r.Status != 201 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var a sb.Attachment
	if err := json.Unmarshal(r.Body, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// chatWithAgent opens a web chat in queue 1 that agent 1 has picked up.
func chatWithAgent(s *stack) int {
	r := s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	id := int(r.json(s.t)["session"].(map[string]any)["id"].(float64))
	s.mustDo("agent", "POST", "/api/v1/sessions/"+itoa(id)+"/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/"+itoa(id)+"/connect", ``, 200)
	return id
}

func TestAttachmentRoundTrip(t *testing.T) {
	s := newStack(t)
	id := chatWithAgent(s)
	ctx := context.Background()

	// An agent's PNG screenshot.
	pic := pngBytes(t, 600, 300)
	r := s.upload("agent", id, "screen shot.png", "image/png", pic)
	a := attachment(t, r)
	sum := sha256.Sum256(pic)
	want := sb.Attachment{ID: a.ID, SessionID: int64(id), Name: "screen shot.png", ContentType: "image/png",
		Size: int64(len(pic)), SHA256: hex.EncodeToString(sum[:]), Kind: "image", Width: 600, Height: 300,
		UploadedBy: "agent", AgentID: 1, CreatedAt: t0}
	if a != want {
		t.Errorf("attachment %+v\nwant %+v", a, want)
	}
	if loc := r.Header.Get("Location"); loc != "/api/v1/attachments/"+itoa(int(a.ID)) {
		t.Errorf("Location %q", loc)
	}
	got := s.mustDo("supervisor", "GET", "/api/v1/attachments/"+itoa(int(a.ID)), "", 200)
	if !bytes.Equal(got.Body, pic) {
		t.Errorf("downloaded %d bytes, uploaded %d", len(got.Body), len(pic))
	}
	for h, v := range map[string]string{
		"Content-Type": "image/png", "Content-Disposition": `inline; filename="screen shot.png"; filename*=UTF-8''screen%20shot.png`,
		"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox", "ETag": `"` + a.SHA256 + `"`,
		"Cache-Control": "private, max-age=31536000, immutable",
	} {
		if g := got.Header.Get(h); g != v {
			t.Errorf("%s: %q, want %q", h, g, v)
		}
	}
	if r := s.do("supervisor", "GET", "/api/v1/attachments/"+itoa(int(a.ID)), "", "If-None-Match", `"`+a.SHA256+`"`); r.Status != 304 || len(r.Body) != 0 {
		t.Errorf("conditional GET: %d, %d bytes", r.Status, len(r.Body))
	}
	th := s.mustDo("integration", "GET", "/api/v1/attachments/"+itoa(int(a.ID))+"/thumbnail", "", 200)
	m, format, err := image.Decode(bytes.NewReader(th.Body))
	if err != nil || format != "jpeg" || m.Bounds().Dx() != 240 || m.Bounds().Dy() != 120 {
		t.Fatalf("thumbnail: %v %s %v", err, format, m.Bounds())
	}
	if th.Header.Get("Content-Type") != "image/jpeg" || th.Header.Get("ETag") == got.Header.Get("ETag") {
		t.Errorf("thumbnail headers %v", th.Header)
	}
	if r, _, b, _ := m.At(20, 60).RGBA(); r>>8 < 180 || b>>8 > 60 {
		t.Errorf("thumbnail left side is not red: %v", m.At(20, 60))
	}
	// The files are where the layout says.
	for _, key := range []string{sb.AttachmentKey(int64(id), a.ID), sb.ThumbnailKey(int64(id), a.ID)} {
		if _, err := os.Stat(filepath.Join(s.files.Root(), filepath.FromSlash(key))); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}

	// The visitor's portrait photo, relayed by the integration.
	s.clock.Advance(1500 * time.Millisecond)
	photo := jpegBytes(t, 300, 400)
	b := attachment(t, s.upload("integration", id, "IMG_0042.JPG", "image/jpeg", photo))
	if b.Kind != "image" || b.Width != 300 || b.Height != 400 || b.UploadedBy != "end_user" || b.AgentID != 0 ||
		!b.CreatedAt.Equal(t0.Add(1500*time.Millisecond)) {
		t.Errorf("photo %+v", b)
	}
	th = s.mustDo("agent", "GET", "/api/v1/attachments/"+itoa(int(b.ID))+"/thumbnail", "", 200)
	if m, _, err := image.Decode(bytes.NewReader(th.Body)); err != nil || m.Bounds().Dx() != 180 || m.Bounds().Dy() != 240 {
		t.Errorf("portrait thumbnail: %v", err)
	}

	// A PDF with a non-ASCII name downloads as an attachment, no thumbnail.
	pdf := []byte("%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	c := attachment(t, s.upload("agent", id, "Quittung März.pdf", "application/pdf", pdf))
	if c.Kind != "file" || c.Width != 0 {
		t.Errorf("pdf %+v", c)
	}
	got = s.mustDo("agent", "GET", "/api/v1/attachments/"+itoa(int(c.ID)), "", 200)
	if d := got.Header.Get("Content-Disposition"); d != `attachment; filename="Quittung M_rz.pdf"; filename*=UTF-8''Quittung%20M%C3%A4rz.pdf` {
		t.Errorf("Content-Disposition %q", d)
	}
	if r := s.do("agent", "GET", "/api/v1/attachments/"+itoa(int(c.ID))+"/thumbnail", ""); r.Status != 404 || r.errCode(t) != "not_found" {
		t.Errorf("thumbnail of a pdf: %d %s", r.Status, r.Body)
	}

	// WebP images are images but have no thumbnail: the image itself serves.
	// A lossless 300×200 header: 14-bit width-1 and height-1 after 0x2f.
	webp := append([]byte("RIFF\x24\x00\x00\x00WEBPVP8L\x18\x00\x00\x00\x2f\x2b\xc1\x31\x00"), make([]byte, 20)...)
	d := attachment(t, s.upload("agent", id, "sticker.webp", "image/webp", webp))
	if d.Kind != "image" || d.Width != 300 || d.Height != 200 {
		t.Errorf("webp %+v", d)
	}
	if r := s.mustDo("agent", "GET", "/api/v1/attachments/"+itoa(int(d.ID))+"/thumbnail", "", 200); !bytes.Equal(r.Body, webp) ||
		r.Header.Get("Content-Type") != "image/webp" {
		t.Errorf("webp thumbnail: %s %d bytes", r.Header.Get("Content-Type"), len(r.Body))
	}

	// Above the 1 MiB cap of JSON bodies, below the 10 MiB upload limit.
	csv := bytes.Repeat([]byte("id,name,amount\n1,Ada,12.50\n"), 80000)
	if e := attachment(t, s.upload("agent", id, "orders.csv", "text/csv; charset=utf-8", csv)); e.Size != int64(len(csv)) || e.ContentType != "text/csv" {
		t.Errorf("csv %+v", e)
	}

	list := s.mustDo("supervisor", "GET", "/api/v1/sessions/"+itoa(id)+"/attachments", "", 200).json(t)["items"].([]any)
	if len(list) != 5 || list[0].(map[string]any)["name"] != "screen shot.png" {
		t.Errorf("list %v", list)
	}
	if stored, _ := s.db.SessionAttachments(ctx, int64(id)); len(stored) != 5 {
		t.Errorf("%d records", len(stored))
	}
}

// Downloads answer HEAD, Range and conditional requests, and keep their
// headers on every one of them.
func TestAttachmentDownloadRangesAndConditionals(t *testing.T) {
	s := newStack(t)
	id := chatWithAgent(s)
	data := []byte(strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz\n", 10)) // 370 bytes
	a := attachment(t, s.upload("agent", id, "notes.txt", "text/plain", data))
	path := "/api/v1/attachments/" + itoa(int(a.ID))
	etag := `"` + a.SHA256 + `"`
	size := strconv.Itoa(len(data))
	headers := func(what string, r response, want map[string]string) {
		t.Helper()
		for h, v := range want {
			if g := r.Header.Get(h); g != v {
				t.Errorf("%s: %s %q, want %q", what, h, g, v)
			}
		}
	}
	file := map[string]string{"ETag": etag, "Content-Type": "text/plain",
		"Content-Disposition":    `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`,
		"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox",
		"Cache-Control": "private, max-age=31536000, immutable", "Accept-Ranges": "bytes"}

	r := s.do("agent", "GET", path, "", "Range", "bytes=0-9")
	if r.Status != 206 || string(r.Body) != "0123456789" {
		t.Errorf("first 10 bytes: %d %q", r.Status, r.Body)
	}
	headers("range", r, file)
	headers("range", r, map[string]string{"Content-Range": "bytes 0-9/" + size, "Content-Length": "10"})
	if r := s.do("agent", "GET", path, "", "Range", "bytes=360-"); r.Status != 206 || string(r.Body) != string(data[360:]) {
		t.Errorf("the last bytes: %d %q", r.Status, r.Body)
	}
	if r := s.do("agent", "GET", path, "", "Range", "bytes=1000-"); r.Status != 416 || r.Header.Get("Content-Range") != "bytes */"+size ||
		r.Header.Get("Content-Type") != "application/json" || r.errCode(t) != "invalid" {
		t.Errorf("a range past the end: %d %q %s", r.Status, r.Header.Get("Content-Range"), r.Body)
	}
	if r := s.do("agent", "GET", path, "", "If-Match", `"other"`); r.Status != 412 || r.errCode(t) != "precondition" {
		t.Errorf("If-Match with another ETag: %d %s", r.Status, r.Body)
	}

	r = s.do("agent", "HEAD", path, "")
	if r.Status != 200 || len(r.Body) != 0 {
		t.Errorf("HEAD: %d, %d bytes of body", r.Status, len(r.Body))
	}
	headers("HEAD", r, file)
	headers("HEAD", r, map[string]string{"Content-Length": size})
	lastModified := r.Header.Get("Last-Modified")
	if lm, err := http.ParseTime(lastModified); err != nil || time.Since(lm) > time.Hour || time.Until(lm) > time.Hour {
		t.Errorf("Last-Modified %q (%v): not the file's modification time", lastModified, err)
	}

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		r := s.do("agent", "GET", path, "", "If-None-Match", inm)
		if r.Status != 304 || len(r.Body) != 0 {
			t.Errorf("If-None-Match %s: %d, %d bytes", inm, r.Status, len(r.Body))
		}
		headers("304", r, map[string]string{"ETag": etag, "Cache-Control": file["Cache-Control"]})
	}
	if r := s.do("agent", "GET", path, "", "If-None-Match", `"other"`); r.Status != 200 || string(r.Body) != string(data) {
		t.Errorf("If-None-Match another ETag: %d, %d bytes", r.Status, len(r.Body))
	}
	if r := s.do("agent", "GET", path, "", "If-Modified-Since", lastModified); r.Status != 304 || len(r.Body) != 0 {
		t.Errorf("If-Modified-Since its Last-Modified: %d, %d bytes", r.Status, len(r.Body))
	}
	// If-Range: the range while the ETag matches, else the whole file.
	if r := s.do("agent", "GET", path, "", "Range", "bytes=10-19", "If-Range", etag); r.Status != 206 || string(r.Body) != "abcdefghij" {
		t.Errorf("If-Range with the ETag: %d %q", r.Status, r.Body)
	}
	if r := s.do("agent", "GET", path, "", "Range", "bytes=10-19", "If-Range", `"other"`); r.Status != 200 || string(r.Body) != string(data) {
		t.Errorf("If-Range with another ETag: %d, %d bytes", r.Status, len(r.Body))
	}

	// A thumbnail's type is sniffed, also for HEAD and for a range.
	pic := attachment(t, s.upload("agent", id, "pic.png", "image/png", pngBytes(t, 600, 300)))
	thumbPath := "/api/v1/attachments/" + itoa(int(pic.ID)) + "/thumbnail"
	thumb := s.mustDo("agent", "GET", thumbPath, "", 200)
	r = s.do("agent", "HEAD", thumbPath, "")
	if r.Status != 200 || len(r.Body) != 0 || r.Header.Get("Content-Type") != "image/jpeg" ||
		r.Header.Get("Content-Length") != strconv.Itoa(len(thumb.Body)) {
		t.Errorf("HEAD thumbnail: %d %q %q", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Content-Length"))
	}
	r = s.do("agent", "GET", thumbPath, "", "Range", "bytes=0-9")
	if r.Status != 206 || !bytes.Equal(r.Body, thumb.Body[:10]) || r.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("thumbnail range: %d %q %v", r.Status, r.Header.Get("Content-Type"), r.Body)
	}

	// A missing file is a JSON not_found, without the file's headers.
	if err := s.files.Delete(context.Background(), sb.AttachmentKey(int64(id), a.ID)); err != nil {
		t.Fatal(err)
	}
	r = s.do("agent", "GET", path, "")
	if r.Status != 404 || r.errCode(t) != "not_found" || r.Header.Get("ETag") != "" || r.Header.Get("Cache-Control") != "" {
		t.Errorf("a missing file: %d %s, ETag %q, Cache-Control %q", r.Status, r.Body, r.Header.Get("ETag"), r.Header.Get("Cache-Control"))
	}
}

func TestAttachmentRefusals(t *testing.T) {
	s := newStack(t)
	id := chatWithAgent(s)
	ctx := context.Background()
	_, alex, err := httpapi.CreateToken(ctx, s.db, s.clock, "Alex", sb.RoleAgent, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	s.tokens["alex"] = alex
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"voice_inbound"}`, 201)
	ended := chatWithAgent(s)
	s.mustDo("agent", "POST", "/api/v1/sessions/"+itoa(ended)+"/end", `{"disconnected_by":"agent"}`, 200)
	before := s.eventCount()

	pic := pngBytes(t, 64, 64)
	// A PNG header claiming 50000×50000 pixels: 2.5 gigapixels to decode.
	ihdr := []byte("IHDR\x00\x00\xc3\x50\x00\x00\xc3\x50\x08\x06\x00\x00\x00")
	bomb := binary.BigEndian.AppendUint32(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d"), ihdr...), crc32.ChecksumIEEE(ihdr))
	for _, c := range []struct {
		what, as   string
		session    int
		name, ct   string
		data       []byte
		status     int
		code, text string
	}{
		{"over the limit", "agent", id, "big.txt", "text/plain", bytes.Repeat([]byte("a"), 10<<20+1), 413, "too_large", "10485760 bytes"},
		{"png declared jpeg", "agent", id, "x.jpg", "image/jpeg", pic, 415, "unsupported_media_type", "content is png"},
		{"text declared pdf", "agent", id, "x.pdf", "application/pdf", []byte("hello"), 415, "unsupported_media_type", "declared application/pdf"},
		{"html", "agent", id, "x.html", "text/html", []byte("<!DOCTYPE html><script>alert(1)</script>"), 415, "unsupported_media_type", "text/html may not"},
		{"html as text", "agent", id, "x.txt", "text/plain", []byte("<html><script>alert(1)</script>"), 415, "unsupported_media_type", "declared text/plain"},
		{"svg", "agent", id, "x.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), 415, "unsupported_media_type", "image/svg+xml"},
		{"svg as text", "agent", id, "x.txt", "text/plain", []byte(` <svg onload="alert(1)"/>`), 415, "unsupported_media_type", "declared text/plain"},
		{"script", "agent", id, "x.js", "application/javascript", []byte("alert(1)"), 415, "unsupported_media_type", "application/javascript"},
		{"exe as zip", "agent", id, "x.zip", "application/zip", []byte("MZ\x90\x00\x03\x00\x00\x00"), 415, "unsupported_media_type", "no allowed type"},
		{"zip as docx", "agent", id, "x.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04\x14\x00\x00\x00evil.exe"), 415, "unsupported_media_type", "plain zip"},
		{"no type", "agent", id, "x.bin", "", pic, 415, "unsupported_media_type", "Content-Type"},
		{"octet-stream", "agent", id, "x.bin", "application/octet-stream", pic, 415, "unsupported_media_type", "octet-stream"},
		{"empty", "agent", id, "x.txt", "text/plain", nil, 400, "invalid", "empty"},
		{"no name", "agent", id, "", "image/png", pic, 400, "invalid", "name"},
		{"dots", "agent", id, "../..", "image/png", pic, 400, "invalid", "name"},
		{"bomb", "agent", id, "bomb.png", "image/png", bomb, 413, "too_large", "megapixels"},
		{"damaged png", "agent", id, "x.png", "image/png", pic[:len(pic)/2], 400, "invalid", "damaged"},
		{"another agent", "alex", id, "x.png", "image/png", pic, 403, "forbidden", "does not handle"},
		{"ended", "integration", ended, "x.png", "image/png", pic, 409, "conflict", "ended"},
		{"voice", "integration", 2, "x.png", "image/png", pic, 409, "conflict", "chat sessions"},
		{"unknown session", "integration", 99, "x.png", "image/png", pic, 404, "not_found", "99"},
		{"no token", "nobody", id, "x.png", "image/png", pic, 401, "unauthorized", "token"},
	} {
		r := s.upload(c.as, c.session, c.name, c.ct, c.data)
		if r.Status != c.status || r.errCode(t) != c.code || !strings.Contains(string(r.Body), c.text) {
			t.Errorf("%s: %d %s, want %d %s mentioning %q", c.what, r.Status, bytes.TrimSpace(r.Body), c.status, c.code, c.text)
		}
	}
	for _, sess := range []int64{int64(id), int64(ended)} {
		if list, _ := s.db.SessionAttachments(ctx, sess); len(list) != 0 {
			t.Errorf("refused uploads left records: %+v", list)
		}
	}
	if entries, _ := os.ReadDir(s.files.Root()); len(entries) != 1 || entries[0].Name() != localfs.StagingDir {
		t.Errorf("refused uploads left files: %v", entries)
	}
	if entries, _ := os.ReadDir(filepath.Join(s.files.Root(), localfs.StagingDir)); len(entries) != 0 {
		t.Errorf("refused uploads left temporary files: %v", entries)
	}
	if n := s.eventCount(); n != before {
		t.Errorf("refused uploads appended %d events", n-before)
	}
	// The JSON routes keep their 1 MiB cap.
	big := `{"from":"end_user","text":"` + strings.Repeat("a", 1<<20) + `"}`
	if r := s.do("integration", "POST", "/api/v1/sessions/"+itoa(id)+"/message", big); r.Status != 413 {
		t.Errorf("large JSON body: %d", r.Status)
	}
	if r := s.do("integration", "GET", "/api/v1/attachments/abc", ""); r.Status != 400 {
		t.Errorf("bad id: %d", r.Status)
	}
	if r := s.do("integration", "GET", "/api/v1/attachments/7", ""); r.Status != 404 {
		t.Errorf("unknown attachment: %d", r.Status)
	}
}

func TestAttachmentNames(t *testing.T) {
	s := newStack(t)
	id := chatWithAgent(s)
	long := strings.Repeat("ü", 300) + ".txt"
	for _, c := range []struct{ name, want string }{
		{"../../etc/passwd.txt", "passwd.txt"},
		{`..\..\windows\win.ini.txt`, "win.ini.txt"},
		{"/abs/path/notes.txt", "notes.txt"},
		{"a\x00b\r\nc\x7f.txt", "abc.txt"},
		{"invoice\u202etxt.exe.txt", "invoicetxt.exe.txt"},
		{"  spaced  .txt  ", "spaced  .txt"},
		{long, strings.Repeat("ü", 196) + ".txt"},
		{"bad\xffutf8.txt", "badutf8.txt"},
	} {
		a := attachment(t, s.upload("agent", id, c.name, "text/plain", []byte("hello\n")))
		if a.Name != c.want {
			t.Errorf("%q stored as %q, want %q", c.name, a.Name, c.want)
		}
		d := s.mustDo("agent", "GET", "/api/v1/attachments/"+itoa(int(a.ID)), "", 200).Header.Get("Content-Disposition")
		if strings.ContainsAny(d, "/\\\r\n") || !strings.HasPrefix(d, "attachment; filename=\"") {
			t.Errorf("%q: Content-Disposition %q", c.name, d)
		}
	}
}

func TestImageMessage(t *testing.T) {
	s := newStack(t)
	id := chatWithAgent(s)
	other := chatWithAgent(s)
	pic := attachment(t, s.upload("agent", id, "diagram.png", "image/png", pngBytes(t, 320, 200)))
	doc := attachment(t, s.upload("agent", id, "terms.pdf", "application/pdf", []byte("%PDF-1.4 terms")))
	foreign := attachment(t, s.upload("agent", other, "other.png", "image/png", pngBytes(t, 10, 10)))
	path := "/api/v1/sessions/" + itoa(id) + "/message"

	r := s.mustDo("agent", "POST", path, `{"kind":"image","attachment_id":`+itoa(int(pic.ID))+`,"text":"like this"}`, 200)
	data := r.json(t)["events"].([]any)[0].(map[string]any)["data"].(map[string]any)
	wantRef := map[string]any{"id": float64(pic.ID), "name": "diagram.png", "content_type": "image/png",
		"size": float64(pic.Size), "kind": "image", "width": float64(320), "height": float64(200)}
	if data["kind"] != "image" || data["text"] != "like this" || jsonText(data["attachment"]) != jsonText(wantRef) {
		t.Errorf("message data %v", data)
	}
	// A file message without a caption; an image may be sent as a file.
	s.mustDo("integration", "POST", path, `{"from":"end_user","kind":"file","attachment_id":`+itoa(int(doc.ID))+`}`, 200)
	s.mustDo("agent", "POST", path, `{"kind":"file","attachment_id":`+itoa(int(pic.ID))+`}`, 200)

	before := s.eventCount()
	for _, c := range []struct {
		body   string
		status int
		text   string
	}{
		{`{"kind":"image","attachment_id":` + itoa(int(foreign.ID)) + `}`, 404, "not an attachment of session"},
		{`{"kind":"image","attachment_id":999}`, 404, "not an attachment of session"},
		{`{"kind":"image","attachment_id":` + itoa(int(doc.ID)) + `}`, 400, "not an image"},
		{`{"text":"see","attachment_id":` + itoa(int(pic.ID)) + `}`, 400, "kind image or file"},
		{`{"kind":"image"}`, 400, "needs attachment_id"},
	} {
		if r := s.do("agent", "POST", path, c.body); r.Status != c.status || !strings.Contains(string(r.Body), c.text) {
			t.Errorf("%s: %d %s", c.body, r.Status, r.Body)
		}
	}
	if n := s.eventCount(); n != before {
		t.Errorf("refused messages appended %d events", n-before)
	}

	// The event log carries the snapshot; the transcript and the session
	// read as before.
	events := s.mustDo("supervisor", "GET", "/api/v1/sessions/"+itoa(id)+"/events", "", 200).json(t)["events"].([]any)
	var refs int
	for _, e := range events {
		if a := e.(map[string]any)["data"].(map[string]any)["attachment"]; a != nil {
			refs++
		}
	}
	if refs != 3 {
		t.Errorf("%d events carry an attachment, want 3", refs)
	}
	tr := s.mustDo("supervisor", "GET", "/api/v1/sessions/"+itoa(id)+"/messages", "", 200).json(t)["messages"].([]any)
	if len(tr) != 3 || tr[0].(map[string]any)["text"] != "like this" || tr[1].(map[string]any)["from"] != "end_user" {
		t.Errorf("transcript %v", tr)
	}
	sess, err := s.db.Session(context.Background(), int64(id))
	if err != nil {
		t.Fatal(err)
	}
	if sess.Messages.Count != 3 {
		t.Errorf("message count %d", sess.Messages.Count)
	}
	doc2, err := metadata.Render(sess, s.clock.Now(), time.UTC)
	if err != nil || !json.Valid(doc2) {
		t.Errorf("metadata: %v", err)
	}
}
