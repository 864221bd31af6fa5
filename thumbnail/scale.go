package thumbnail

import (
	"image"
	"image/color"
	"math"
)

// span is the source pixels one destination pixel covers along one axis:
// from start on, each with the share of the destination pixel it fills.
// The weights sum to 1.
type span struct {
	start   int
	weights []float32
}

// spans maps n source pixels onto m ≤ n destination pixels: destination
// pixel i covers the source interval [i·n/m, (i+1)·n/m), and each source
// pixel weighs as much as it overlaps that interval (area averaging, a box
// filter as wide as the scale factor).
func spans(n, m int) []span {
	out := make([]span, m)
	scale := float64(n) / float64(m)
	for i := range out {
		lo, hi := float64(i)*scale, float64(i+1)*scale
		first := int(math.Floor(lo))
		last := min(int(math.Ceil(hi)), n) // exclusive
		ws := make([]float32, 0, last-first)
		for j := first; j < last; j++ {
			overlap := math.Min(float64(j+1), hi) - math.Max(float64(j), lo)
			ws = append(ws, float32(overlap/scale))
		}
		out[i] = span{start: first, weights: ws}
	}
	return out
}

// scale returns src reduced to w×h by area averaging, as premultiplied
// RGBA, and whether every pixel of the result is opaque. Rows are read
// once each (one is kept for the boundary two destination rows share), so
// only a few rows of floats are held besides the result.
func scale(src image.Image, w, h int) (*image.RGBA, bool) {
	b := src.Bounds()
	read := rowReader(src)
	xs, ys := spans(b.Dx(), w), spans(b.Dy(), h)
	row := make([]float32, b.Dx()*4) // one source row
	narrow := make([]float32, w*4)   // that row, reduced horizontally
	cached := make([]float32, w*4)   // the last reduced row …
	cachedY := -1                    // … and its index
	acc := make([]float32, w*4)      // one destination row
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	opaque := true
	for i, sy := range ys {
		clear(acc)
		for k, wy := range sy.weights {
			y := sy.start + k
			var line []float32
			if y == cachedY {
				line = cached
			} else {
				read(b.Min.Y+y, row)
				reduce(row, xs, narrow)
				copy(cached, narrow)
				cachedY, line = y, cached
			}
			for j, v := range line {
				acc[j] += v * wy
			}
		}
		out := dst.Pix[i*dst.Stride : i*dst.Stride+w*4]
		for j, v := range acc {
			out[j] = clamp8(v)
		}
		for j := 3; j < len(out); j += 4 {
			if out[j] != 0xff {
				opaque = false
			}
			// Premultiplied colour never exceeds its alpha.
			a := out[j]
			out[j-3], out[j-2], out[j-1] = min(out[j-3], a), min(out[j-2], a), min(out[j-1], a)
		}
	}
	return dst, opaque
}

// reduce averages one source row of premultiplied RGBA into the
// destination columns.
func reduce(row []float32, xs []span, out []float32) {
	for i, sx := range xs {
		var r, g, b, a float32
		p := row[sx.start*4:]
		for k, wx := range sx.weights {
			q := p[k*4 : k*4+4 : k*4+4]
			r += q[0] * wx
			g += q[1] * wx
			b += q[2] * wx
			a += q[3] * wx
		}
		out[i*4], out[i*4+1], out[i*4+2], out[i*4+3] = r, g, b, a
	}
}

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

// rowReader returns a function that writes row y of src into buf as
// premultiplied RGBA floats from 0 to 255. The formats the decoders
// produce most are read from their pixel arrays; others go through At.
func rowReader(src image.Image) func(y int, buf []float32) {
	b := src.Bounds()
	switch p := src.(type) {
	case *image.YCbCr:
		return func(y int, buf []float32) {
			for x := b.Min.X; x < b.Max.X; x++ {
				yi, ci := p.YOffset(x, y), p.COffset(x, y)
				r, g, bl := color.YCbCrToRGB(p.Y[yi], p.Cb[ci], p.Cr[ci])
				o := (x - b.Min.X) * 4
				buf[o], buf[o+1], buf[o+2], buf[o+3] = float32(r), float32(g), float32(bl), 255
			}
		}
	case *image.RGBA:
		return func(y int, buf []float32) {
			pix := p.Pix[p.PixOffset(b.Min.X, y):]
			for i := range buf {
				buf[i] = float32(pix[i])
			}
		}
	case *image.NRGBA:
		return func(y int, buf []float32) {
			pix := p.Pix[p.PixOffset(b.Min.X, y):]
			for i := 0; i < len(buf); i += 4 {
				a := float32(pix[i+3])
				buf[i], buf[i+1], buf[i+2], buf[i+3] = float32(pix[i])*a/255, float32(pix[i+1])*a/255, float32(pix[i+2])*a/255, a
			}
		}
	case *image.Gray:
		return func(y int, buf []float32) {
			pix := p.Pix[p.PixOffset(b.Min.X, y):]
			for i := 0; i < len(buf); i += 4 {
				v := float32(pix[i/4])
				buf[i], buf[i+1], buf[i+2], buf[i+3] = v, v, v, 255
			}
		}
	case *image.Paletted:
		var pal [256][4]float32
		for i, c := range p.Palette {
			r, g, bl, a := c.RGBA()
			pal[i] = [4]float32{float32(r) / 257, float32(g) / 257, float32(bl) / 257, float32(a) / 257}
		}
		return func(y int, buf []float32) {
			pix := p.Pix[p.PixOffset(b.Min.X, y):]
			for i := 0; i < len(buf); i += 4 {
				c := pal[pix[i/4]]
				buf[i], buf[i+1], buf[i+2], buf[i+3] = c[0], c[1], c[2], c[3]
			}
		}
	}
	return func(y int, buf []float32) {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := src.At(x, y).RGBA()
			o := (x - b.Min.X) * 4
			buf[o], buf[o+1], buf[o+2], buf[o+3] = float32(r)/257, float32(g)/257, float32(bl)/257, float32(a)/257
		}
	}
}

// unpremultiply converts premultiplied RGBA to the straight alpha PNG
// stores.
func unpremultiply(m *image.RGBA) *image.NRGBA {
	out := image.NewNRGBA(m.Bounds())
	for i := 0; i < len(m.Pix); i += 4 {
		a := m.Pix[i+3]
		switch a {
		case 0:
			// Fully transparent: colour is meaningless; leave zero.
		case 0xff:
			copy(out.Pix[i:i+4], m.Pix[i:i+4])
		default:
			for c := 0; c < 3; c++ {
				out.Pix[i+c] = uint8((uint32(m.Pix[i+c])*255 + uint32(a)/2) / uint32(a))
			}
			out.Pix[i+3] = a
		}
	}
	return out
}
