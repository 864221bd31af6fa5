package thumbnail

import "encoding/binary"

// WebPSize reads the canvas size of a WebP image from its first chunk:
// VP8X (extended), VP8L (lossless) or VP8 (lossy key frame). The standard
// library has no WebP decoder, so WebP images get no thumbnail, but their
// size still lets a client lay them out before they load.
func WebPSize(data []byte) (w, h int, ok bool) {
	if len(data) < 30 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return 0, 0, false
	}
	le24 := func(b []byte) int { return int(b[0]) | int(b[1])<<8 | int(b[2])<<16 }
	switch string(data[12:16]) {
	case "VP8X":
		return le24(data[24:]) + 1, le24(data[27:]) + 1, true
	case "VP8L":
		if data[20] != 0x2f {
			return 0, 0, false
		}
		bits := binary.LittleEndian.Uint32(data[21:])
		return int(bits&0x3fff) + 1, int(bits>>14&0x3fff) + 1, true
	case "VP8 ":
		if data[20]&1 != 0 || data[23] != 0x9d || data[24] != 0x01 || data[25] != 0x2a {
			return 0, 0, false
		}
		w = int(binary.LittleEndian.Uint16(data[26:]) & 0x3fff)
		h = int(binary.LittleEndian.Uint16(data[28:]) & 0x3fff)
		return w, h, w > 0 && h > 0
	}
	return 0, 0, false
}
