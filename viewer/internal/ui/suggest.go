package ui

import (
	"fmt"

	"teamlens/shared/catalog"
	"teamlens/shared/localclient"
)

// pairTips are suggestions for command pairs whose shortcut is well known;
// the key is "FIRST SECOND".
var pairTips = map[string]string{
	"COPY ROTATE":  "ROTATE has a Copy option, and the grip menu copies while it rotates: one command instead of two.",
	"MOVE ROTATE":  "The grip menu moves and rotates in one go; so does ALIGN with two point pairs.",
	"COPY MOVE":    "COPY places the copy where you pick, so the MOVE after it can usually go.",
	"OFFSET TRIM":  "FILLET with radius 0 closes two offset lines into a corner without a separate TRIM.",
	"LINE OFFSET":  "Drawing parallel lines? MLINE or OFFSET with the Through option draws them in fewer steps.",
	"TRIM EXTEND":  "Holding Shift in TRIM extends instead, so one command does both.",
	"LAYER LAYISO": "Layer states (LAYERSTATE) bring back a set of layers on and off in one step.",
	"LAYISO MOVE":  "Selecting by layer with QSELECT picks the objects without isolating the layer first.",
	"INSERT BEDIT": "Editing the block in place with REFEDIT avoids opening the block editor.",
	"HATCH COPY":   "Hatching several areas at once with one HATCH keeps them in one object and skips the copy.",
	"WALL DOOR":    "Wall types with hosted doors, or a group, place a wall and its door together.",
	"DOOR WINDOW":  "Copying a group of a door and its windows places them in one step.",
}

// suggestion writes a tip for a frequent pair: a known shortcut when there
// is one, else a hint that depends on what the second command does, so
// that the suggestions of one screen do not repeat one sentence.
func suggestion(product string, s localclient.Sequence, cat *catalog.Catalog) string {
	times := plural(s.Count, "time", "times")
	if tip := pairTips[s.First+" "+s.Second]; tip != "" {
		return fmt.Sprintf("You ran %s right after %s %s. %s", s.Second, s.First, times, tip)
	}
	switch cat.Category(product, s.Second) {
	case "View":
		return fmt.Sprintf("You change the view with %s after %s %s: the mouse wheel or a named view gets there without a command.", s.Second, s.First, times)
	case "Files":
		return fmt.Sprintf("%s follows %s %s: automatic save (SAVETIME) or a sheet set can take that step off your hands.", s.Second, s.First, times)
	case "Layers":
		return fmt.Sprintf("You switch layers with %s after %s %s: setting the layer before drawing, or layer states, saves the detour.", s.Second, s.First, times)
	case "Annotate":
		return fmt.Sprintf("%s comes after %s %s: a tool palette entry with the right style ready does both in one click.", s.Second, s.First, times)
	case cat.Category(product, s.First):
		return fmt.Sprintf("%s and %s run back to back %s: a tool palette button or an action macro can chain them.", s.First, s.Second, times)
	}
	return fmt.Sprintf("You ran %s right after %s %s: a macro or a custom button doing both would save a command each time.", s.Second, s.First, times)
}
