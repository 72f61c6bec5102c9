// Package catalog names the CAD products Teamlens knows, the processes that
// reveal them and the categories their commands fall into.
package catalog

import (
	"sort"
	"strings"
	"sync"
)

// Product is one entry of the catalog.
type Product struct {
	Name string `toml:"name" json:"name"`
	// Processes are executable names (case-insensitive, ".exe" optional)
	// whose running process is a seat-usage session of the product.
	Processes []string `toml:"processes" json:"processes,omitempty"`
	// Journal marks a product that writes its own journal through a plug-in;
	// its processes are then sampled for performance but not turned into
	// sessions, so a session is never counted twice.
	Journal bool `toml:"journal" json:"journal,omitempty"`
	// Insights marks products for which My Insights shows product analytics;
	// the others show usage time only.
	Insights bool `toml:"insights" json:"insights,omitempty"`
	// Categories maps a category name to its normalized command names.
	Categories map[string][]string `toml:"categories" json:"categories,omitempty"`
}

// Other is the category of every command a product's catalog does not name.
const Other = "Other"

var autocadCategories = map[string][]string{
	"Draw":     {"LINE", "PLINE", "CIRCLE", "ARC", "RECTANG", "POLYGON", "ELLIPSE", "SPLINE", "HATCH", "XLINE"},
	"Modify":   {"MOVE", "COPY", "ROTATE", "SCALE", "STRETCH", "TRIM", "EXTEND", "OFFSET", "MIRROR", "FILLET", "CHAMFER", "ERASE", "EXPLODE", "ARRAY", "JOIN"},
	"Annotate": {"DIMLINEAR", "DIMALIGNED", "DIMRADIUS", "DIMSTYLE", "MTEXT", "TEXT", "MLEADER", "TABLE"},
	"Layers":   {"LAYER", "LAYISO", "LAYOFF", "LAYON", "LAYFRZ", "LAYTHW"},
	"Blocks":   {"BLOCK", "INSERT", "WBLOCK", "BEDIT", "ATTDEF"},
	"View":     {"ZOOM", "PAN", "ORBIT", "3DORBIT", "VIEW", "REGEN", "VPORTS"},
	"Files":    {"OPEN", "SAVE", "QSAVE", "SAVEAS", "NEW", "CLOSE", "PLOT", "EXPORT", "XREF"},
}

// Revit's journals name commands by their ID_ identifiers; both spellings
// are categorized.
var revitCategories = map[string][]string{
	"Structure": {"ID_STRUCTURAL_BEAM", "ID_STRUCTURAL_COLUMN", "ID_STRUCTURAL_FLOOR", "ID_STRUCTURAL_FOUNDATION_ISOLATED", "ID_STRUCTURAL_BRACE", "ID_STRUCTURAL_REBAR"},
	"MEP":       {"ID_DUCT", "ID_PIPE", "ID_MECHANICAL_EQUIPMENT", "ID_PLUMBING_FIXTURE", "ID_ELECTRICAL_WIRE", "ID_CABLE_TRAY", "ID_CONDUIT", "ID_LIGHTING_FIXTURE"},
	"Architecture": {"ID_OBJECTS_WALL", "ID_OBJECTS_DOOR", "ID_OBJECTS_WINDOW", "ID_OBJECTS_FLOOR", "ID_OBJECTS_ROOF", "ID_OBJECTS_CEILING", "ID_OBJECTS_STAIRS", "ID_OBJECTS_RAILING", "ID_OBJECTS_ROOM", "ID_OBJECTS_FAMSYM", "ID_OBJECTS_COLUMN",
		"WALL", "DOOR", "WINDOW", "FLOOR", "ROOF", "CEILING", "STAIR", "RAILING", "ROOM", "COMPONENT"},
	"Modify": {"ID_EDIT_MOVE", "ID_EDIT_COPY", "ID_EDIT_ROTATE", "ID_EDIT_MIRROR", "ID_EDIT_ARRAY", "ID_ALIGN", "ID_TRIM_EXTEND", "ID_OFFSET", "ID_SPLIT", "ID_BUTTON_DELETE", "ID_EDIT_UNDO", "ID_EDIT_REDO", "ID_PIN_ELEMENTS",
		"MOVE", "COPY", "ROTATE", "MIRROR", "ARRAY", "ALIGN", "TRIM", "OFFSET", "SPLIT", "DELETE", "PIN"},
	"Annotate": {"ID_ANNOTATIONS_DIMENSION_ALIGNED", "ID_ANNOTATIONS_DIMENSION_LINEAR", "ID_OBJECTS_TEXT_NOTE", "ID_TAG_BY_CATEGORY", "ID_KEYNOTE_ELEMENT", "ID_VIEW_NEW_SCHEDULE", "ID_VIEW_NEW_LEGEND",
		"DIMENSION", "TAG", "TEXT", "KEYNOTE", "LEGEND", "SCHEDULE"},
	"View": {"ID_VIEW_DEFAULT_3DVIEW", "ID_VIEW_NEW_SECTION", "ID_VIEW_NEW_ELEVATION", "ID_VIEW_NEW_SHEET", "ID_ZOOM_IN", "ID_ZOOM_OUT", "ID_ZOOM_FIT", "ID_VIEW_ZOOM_TO_FIT", "ID_STARTUP_PAGE", "ID_WINDOW_CLOSE_HIDDEN",
		"ZOOM", "PAN", "ORBIT", "SECTION", "ELEVATION", "3DVIEW", "SHEET"},
	"Files": {"ID_REVIT_FILE_OPEN", "ID_FILE_MRU_FIRST", "ID_REVIT_FILE_SAVE", "ID_REVIT_SAVE_AS", "ID_FILE_SAVE_TO_CENTRAL", "ID_REVIT_FILE_CLOSE", "ID_REVIT_FILE_NEW_PROJECT", "ID_REVIT_FILE_PRINT", "ID_EXPORT_IFC", "ID_EXPORT_DWG", "ID_EXPORT_PDF", "ID_FILE_IMPORT", "ID_RVT_LINK", "ID_APP_EXIT",
		"OPEN", "SAVE", "SAVEAS", "SYNC", "EXPORT", "PRINT", "LINK"},
}

// FreeCAD's add-on names commands as FreeCAD does (Std_Open, Part_Box);
// upper-cased by the sanitizer.
var freecadCategories = map[string][]string{
	"Files":  {"STD_NEW", "STD_OPEN", "STD_SAVE", "STD_SAVEAS", "STD_CLOSEACTIVEWINDOW", "STD_EXPORT", "STD_IMPORT", "STD_PRINT"},
	"Part":   {"PART_BOX", "PART_CYLINDER", "PART_SPHERE", "PART_CONE", "PART_TORUS", "PART_FUSE", "PART_CUT", "PART_COMMON", "PART_EXTRUDE", "PART_FILLET", "PART_CHAMFER"},
	"Sketch": {"SKETCHER_NEWSKETCH", "SKETCHER_CREATELINE", "SKETCHER_CREATECIRCLE", "SKETCHER_CREATERECTANGLE", "PARTDESIGN_PAD", "PARTDESIGN_POCKET"},
	"Modify": {"STD_UNDO", "STD_REDO", "STD_DELETE", "STD_COPY", "STD_PASTE", "STD_TRANSFORMMANIP", "STD_PLACEMENT"},
	"View":   {"STD_VIEWFITALL", "STD_VIEWISOMETRIC", "STD_VIEWFRONT", "STD_VIEWTOP", "STD_VIEWRIGHT", "STD_ORTHOGRAPHICCAMERA", "STD_PERSPECTIVECAMERA", "STD_VIEWZOOMIN", "STD_VIEWZOOMOUT"},
}

// Builtin returns the catalog every agent and collector starts from. It is
// built once; catalogs are immutable, so it is shared.
func Builtin() *Catalog { return builtin() }

var builtin = sync.OnceValue(func() *Catalog {
	return New([]Product{
		{Name: "AutoCAD", Processes: []string{"acad"}, Insights: true, Categories: autocadCategories},
		{Name: "Revit", Processes: []string{"Revit"}, Insights: true, Categories: revitCategories},
		{Name: "Civil 3D", Processes: []string{"civil3d"}},
		{Name: "Inventor", Processes: []string{"Inventor"}},
		{Name: "3ds Max", Processes: []string{"3dsmax"}},
		{Name: "Navisworks", Processes: []string{"Roamer"}},
		{Name: "Fusion", Processes: []string{"Fusion360"}},
		{Name: "MicroStation", Processes: []string{"ustation"}},
		{Name: "FreeCAD", Processes: []string{"freecad", "FreeCAD", "freecadcmd"}, Journal: true, Insights: true, Categories: freecadCategories},
	})
})

// Catalog is an immutable set of products; safe for concurrent use.
type Catalog struct {
	byName    map[string]*Product
	byProcess map[string]*Product
	category  map[string]map[string]string // product -> command -> category
}

// New builds a catalog; a later product of the same name (case-insensitive)
// replaces an earlier one.
func New(products []Product) *Catalog {
	c := &Catalog{
		byName:    map[string]*Product{},
		byProcess: map[string]*Product{},
		category:  map[string]map[string]string{},
	}
	for i := range products {
		p := products[i]
		c.byName[strings.ToLower(p.Name)] = &p
	}
	for _, p := range c.byName {
		for _, exe := range p.Processes {
			c.byProcess[processKey(exe)] = p
		}
		cats := map[string]string{}
		for cat, cmds := range p.Categories {
			for _, cmd := range cmds {
				cats[strings.ToUpper(cmd)] = cat
			}
		}
		c.category[p.Name] = cats
	}
	return c
}

// With returns a new catalog with extra products added (or replacing
// built-in ones of the same name).
func (c *Catalog) With(extra []Product) *Catalog {
	return New(append(c.Products(), extra...))
}

// Products lists the catalog sorted by name.
func (c *Catalog) Products() []Product {
	out := make([]Product, 0, len(c.byName))
	for _, p := range c.byName {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds a product by name, case-insensitively, and returns it with
// its canonical spelling.
func (c *Catalog) Lookup(name string) (Product, bool) {
	p, ok := c.byName[strings.ToLower(name)]
	if !ok {
		return Product{}, false
	}
	return *p, true
}

// ByProcess finds the product a process executable name belongs to.
func (c *Catalog) ByProcess(exe string) (Product, bool) {
	p, ok := c.byProcess[processKey(exe)]
	if !ok {
		return Product{}, false
	}
	return *p, true
}

// Category returns the category of a normalized command of a product, or
// Other.
func (c *Catalog) Category(product, command string) string {
	if cat, ok := c.category[product][command]; ok {
		return cat
	}
	if p, ok := c.byName[strings.ToLower(product)]; ok {
		if cat, ok := c.category[p.Name][command]; ok {
			return cat
		}
	}
	return Other
}

func processKey(exe string) string {
	return strings.TrimSuffix(strings.ToLower(exe), ".exe")
}
