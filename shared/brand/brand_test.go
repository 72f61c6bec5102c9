package brand

import (
	"bytes"
	"encoding/binary"
	"image/color"
	"image/png"
	"testing"
)

// TestICO reads the icon file back as Windows would: its directory, then
// each image, and looks at what the images show.
func TestICO(t *testing.T) {
	ico, err := ICO()
	if err != nil {
		t.Fatal(err)
	}
	var head [3]uint16
	if err := binary.Read(bytes.NewReader(ico), binary.LittleEndian, &head); err != nil || head[0] != 0 || head[1] != 1 {
		t.Fatalf("not an icon file: %v %v", head, err)
	}
	if int(head[2]) != len(ICOSizes) {
		t.Fatalf("%d images, want %d", head[2], len(ICOSizes))
	}
	for i, want := range ICOSizes {
		e := ico[6+16*i:]
		side := int(e[0])
		if side == 0 {
			side = 256
		}
		size, off := binary.LittleEndian.Uint32(e[8:]), binary.LittleEndian.Uint32(e[12:])
		img, err := png.Decode(bytes.NewReader(ico[off : off+size]))
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		if side != want || img.Bounds().Dx() != want || img.Bounds().Dy() != want {
			t.Fatalf("image %d: entry says %d, image is %v, want %d", i, side, img.Bounds(), want)
		}
	}
}

// TestImage checks the drawing against the SVG's own geometry at its
// native 64 px: the rounded corner is transparent, the tile blue, the
// tall bar orange, a short bar white.
func TestImage(t *testing.T) {
	img, err := Image(64)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		x, y int
		want color.NRGBA
	}{
		{0, 0, color.NRGBA{}},
		{3, 3, color.NRGBA{}}, // inside the square, outside its rounded corner
		{32, 8, color.NRGBA{0x2f, 0x6f, 0xde, 0xff}},
		{40, 30, color.NRGBA{0xf0, 0x8c, 0x2a, 0xff}},
		{15, 45, color.NRGBA{0xff, 0xff, 0xff, 0xff}},
	} {
		if got := color.NRGBAModel.Convert(img.At(c.x, c.y)); got != c.want {
			t.Errorf("pixel (%d,%d) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
}

func TestParseRefusesWhatItCannotDraw(t *testing.T) {
	for _, svg := range []string{
		`<svg viewBox="0 0 64 64"><circle r="3"/></svg>`,
		`<svg viewBox="0 0 64 32"><rect width="3"/></svg>`,
		`<svg viewBox="0 0 64 64"><rect width="3" transform="rotate(4)"/></svg>`,
		`<svg viewBox="0 0 64 64"><rect fill="red"/></svg>`,
	} {
		if _, err := parse([]byte(svg)); err == nil {
			t.Errorf("parse(%s) accepted", svg)
		}
	}
}
