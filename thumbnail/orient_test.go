package thumbnail

import (
	"encoding/binary"
	"image"
	"image/color"
	"testing"
)

// withOrientation inserts an EXIF segment recording orientation o after
// a JPEG's start-of-image marker, in the byte order bo.
func withOrientation(jpg []byte, o uint16, bo interface {
	binary.AppendByteOrder
	binary.ByteOrder
}) []byte {
	tiff := []byte("MM\x00*")
	if bo == binary.LittleEndian {
		tiff = []byte("II*\x00")
	}
	tiff = bo.AppendUint32(tiff, 8)
	tiff = bo.AppendUint16(tiff, 2)
	// A tag before the orientation, as cameras write (Make, ASCII).
	tiff = bo.AppendUint16(tiff, 0x010f)
	tiff = bo.AppendUint16(tiff, 2)
	tiff = bo.AppendUint32(tiff, 4)
	tiff = append(tiff, "Sun\x00"...)
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, o)
	tiff = append(tiff, 0, 0)
	tiff = bo.AppendUint32(tiff, 0)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := binary.BigEndian.AppendUint16([]byte{0xff, 0xe1}, uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func TestJPEGOrientation(t *testing.T) {
	jpg := encodeJPEG(t, halves(40, 20, color.NRGBA{A: 255}, color.NRGBA{A: 255}), 80)
	if o := jpegOrientation(jpg); o != 1 {
		t.Errorf("no EXIF: %d", o)
	}
	for o := uint16(1); o <= 8; o++ {
		for _, bo := range []interface {
			binary.AppendByteOrder
			binary.ByteOrder
		}{binary.BigEndian, binary.LittleEndian} {
			if got := jpegOrientation(withOrientation(jpg, o, bo)); got != int(o) {
				t.Errorf("orientation %d (%v): read %d", o, bo, got)
			}
		}
	}
	if got := jpegOrientation(withOrientation(jpg, 9, binary.BigEndian)); got != 1 {
		t.Errorf("orientation 9 read as %d", got)
	}
	// Cut anywhere, the segment reads as no orientation or the right one.
	full := withOrientation(jpg, 6, binary.BigEndian)
	for n := 0; n < 60; n++ {
		if got := jpegOrientation(full[:n]); got != 1 && got != 6 {
			t.Errorf("cut at %d: %d", n, got)
		}
	}
}

// Where the stored image's top-left and top-right corners land for each
// orientation, from the EXIF table of what row 0 and column 0 show.
func TestOrient(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	src.Pix[0] = 1   // stored (0, 0)
	src.Pix[2*4] = 2 // stored (2, 0)
	type pt struct{ x, y int }
	for o, c := range map[int]struct {
		w, h        int
		first, last pt
	}{
		1: {3, 2, pt{0, 0}, pt{2, 0}}, 2: {3, 2, pt{2, 0}, pt{0, 0}}, 3: {3, 2, pt{2, 1}, pt{0, 1}},
		4: {3, 2, pt{0, 1}, pt{2, 1}}, 5: {2, 3, pt{0, 0}, pt{0, 2}}, 6: {2, 3, pt{1, 0}, pt{1, 2}},
		7: {2, 3, pt{1, 2}, pt{1, 0}}, 8: {2, 3, pt{0, 2}, pt{0, 0}},
	} {
		m := orient(src, o)
		if m.Bounds().Dx() != c.w || m.Bounds().Dy() != c.h {
			t.Errorf("orientation %d: %v", o, m.Bounds())
			continue
		}
		if m.RGBAAt(c.first.x, c.first.y).R != 1 || m.RGBAAt(c.last.x, c.last.y).R != 2 {
			t.Errorf("orientation %d: corners not at %v and %v", o, c.first, c.last)
		}
	}
}

func TestRotatedPhoto(t *testing.T) {
	red, blue := color.NRGBA{230, 0, 0, 255}, color.NRGBA{0, 0, 230, 255}
	// Stored 400×200 with red on the left; shown turned clockwise, so
	// 200×400 with red on top.
	th, err := Make(withOrientation(encodeJPEG(t, halves(400, 200, red, blue), 90), 6, binary.BigEndian), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if th.Source.Width != 200 || th.Source.Height != 400 || th.Source.Orientation != 6 || th.Width != 120 || th.Height != 240 {
		t.Fatalf("source %+v, thumbnail %dx%d", th.Source, th.Width, th.Height)
	}
	m := decode(t, th)
	near(t, "top", m.At(60, 20), red, 10)
	near(t, "bottom", m.At(60, 220), blue, 10)
}
