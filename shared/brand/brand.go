// Package brand is Teamlens' icon, once for every program and package that
// shows it: the SVG for Linux desktops and the viewer's window, and the
// same drawing as a Windows icon (.ico) for viewer.exe and the MSI.
package brand

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"
)

// IconSVG is the icon, a 64×64 SVG of rounded rectangles.
//
//go:embed icon.svg
var IconSVG []byte

// ICOSizes are the pixel sizes a Windows icon carries: the shell picks
// one for each place it shows the icon.
var ICOSizes = []int{16, 24, 32, 48, 64, 256}

// ICO draws IconSVG at every size of ICOSizes and returns the Windows icon
// file holding them (each image PNG-encoded, as Windows Vista and later
// read them).
func ICO() ([]byte, error) {
	shapes, err := parse(IconSVG)
	if err != nil {
		return nil, err
	}
	var images [][]byte
	for _, n := range ICOSizes {
		var b bytes.Buffer
		if err := png.Encode(&b, shapes.draw(n)); err != nil {
			return nil, err
		}
		images = append(images, b.Bytes())
	}
	// ICONDIR, one ICONDIRENTRY per image, then the images.
	var out bytes.Buffer
	le := func(v any) { _ = binary.Write(&out, binary.LittleEndian, v) }
	le([3]uint16{0, 1, uint16(len(images))})
	offset := 6 + 16*len(images)
	for i, n := range ICOSizes {
		side := uint8(n) // 256 is written as 0
		le([4]uint8{side, side, 0, 0})
		le([2]uint16{1, 32})
		le([2]uint32{uint32(len(images[i])), uint32(offset)})
		offset += len(images[i])
	}
	for _, img := range images {
		out.Write(img)
	}
	return out.Bytes(), nil
}

// Image draws the icon at n×n pixels.
func Image(n int) (image.Image, error) {
	shapes, err := parse(IconSVG)
	if err != nil {
		return nil, err
	}
	return shapes.draw(n), nil
}

type rect struct {
	x, y, w, h, rx float64
	fill           color.NRGBA
}

type drawing struct {
	size   float64 // the viewBox's side
	shapes []rect
}

// parse reads the icon's SVG, which holds only rect elements; anything
// else is refused, so an edit the drawing here cannot follow fails the
// build's tests instead of yielding a wrong icon.
func parse(svg []byte) (drawing, error) {
	var doc struct {
		ViewBox string `xml:"viewBox,attr"`
		Any     []struct {
			XMLName xml.Name
			Attrs   []xml.Attr `xml:",any,attr"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		return drawing{}, fmt.Errorf("icon: %w", err)
	}
	box := strings.Fields(doc.ViewBox)
	if len(box) != 4 || box[0] != "0" || box[1] != "0" || box[2] != box[3] {
		return drawing{}, fmt.Errorf("icon: viewBox %q: want a square from 0 0", doc.ViewBox)
	}
	d := drawing{}
	var err error
	if d.size, err = strconv.ParseFloat(box[2], 64); err != nil {
		return drawing{}, fmt.Errorf("icon: viewBox %q: %w", doc.ViewBox, err)
	}
	for _, el := range doc.Any {
		if el.XMLName.Local != "rect" {
			return drawing{}, fmt.Errorf("icon: <%s> is not drawn here: use rect elements only", el.XMLName.Local)
		}
		var r rect
		for _, a := range el.Attrs {
			var err error
			switch a.Name.Local {
			case "x":
				r.x, err = strconv.ParseFloat(a.Value, 64)
			case "y":
				r.y, err = strconv.ParseFloat(a.Value, 64)
			case "width":
				r.w, err = strconv.ParseFloat(a.Value, 64)
			case "height":
				r.h, err = strconv.ParseFloat(a.Value, 64)
			case "rx":
				r.rx, err = strconv.ParseFloat(a.Value, 64)
			case "fill":
				r.fill, err = hex(a.Value)
			default:
				err = fmt.Errorf("attribute not drawn here")
			}
			if err != nil {
				return drawing{}, fmt.Errorf("icon: rect %s=%q: %w", a.Name.Local, a.Value, err)
			}
		}
		d.shapes = append(d.shapes, r)
	}
	return d, nil
}

func hex(s string) (color.NRGBA, error) {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil || len(s) != 7 || s[0] != '#' {
		return color.NRGBA{}, fmt.Errorf("want #rrggbb")
	}
	return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}, nil
}

// inside reports whether (px, py) lies in the rounded rectangle r.
func (r rect) inside(px, py float64) bool {
	if px < r.x || py < r.y || px > r.x+r.w || py > r.y+r.h {
		return false
	}
	// Distance into the corner square, if in one.
	cx := min(max(px, r.x+r.rx), r.x+r.w-r.rx)
	cy := min(max(py, r.y+r.rx), r.y+r.h-r.rx)
	dx, dy := px-cx, py-cy
	return dx*dx+dy*dy <= r.rx*r.rx
}

// draw renders d at n×n pixels, each pixel the mean of 4×4 samples, later
// shapes over earlier ones, outside every shape transparent.
func (d drawing) draw(n int) *image.NRGBA {
	const k = 4
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	scale := d.size / float64(n)
	for y := range n {
		for x := range n {
			var r, g, b, a float64
			for sy := range k {
				for sx := range k {
					px := (float64(x) + (float64(sx)+0.5)/k) * scale
					py := (float64(y) + (float64(sy)+0.5)/k) * scale
					for i := len(d.shapes) - 1; i >= 0; i-- {
						if s := d.shapes[i]; s.inside(px, py) {
							r, g, b, a = r+float64(s.fill.R), g+float64(s.fill.G), b+float64(s.fill.B), a+1
							break
						}
					}
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(r/a + 0.5), uint8(g/a + 0.5), uint8(b/a + 0.5), uint8(a/(k*k)*255 + 0.5)})
		}
	}
	return img
}
