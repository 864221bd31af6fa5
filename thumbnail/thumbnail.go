// Package thumbnail makes small previews of uploaded images with the
// standard library's decoders: PNG, JPEG and GIF (the first frame). It reads
// an image's header before decoding it and refuses images whose pixel count
// is over a budget, so a small file that would decode into gigabytes (a
// decompression bomb) costs nothing. The preview fits a square box, is
// scaled with an area-averaging filter, turned as a photo's EXIF
// orientation says, and is encoded as JPEG, or as PNG when it has
// transparent pixels.
package thumbnail

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// Defaults of Options.
const (
	// DefaultSize is the side of the box a thumbnail fits in, in pixels.
	DefaultSize = 240
	// DefaultMaxPixels is the largest image decoded: 40 megapixels.
	DefaultMaxPixels = 40_000_000
	// JPEGQuality is the quality of JPEG thumbnails.
	JPEGQuality = 82
)

// Errors of Probe and Make.
var (
	// ErrFormat: the data is not a PNG, JPEG or GIF image.
	ErrFormat = errors.New("not a png, jpeg or gif image")
	// ErrTooLarge: the image has more pixels than the budget.
	ErrTooLarge = errors.New("image has too many pixels")
)

// Options tune Make. The zero value uses the defaults.
type Options struct {
	// Size is the side of the box the thumbnail fits in (default 240).
	Size int
	// MaxPixels is the pixel budget of the source (default 40 megapixels).
	MaxPixels int
}

// Info is what an image's header says.
type Info struct {
	// Format is "png", "jpeg" or "gif".
	Format string
	// Width and Height are the size as displayed: a JPEG's EXIF
	// orientation applied.
	Width  int
	Height int
	// Orientation is the EXIF orientation, 1 (as stored) to 8.
	Orientation int
}

// Thumbnail is an encoded preview.
type Thumbnail struct {
	Data []byte
	// ContentType is image/jpeg or image/png.
	ContentType string
	Width       int
	Height      int
	// Source describes the original image.
	Source Info
}

// decoders are the formats this package reads, by the name image.Decode
// would report. They are called directly rather than through the
// image package's registry, so nothing else in the program changes which
// formats are accepted here.
var decoders = map[string]struct {
	config func([]byte) (image.Config, error)
	decode func([]byte) (image.Image, error)
}{
	"png": {func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) },
		func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }},
	"jpeg": {func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) },
		func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }},
	"gif": {func(b []byte) (image.Config, error) { return gif.DecodeConfig(bytes.NewReader(b)) },
		func(b []byte) (image.Image, error) { return gif.Decode(bytes.NewReader(b)) }},
}

// format names the image format of data from its magic number.
func format(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return "jpeg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "gif"
	}
	return ""
}

// Probe reads the format and the size of an image from its header without
// decoding its pixels.
func Probe(data []byte) (Info, error) {
	f := format(data)
	if f == "" {
		return Info{}, ErrFormat
	}
	cfg, err := decoders[f].config(data)
	if err != nil {
		return Info{}, fmt.Errorf("%s header: %w", f, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, fmt.Errorf("%s header: empty image", f)
	}
	info := Info{Format: f, Width: cfg.Width, Height: cfg.Height, Orientation: 1}
	if f == "jpeg" {
		info.Orientation = jpegOrientation(data)
		if transposed(info.Orientation) {
			info.Width, info.Height = info.Height, info.Width
		}
	}
	return info, nil
}

// Make decodes an image and returns its thumbnail. Images with more pixels
// than opt.MaxPixels are refused with ErrTooLarge before decoding; images
// already inside the box keep their size but are re-encoded.
func Make(data []byte, opt Options) (*Thumbnail, error) {
	if opt.Size <= 0 {
		opt.Size = DefaultSize
	}
	if opt.MaxPixels <= 0 {
		opt.MaxPixels = DefaultMaxPixels
	}
	info, err := Probe(data)
	if err != nil {
		return nil, err
	}
	if int64(info.Width)*int64(info.Height) > int64(opt.MaxPixels) {
		return nil, fmt.Errorf("%dx%d: %w (at most %d)", info.Width, info.Height, ErrTooLarge, opt.MaxPixels)
	}
	src, err := decoders[info.Format].decode(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", info.Format, err)
	}
	b := src.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 || int64(b.Dx())*int64(b.Dy()) > int64(opt.MaxPixels) {
		return nil, fmt.Errorf("decode %s: bad bounds %v", info.Format, b)
	}
	w, h := Fit(b.Dx(), b.Dy(), opt.Size)
	dst, opaque := scale(src, w, h)
	dst = orient(dst, info.Orientation)
	t := &Thumbnail{Width: dst.Bounds().Dx(), Height: dst.Bounds().Dy(), Source: info}
	var buf bytes.Buffer
	if opaque {
		t.ContentType = "image/jpeg"
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: JPEGQuality})
	} else {
		t.ContentType = "image/png"
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, unpremultiply(dst))
	}
	if err != nil {
		return nil, fmt.Errorf("encode thumbnail: %w", err)
	}
	t.Data = buf.Bytes()
	return t, nil
}

// Fit returns the size of a w×h image scaled down, keeping its aspect
// ratio, to fit a box of side size; it never scales up and never returns a
// side under 1.
func Fit(w, h, size int) (int, int) {
	if w <= size && h <= size {
		return w, h
	}
	if w >= h {
		return size, max(1, int((int64(h)*int64(size)+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*int64(size)+int64(h)/2)/int64(h))), size
}
