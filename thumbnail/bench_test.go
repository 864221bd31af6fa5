package thumbnail

import (
	"image"
	"image/color"
	"testing"
)

// photo is a w×h image with smooth gradients, closer to a photograph's
// compressibility than a flat colour.
func photo(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x ^ y) & 0xff), 255})
		}
	}
	return m
}

func benchMake(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Make(data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// A 12-megapixel phone photo.
func BenchmarkJPEG4000x3000(b *testing.B) { benchMake(b, encodeJPEG(b, photo(4000, 3000), 85)) }

// A screenshot.
func BenchmarkPNG1920x1080(b *testing.B) { benchMake(b, encodePNG(b, photo(1920, 1080))) }

// Scaling alone, without decoding and encoding.
func BenchmarkScale4000x3000(b *testing.B) {
	src := photo(4000, 3000)
	b.ReportAllocs()
	for b.Loop() {
		scale(src, 240, 180)
	}
}
