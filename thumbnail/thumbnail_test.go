package thumbnail

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// halves is a w×h image, left half left, right half right.
func halves(w, h int, left, right color.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := left
			if x >= w/2 {
				c = right
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, m image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decode(t *testing.T, th *Thumbnail) image.Image {
	t.Helper()
	m, f, err := image.Decode(bytes.NewReader(th.Data))
	if err != nil {
		t.Fatalf("thumbnail does not decode: %v", err)
	}
	if "image/"+f != th.ContentType {
		t.Fatalf("thumbnail is %s, labelled %s", f, th.ContentType)
	}
	if m.Bounds().Dx() != th.Width || m.Bounds().Dy() != th.Height {
		t.Fatalf("thumbnail is %v, labelled %dx%d", m.Bounds(), th.Width, th.Height)
	}
	return m
}

func near(t *testing.T, what string, got color.Color, want color.NRGBA, tol int) {
	t.Helper()
	g := color.NRGBAModel.Convert(got).(color.NRGBA)
	d := func(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
	if d(g.R, want.R) > tol || d(g.G, want.G) > tol || d(g.B, want.B) > tol || d(g.A, want.A) > tol {
		t.Errorf("%s: %v, want %v ±%d", what, g, want, tol)
	}
}

func TestFit(t *testing.T) {
	for _, c := range []struct{ w, h, ww, wh int }{
		{4000, 3000, 240, 180}, {3000, 4000, 180, 240}, {240, 240, 240, 240}, {100, 50, 100, 50},
		{241, 1, 240, 1}, {10000, 1, 240, 1}, {1, 10000, 1, 240}, {480, 240, 240, 120}, {1000, 999, 240, 240},
	} {
		if w, h := Fit(c.w, c.h, 240); w != c.ww || h != c.wh {
			t.Errorf("Fit(%d, %d) = %d×%d, want %d×%d", c.w, c.h, w, h, c.ww, c.wh)
		}
	}
}

func TestSpansCoverTheSourceOnce(t *testing.T) {
	for _, c := range []struct{ n, m int }{{480, 240}, {1000, 240}, {241, 240}, {7, 3}, {4000, 240}, {5, 5}} {
		total := make([]float64, c.n)
		for _, s := range spans(c.n, c.m) {
			var sum float64
			for k, w := range s.weights {
				total[s.start+k] += float64(w)
				sum += float64(w)
			}
			if sum < 0.9999 || sum > 1.0001 {
				t.Errorf("%d→%d: a span weighs %f", c.n, c.m, sum)
			}
		}
		// Every source pixel gives all of itself: m/n of a destination pixel.
		for j, v := range total {
			if want := float64(c.m) / float64(c.n); v < want-1e-4 || v > want+1e-4 {
				t.Errorf("%d→%d: source pixel %d weighs %f, want %f", c.n, c.m, j, v, want)
				break
			}
		}
	}
}

func TestPNGScaledByAreaAverage(t *testing.T) {
	red, blue := color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 255}
	th, err := Make(encodePNG(t, halves(960, 480, red, blue)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if th.Width != 240 || th.Height != 120 || th.ContentType != "image/jpeg" {
		t.Fatalf("thumbnail %dx%d %s", th.Width, th.Height, th.ContentType)
	}
	if th.Source != (Info{Format: "png", Width: 960, Height: 480, Orientation: 1}) {
		t.Errorf("source %+v", th.Source)
	}
	m := decode(t, th)
	near(t, "left", m.At(10, 60), red, 8)
	near(t, "right", m.At(230, 60), blue, 8)

	// 3 source columns onto 2: the middle source column is split between
	// both, so the left result is pure red and the right one is 1/3 red
	// and 2/3 blue.
	n := image.NewNRGBA(image.Rect(0, 0, 3, 1))
	copy(n.Pix, []uint8{255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 255})
	got, _ := scale(n, 2, 1)
	if want := []uint8{255, 0, 0, 255, 85, 0, 170, 255}; !bytes.Equal(got.Pix, want) {
		t.Errorf("3→2 columns: %v, want %v", got.Pix, want)
	}
}

func TestExactAverage(t *testing.T) {
	// A 2×2 checkerboard of black and white scales to one mid-grey pixel.
	m := image.NewGray(image.Rect(0, 0, 2, 2))
	m.Pix = []uint8{0, 255, 255, 0}
	got, opaque := scale(m, 1, 1)
	if !opaque || got.Pix[0] != 128 || got.Pix[1] != 128 || got.Pix[3] != 255 {
		t.Errorf("average of black and white: %v opaque %v", got.Pix, opaque)
	}
	// Transparent pixels do not darken their neighbours: premultiplied.
	n := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	n.Pix = []uint8{255, 255, 255, 255, 0, 0, 0, 0}
	got, opaque = scale(n, 1, 1)
	if opaque {
		t.Error("half-transparent result reported opaque")
	}
	if s := unpremultiply(got).Pix; s[0] < 254 || s[3] != 128 {
		t.Errorf("white over transparent: %v", s)
	}
}

func TestJPEGPhoto(t *testing.T) {
	green := color.NRGBA{30, 160, 60, 255}
	th, err := Make(encodeJPEG(t, halves(1200, 1600, green, green), 90), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if th.Width != 180 || th.Height != 240 || th.ContentType != "image/jpeg" || th.Source.Format != "jpeg" {
		t.Fatalf("thumbnail %dx%d %s %+v", th.Width, th.Height, th.ContentType, th.Source)
	}
	near(t, "centre", decode(t, th).At(90, 120), green, 6)
}

func TestTransparentGIFBecomesPNG(t *testing.T) {
	m := image.NewPaletted(image.Rect(0, 0, 300, 300), append(color.Palette{color.Transparent}, palette.Plan9[1:]...))
	for y := 0; y < 300; y++ {
		for x := 150; x < 300; x++ {
			m.SetColorIndex(x, y, 200)
		}
	}
	var b bytes.Buffer
	if err := gif.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	th, err := Make(b.Bytes(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if th.ContentType != "image/png" || th.Width != 240 || th.Source.Format != "gif" {
		t.Fatalf("thumbnail %dx%d %s", th.Width, th.Height, th.ContentType)
	}
	d := decode(t, th)
	if _, _, _, a := d.At(10, 10).RGBA(); a != 0 {
		t.Errorf("transparent half has alpha %d", a)
	}
	r, g, bl, _ := m.Palette[200].RGBA()
	near(t, "opaque half", d.At(230, 10), color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}, 1)
}

func TestSmallImageKeepsItsSize(t *testing.T) {
	th, err := Make(encodePNG(t, halves(40, 20, color.NRGBA{1, 2, 3, 255}, color.NRGBA{200, 100, 50, 255})), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if th.Width != 40 || th.Height != 20 {
		t.Errorf("small image became %dx%d", th.Width, th.Height)
	}
}

// pngHeader is a PNG signature and a valid IHDR chunk claiming w×h, with
// no pixel data: a decompression bomb's calling card.
func pngHeader(w, h uint32) []byte {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk := append([]byte("IHDR"), ihdr[:]...)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, chunk...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
}

func TestPixelBudgetBeforeDecoding(t *testing.T) {
	bomb := pngHeader(50000, 50000)
	info, err := Probe(bomb)
	if err != nil || info.Width != 50000 || info.Height != 50000 {
		t.Fatalf("probe: %+v %v", info, err)
	}
	if _, err := Make(bomb, Options{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("50000×50000: %v, want ErrTooLarge", err)
	}
	// The budget is configurable and inclusive.
	img := encodePNG(t, halves(100, 100, color.NRGBA{A: 255}, color.NRGBA{A: 255}))
	if _, err := Make(img, Options{MaxPixels: 9999}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over a 9999 budget: %v", err)
	}
	if _, err := Make(img, Options{MaxPixels: 10000}); err != nil {
		t.Errorf("at a 10000 budget: %v", err)
	}
}

func TestNotAnImage(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("hello"), []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), []byte("<svg/>")} {
		if _, err := Make(data, Options{}); !errors.Is(err, ErrFormat) {
			t.Errorf("%q: %v, want ErrFormat", data, err)
		}
	}
	// A truncated PNG is an error, never a panic.
	full := encodePNG(t, halves(50, 50, color.NRGBA{A: 255}, color.NRGBA{R: 9, A: 255}))
	if _, err := Make(full[:len(full)/2], Options{}); err == nil {
		t.Error("truncated png made a thumbnail")
	}
}
