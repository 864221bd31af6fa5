package thumbnail

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"testing"
)

// FuzzMake feeds arbitrary bytes to the decode path: it must never panic,
// never exceed its budget, and whatever it returns must be a decodable
// image inside the box.
func FuzzMake(f *testing.F) {
	small := halves(13, 7, color.NRGBA{10, 20, 30, 255}, color.NRGBA{200, 100, 0, 128})
	f.Add(encodePNG(f, small))
	f.Add(encodeJPEG(f, small, 50))
	var g bytes.Buffer
	pm := image.NewPaletted(image.Rect(0, 0, 5, 3), color.Palette{color.Black, color.Transparent})
	pm.SetColorIndex(1, 1, 1)
	if err := gif.Encode(&g, pm, nil); err != nil {
		f.Fatal(err)
	}
	f.Add(g.Bytes())
	f.Add(withOrientation(encodeJPEG(f, small, 50), 7, binary.LittleEndian))
	f.Add(pngHeader(70000, 70000))
	f.Add([]byte("GIF89a\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		th, err := Make(data, Options{Size: 16, MaxPixels: 1 << 16})
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				if info, perr := Probe(data); perr != nil || info.Width*info.Height <= 1<<16 {
					t.Fatalf("ErrTooLarge for %+v (%v)", info, perr)
				}
			}
			return
		}
		if th.Width < 1 || th.Height < 1 || th.Width > 16 || th.Height > 16 {
			t.Fatalf("thumbnail %dx%d outside the box", th.Width, th.Height)
		}
		m, _, err := image.Decode(bytes.NewReader(th.Data))
		if err != nil {
			t.Fatalf("thumbnail does not decode: %v", err)
		}
		if m.Bounds().Dx() != th.Width || m.Bounds().Dy() != th.Height {
			t.Fatalf("thumbnail %v labelled %dx%d", m.Bounds(), th.Width, th.Height)
		}
	})
}

// FuzzOrientation reads EXIF from arbitrary bytes: never a panic, always
// an orientation from 1 to 8.
func FuzzOrientation(f *testing.F) {
	jpg := encodeJPEG(f, halves(8, 4, color.NRGBA{A: 255}, color.NRGBA{B: 255, A: 255}), 60)
	f.Add(jpg)
	f.Add(withOrientation(jpg, 6, binary.BigEndian))
	f.Add(withOrientation(jpg, 8, binary.LittleEndian))
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := jpegOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
		if o := exifOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}
