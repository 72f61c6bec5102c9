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

// generic are the tips for pairs with nothing more specific, used in turn
// so that one screen never repeats one sentence.
var generic = []string{
	"a macro or a custom button doing both would save a command each time.",
	"an action macro (ACTRECORD) records the two steps once and replays them in one.",
	"a tool palette button can chain them with the options you always pick.",
	"a command alias or a keyboard shortcut for the pair cuts the round trip.",
	"selecting the objects first and editing them with grips often does the second step on the way.",
}

// suggestions writes one tip per frequent pair: a known shortcut when
// there is one, else a hint that depends on what the second command does;
// no two tips of one screen say the same thing.
func suggestions(product string, seqs []localclient.Sequence, cat *catalog.Catalog) []string {
	out := make([]string, len(seqs))
	used := map[string]bool{}
	next := 0
	for i, s := range seqs {
		times := plural(s.Count, "time", "times")
		tip := specific(product, s, times, cat)
		if tip == "" || used[tip] {
			tip = fmt.Sprintf("You ran %s right after %s %s: %s", s.Second, s.First, times, generic[next%len(generic)])
			next++
		}
		used[tip] = true
		out[i] = tip
	}
	return out
}

func specific(product string, s localclient.Sequence, times string, cat *catalog.Catalog) string {
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
	case "Blocks":
		return fmt.Sprintf("%s follows %s %s: a dynamic block with the variants you need saves editing or inserting again.", s.Second, s.First, times)
	}
	return ""
}
