package httpapi

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	sb "github.com/switchboardhq/switchboard"
)

// fileType is an upload type the server accepts: its media type, the
// container its bytes must be, and whether it is shown as an image.
type fileType struct {
	mediaType string
	magic     string // one of the magic* families sniff returns
	image     bool
	// thumbnail: the standard library can decode it.
	thumbnail bool
}

// Content families sniff tells apart.
const (
	magicPNG  = "png"
	magicJPEG = "jpeg"
	magicGIF  = "gif"
	magicWebP = "webp"
	magicPDF  = "pdf"
	magicZIP  = "zip"  // zip and the Office Open XML formats
	magicOLE  = "ole"  // the old binary Office formats
	magicMP3  = "mp3"  // MPEG audio, with or without an ID3 tag
	magicMP4  = "mp4"  // ISO base media with an mp4 brand
	magicText = "text" // plain text without markup
)

// ooxml marks Office Open XML types: a zip whose first entry names the
// package's content types.
const ooxmlMarker = "[Content_Types].xml"

// fileTypes are the types an upload may declare (SPEC §2: images, office
// documents, archives, audio and video). HTML, SVG, scripts and
// executables are not among them.
var fileTypes = map[string]fileType{
	"image/png":          {"image/png", magicPNG, true, true},
	"image/jpeg":         {"image/jpeg", magicJPEG, true, true},
	"image/gif":          {"image/gif", magicGIF, true, true},
	"image/webp":         {"image/webp", magicWebP, true, false},
	"application/pdf":    {"application/pdf", magicPDF, false, false},
	"text/plain":         {"text/plain", magicText, false, false},
	"text/csv":           {"text/csv", magicText, false, false},
	"application/zip":    {"application/zip", magicZIP, false, false},
	"application/msword": {"application/msword", magicOLE, false, false},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document", magicZIP, false, false},
	"application/vnd.ms-excel": {"application/vnd.ms-excel", magicOLE, false, false},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", magicZIP, false, false},
	"application/vnd.ms-powerpoint": {"application/vnd.ms-powerpoint", magicOLE, false, false},
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": {
		"application/vnd.openxmlformats-officedocument.presentationml.presentation", magicZIP, false, false},
	"audio/mpeg": {"audio/mpeg", magicMP3, false, false},
	"video/mp4":  {"video/mp4", magicMP4, false, false},
}

// uploadType checks an upload's declared Content-Type against the allowed
// types and its bytes, and returns its type. Anything else is refused with
// EUNSUPPORTED (415) and a message that says why.
func uploadType(declared string, data []byte) (fileType, error) {
	if declared == "" {
		return fileType{}, sb.Errorf(sb.EUNSUPPORTED, "the Content-Type header must name the file's type, e.g. image/png")
	}
	mt, _, err := mime.ParseMediaType(declared)
	if err != nil {
		return fileType{}, sb.Errorf(sb.EUNSUPPORTED, "Content-Type %q is not a media type", declared)
	}
	ft, ok := fileTypes[mt]
	if !ok {
		return fileType{}, sb.Errorf(sb.EUNSUPPORTED, "files of type %s may not be uploaded; allowed: images (png, jpeg, gif, webp), pdf, txt, csv, zip, doc(x), xls(x), ppt(x), mp3 and mp4", mt)
	}
	got := sniff(data)
	if got != ft.magic {
		what := got
		if what == "" {
			what = "of no allowed type"
		}
		return fileType{}, sb.Errorf(sb.EUNSUPPORTED, "the file is declared %s but its content is %s", mt, what)
	}
	if strings.HasPrefix(mt, "application/vnd.openxmlformats") && !bytes.Contains(data[:min(len(data), 4096)], []byte(ooxmlMarker)) {
		return fileType{}, sb.Errorf(sb.EUNSUPPORTED, "the file is declared %s but is a plain zip archive", mt)
	}
	return ft, nil
}

// sniff names the content family of data from its magic numbers, or ""
// when it is none of them. Text is text only when it is valid UTF-8 (or
// UTF-16 with a byte-order mark) and does not open like HTML, XML or SVG.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return magicPNG
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return magicJPEG
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return magicGIF
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return magicWebP
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return magicPDF
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return magicZIP
	case bytes.HasPrefix(data, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}):
		return magicOLE
	case len(data) >= 12 && string(data[4:8]) == "ftyp" && http.DetectContentType(data) == "video/mp4":
		// An ftyp box naming an mp4 brand; not QuickTime, HEIF or AVIF.
		return magicMP4
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}), bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		// A UTF-16 byte-order mark; 0xfffe would also pass as an MPEG frame.
		if isText(data) {
			return magicText
		}
		return ""
	case bytes.HasPrefix(data, []byte("ID3")), mpegFrame(data):
		return magicMP3
	}
	if len(data) > 0 && isText(data) {
		return magicText
	}
	return ""
}

// mpegFrame reports whether data opens with an MPEG audio frame header:
// an 11-bit sync, a defined version and layer, a bitrate that is not
// "bad" and a defined sample rate.
func mpegFrame(data []byte) bool {
	if len(data) < 4 || data[0] != 0xff || data[1]&0xe0 != 0xe0 {
		return false
	}
	version, layer := data[1]>>3&3, data[1]>>1&3
	bitrate, rate := data[2]>>4, data[2]>>2&3
	return version != 1 && layer != 0 && bitrate != 15 && rate != 3
}

// isText reports whether data is plain text: what the standard sniffer
// calls text/plain (so not HTML, XML or binary), valid UTF-8 in its first
// kilobytes unless it has a UTF-16 byte-order mark, and not opening with
// a tag such as <svg or <script that the sniffer does not know.
func isText(data []byte) bool {
	if !strings.HasPrefix(http.DetectContentType(data), "text/plain") {
		return false
	}
	if bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		return true
	}
	head := data[:min(len(data), 8192)]
	// A cut in the middle of a character at the end of head is fine.
	for i := 0; i < 3 && len(head) > 0 && !utf8.Valid(head); i++ {
		head = head[:len(head)-1]
	}
	if !utf8.Valid(head) {
		return false
	}
	lead := bytes.TrimLeftFunc(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), unicode.IsSpace)
	if len(lead) >= 2 && lead[0] == '<' && (lead[1] == '!' || lead[1] == '?' || lead[1] == '/' || unicode.IsLetter(rune(lead[1]))) {
		return false
	}
	return true
}

// MaxFileNameLength is the longest attachment file name, in characters.
const MaxFileNameLength = 200

// cleanFileName makes an uploaded file name safe to store and to send
// back in a Content-Disposition header: the part after the last slash or
// backslash, without control or bidirectional-override characters, trimmed
// of spaces, at most MaxFileNameLength characters (the extension kept).
// It refuses a name that is empty or only dots afterwards.
func cleanFileName(name string) (string, error) {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if strings.Trim(name, ".") == "" {
		return "", sb.Errorf(sb.EINVALID, "name must be a file name such as photo.png")
	}
	if n := utf8.RuneCountInString(name); n > MaxFileNameLength {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && utf8.RuneCountInString(name[i:]) <= 16 {
			ext = name[i:]
		}
		runes := []rune(strings.TrimSuffix(name, ext))
		name = strings.TrimSpace(string(runes[:MaxFileNameLength-utf8.RuneCountInString(ext)])) + ext
	}
	return name, nil
}

// contentDisposition is a Content-Disposition header value for name: an
// ASCII fallback filename and the exact name as an RFC 5987 filename*.
func contentDisposition(disposition, name string) string {
	var ascii, ext strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';':
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	const attrChar = "!#$&+-.^_`|~"
	for _, b := range []byte(name) {
		if b < 0x80 && (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte(attrChar, b) >= 0) {
			ext.WriteByte(b)
		} else {
			ext.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[b>>4])+string("0123456789abcdef"[b&15])))
		}
	}
	return disposition + `; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}
