package httpapi

import (
	"strings"
	"testing"
	"unicode/utf8"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/service"
)

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		data, want string
	}{
		{"\x89PNG\r\n\x1a\n....", magicPNG},
		{"\xff\xd8\xff\xe0\x00\x10JFIF", magicJPEG},
		{"GIF89a\x01\x00", magicGIF},
		{"RIFF\x10\x00\x00\x00WEBPVP8 ", magicWebP},
		{"%PDF-1.7\n", magicPDF},
		{"PK\x03\x04\x14\x00", magicZIP},
		{"PK\x05\x06" + strings.Repeat("\x00", 18), magicZIP},
		{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", magicOLE},
		{"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", magicMP4},
		{"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", ""},     // QuickTime
		{"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", ""}, // HEIF photo
		{"ID3\x04\x00\x00\x00\x00\x00\x00", magicMP3},
		{"\xff\xfb\x90\x64\x00", magicMP3}, // MPEG-1 layer III, 128 kbit/s
		{"\xff\xff\xff\xff", ""},
		{"hello, world\n", magicText},
		{"\xef\xbb\xbfid;name\n1;Zoë\n", magicText},
		{"\xff\xfeh\x00i\x00", magicText},
		{"<html><body>x", ""},
		{"  <svg onload=alert(1)>", ""},
		{"<?xml version=\"1.0\"?><svg/>", ""},
		{"<!-- comment --><script>", ""},
		{"<script>alert(1)</script>", ""},
		{"a < b and c > d\n", magicText},
		{"MZ\x90\x00\x03\x00", ""},
		{"\x7fELF\x02\x01", ""},
		{"caf\xe9 latin-1", ""},
		{"", ""},
	} {
		if got := sniff([]byte(c.data)); got != c.want {
			t.Errorf("sniff(%q) = %q, want %q", c.data, got, c.want)
		}
	}
}

func TestUploadType(t *testing.T) {
	docx := "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"
	for _, c := range []struct {
		declared, data, want string
	}{
		{"image/png", "\x89PNG\r\n\x1a\n", "image/png"},
		{"IMAGE/PNG", "\x89PNG\r\n\x1a\n", "image/png"},
		{"text/csv; charset=utf-8", "a,b\n", "text/csv"},
		{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx,
			"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"application/zip", docx, "application/zip"},
		{"application/msword", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"},
		{"image/jpeg", "\x89PNG\r\n\x1a\n", ""},
		{"image/svg+xml", "<svg/>", ""},
		{"text/html", "<p>", ""},
		{"not a type", "x", ""},
	} {
		ft, err := uploadType(c.declared, []byte(c.data))
		if ft.mediaType != c.want || (c.want == "") != (err != nil) {
			t.Errorf("uploadType(%q) = %q, %v; want %q", c.declared, ft.mediaType, err, c.want)
		}
		if err != nil && sb.ErrorCode(err) != sb.EUNSUPPORTED {
			t.Errorf("uploadType(%q): code %s", c.declared, sb.ErrorCode(err))
		}
	}
}

func TestContentDisposition(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"a.png", `inline; filename="a.png"; filename*=UTF-8''a.png`},
		{`say "hi"; x=1.txt`, `inline; filename="say _hi__ x=1.txt"; filename*=UTF-8''say%20%22hi%22%3B%20x%3D1.txt`},
		{"日本.pdf", `inline; filename="__.pdf"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.pdf`},
		{"100%.txt", `inline; filename="100_.txt"; filename*=UTF-8''100%25.txt`},
	} {
		if got := contentDisposition("inline", c.name); got != c.want {
			t.Errorf("%q: %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestMayReadSession(t *testing.T) {
	sess := &sb.Session{ID: 4, Type: sb.TypeChatWeb, EndUser: sb.EndUser{Identifier: "v:abc"}}
	for _, c := range []struct {
		p  Principal
		ok bool
	}{
		{Principal{Caller: service.Caller{Role: sb.RoleAgent, AgentID: 9}}, true},
		{Principal{Caller: service.Caller{Role: sb.RoleIntegration}}, true},
		{Principal{Caller: service.Caller{Role: sb.RoleVisitor, VisitorID: "v:abc"}}, true},
		{Principal{Caller: service.Caller{Role: sb.RoleVisitor, VisitorID: "v:xyz"}}, false},
		{Principal{Caller: service.Caller{Role: sb.RoleVisitor}}, false},
	} {
		if err := mayReadSession(c.p, sess); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.p, err)
		}
	}
}

// FuzzUploadChecks feeds arbitrary names and bodies to the upload checks:
// they never panic, a clean name is short and free of separators and
// control characters, and the header built from it stays on one line and
// inside its quotes.
func FuzzUploadChecks(f *testing.F) {
	f.Add("../../etc/passwd", "text/plain", []byte("root:x:0:0"))
	f.Add("photo\u202egnp.exe", "image/png", []byte("\x89PNG\r\n\x1a\n"))
	f.Add("a\"b\\c\r\n.pdf", "application/pdf", []byte("%PDF-1.4"))
	f.Add(strings.Repeat("é", 250)+".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04[Content_Types].xml"))
	f.Add("x.mp3", "audio/mpeg", []byte("\xff\xfb\x90\x64"))
	f.Fuzz(func(t *testing.T, name, declared string, data []byte) {
		if ft, err := uploadType(declared, data); err == nil && sniff(data) != ft.magic {
			t.Fatalf("accepted %s for content %q", ft.mediaType, sniff(data))
		}
		clean, err := cleanFileName(name)
		if err != nil {
			return
		}
		if clean == "" || utf8.RuneCountInString(clean) > MaxFileNameLength || !utf8.ValidString(clean) ||
			strings.ContainsAny(clean, "/\\\x00\r\n\u202e") || strings.Trim(clean, ".") == "" {
			t.Fatalf("cleanFileName(%q) = %q", name, clean)
		}
		h := contentDisposition("attachment", clean)
		ascii, _, ok := strings.Cut(strings.TrimPrefix(h, `attachment; filename="`), `"; filename*=UTF-8''`)
		if !ok || strings.ContainsAny(ascii, "\"\\\r\n") {
			t.Fatalf("header %q", h)
		}
		for i := 0; i < len(h); i++ {
			if h[i] < 0x20 || h[i] > 0x7e {
				t.Fatalf("header %q has byte %#x", h, h[i])
			}
		}
	})
}
