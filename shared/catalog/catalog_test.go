package catalog_test

import (
	"testing"

	"teamlens/shared/catalog"
)

func TestCategories(t *testing.T) {
	cat := catalog.Builtin()
	for _, tc := range []struct{ product, command, want string }{
		{"Revit", "ID_OBJECTS_WALL", "Architecture"},
		{"Revit", "ID_OBJECTS_DOOR", "Architecture"},
		{"Revit", "ID_STRUCTURAL_BEAM", "Structure"},
		{"Revit", "ID_DUCT", "MEP"},
		{"Revit", "ID_REVIT_FILE_OPEN", "Files"},
		{"Revit", "ID_EXPORT_IFC", "Files"},
		{"Revit", "ID_EDIT_MOVE", "Modify"},
		{"Revit", "ID_VIEW_DEFAULT_3DVIEW", "View"},
		{"Revit", "ID_SOMETHING_ELSE", catalog.Other},
		{"Revit", "WALL", "Architecture"},
		{"FreeCAD", "PART_BOX", "Part"},
		{"FreeCAD", "STD_SAVE", "Files"},
		{"FreeCAD", "STD_WHATEVER", catalog.Other},
		{"AutoCAD", "LINE", "Draw"},
	} {
		if got := cat.Category(tc.product, tc.command); got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.product, tc.command, got, tc.want)
		}
	}
	p, ok := cat.Lookup("freecad")
	if !ok || p.Name != "FreeCAD" || !p.Journal {
		t.Errorf("FreeCAD: %+v %v", p, ok)
	}
	if _, ok := cat.ByProcess("FreeCAD.exe"); !ok {
		t.Error("FreeCAD process unknown")
	}
}
