package thumbnail

import (
	"encoding/binary"
	"testing"
)

// webpHeader is a RIFF WebP file whose first chunk is fourcc with payload.
func webpHeader(fourcc string, payload []byte) []byte {
	out := []byte("RIFF\x00\x00\x00\x00WEBP" + fourcc)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(payload)))
	out = append(out, payload...)
	for len(out) < 30 {
		out = append(out, 0)
	}
	return out
}

func TestWebPSize(t *testing.T) {
	lossless := binary.LittleEndian.AppendUint32([]byte{0x2f}, uint32(300-1)|uint32(200-1)<<14)
	// VP8X: flags, 3 reserved bytes, 24-bit width-1 and height-1.
	extended := []byte{0x10, 0, 0, 0, 0x7f, 0x07, 0, 0x37, 0x04, 0} // 1920×1080
	// VP8: a key-frame tag, the start code, 14-bit width and height.
	lossy := []byte{0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01} // 640×480
	for _, c := range []struct {
		what   string
		data   []byte
		w, h   int
		wantOK bool
	}{
		{"lossless", webpHeader("VP8L", lossless), 300, 200, true},
		{"extended", webpHeader("VP8X", extended), 1920, 1080, true},
		{"lossy", webpHeader("VP8 ", lossy), 640, 480, true},
		{"bad lossless signature", webpHeader("VP8L", append([]byte{0x2e}, lossless[1:]...)), 0, 0, false},
		{"lossy inter frame", webpHeader("VP8 ", append([]byte{0x51}, lossy[1:]...)), 0, 0, false},
		{"unknown chunk", webpHeader("ALPH", lossless), 0, 0, false},
		{"short", webpHeader("VP8L", lossless)[:29], 0, 0, false},
		{"png", []byte("\x89PNG\r\n\x1a\n" + string(make([]byte, 40))), 0, 0, false},
	} {
		w, h, ok := WebPSize(c.data)
		if w != c.w || h != c.h || ok != c.wantOK {
			t.Errorf("%s: %d×%d %v, want %d×%d %v", c.what, w, h, ok, c.w, c.h, c.wantOK)
		}
	}
}

func FuzzWebPSize(f *testing.F) {
	f.Add(webpHeader("VP8L", []byte{0x2f, 0xff, 0xff, 0xff, 0xff}))
	f.Add(webpHeader("VP8X", make([]byte, 10)))
	f.Add(webpHeader("VP8 ", []byte{0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0xff, 0xff, 0xff, 0xff}))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, h, ok := WebPSize(data)
		if ok && (w < 1 || h < 1 || w > 1<<24 || h > 1<<24) {
			t.Fatalf("%d×%d", w, h)
		}
		if !ok && (w != 0 || h != 0) {
			t.Fatalf("not ok but %d×%d", w, h)
		}
	})
}
