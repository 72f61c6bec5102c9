// Package autocad_test checks the AutoCAD bundle without AutoCAD, which
// cannot run here: PackageContents.xml against Autodesk's documented
// schema, every form of the AutoLISP file read, every function it calls
// known, and its own code run (in lisp_test.go's evaluator) to produce the
// journal lines it would write, which go through the agent's sanitizer.
package autocad_test

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"teamlens/shared/journal"
)

const bundle = "Teamlens.bundle"

type runtimeReq struct {
	OS        string `xml:"OS,attr"`
	Platform  string `xml:"Platform,attr"`
	SeriesMin string `xml:"SeriesMin,attr"`
	SeriesMax string `xml:"SeriesMax,attr"`
}

type packageContents struct {
	XMLName         xml.Name `xml:"ApplicationPackage"`
	SchemaVersion   string   `xml:"SchemaVersion,attr"`
	AutodeskProduct string   `xml:"AutodeskProduct,attr"`
	ProductType     string   `xml:"ProductType,attr"`
	Name            string   `xml:"Name,attr"`
	AppVersion      string   `xml:"AppVersion,attr"`
	ProductCode     string   `xml:"ProductCode,attr"`
	UpgradeCode     string   `xml:"UpgradeCode,attr"`
	CompanyDetails  *struct {
		Name string `xml:"Name,attr"`
	} `xml:"CompanyDetails"`
	RuntimeRequirements *runtimeReq `xml:"RuntimeRequirements"`
	Components          []struct {
		RuntimeRequirements *runtimeReq `xml:"RuntimeRequirements"`
		Entries             []struct {
			AppName              string `xml:"AppName,attr"`
			ModuleName           string `xml:"ModuleName,attr"`
			LoadOnAutoCADStartup string `xml:"LoadOnAutoCADStartup,attr"`
			PerDocument          string `xml:"PerDocument,attr"`
		} `xml:"ComponentEntry"`
	} `xml:"Components"`
}

var (
	guid   = regexp.MustCompile(`^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$`)
	series = regexp.MustCompile(`^R\d{2}\.\d$`)
)

// TestPackageContents checks the elements and attributes Autodesk's
// autoloader documents as required, and that every module exists.
func TestPackageContents(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(bundle, "PackageContents.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var pc packageContents
	if err := xml.Unmarshal(raw, &pc); err != nil {
		t.Fatalf("PackageContents.xml: %v", err)
	}
	check := func(ok bool, what string) {
		t.Helper()
		if !ok {
			t.Errorf("PackageContents.xml: %s", what)
		}
	}
	check(pc.SchemaVersion == "1.0", "SchemaVersion must be 1.0")
	check(pc.AutodeskProduct == "AutoCAD", "AutodeskProduct must be AutoCAD")
	check(pc.ProductType == "Application", "ProductType must be Application")
	check(pc.Name != "" && pc.AppVersion != "", "Name and AppVersion are required")
	check(guid.MatchString(pc.ProductCode), "ProductCode must be a {GUID}")
	check(guid.MatchString(pc.UpgradeCode), "UpgradeCode must be a {GUID}")
	check(pc.ProductCode != pc.UpgradeCode, "ProductCode and UpgradeCode must differ")
	check(pc.CompanyDetails != nil && pc.CompanyDetails.Name != "", "CompanyDetails with a Name")
	for _, rr := range []*runtimeReq{pc.RuntimeRequirements} {
		check(rr != nil && rr.OS == "Win64" && strings.HasPrefix(rr.Platform, "AutoCAD") && series.MatchString(rr.SeriesMin),
			"RuntimeRequirements OS=Win64 Platform=AutoCAD* SeriesMin=Rnn.n")
	}
	check(len(pc.Components) > 0, "at least one Components element")
	n := 0
	for _, c := range pc.Components {
		for _, e := range c.Entries {
			n++
			check(e.AppName != "", "ComponentEntry AppName")
			check(strings.HasPrefix(e.ModuleName, "./Contents/"), "ModuleName relative to the bundle (./Contents/...)")
			if _, err := os.Stat(filepath.Join(bundle, filepath.FromSlash(e.ModuleName))); err != nil {
				t.Errorf("module %s: %v", e.ModuleName, err)
			}
			if strings.HasSuffix(e.ModuleName, ".lsp") {
				check(e.LoadOnAutoCADStartup == "True" && e.PerDocument == "True", "the LISP file loads at startup into every drawing")
			}
		}
	}
	check(n == 1, "one ComponentEntry, the LISP file")
}

func readLisp(t *testing.T) []any {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(bundle, "Contents", "teamlens.lsp"))
	if err != nil {
		t.Fatal(err)
	}
	forms, err := readAll(string(src))
	if err != nil {
		t.Fatalf("teamlens.lsp does not read: %v", err)
	}
	return forms
}

// autolisp are the AutoLISP, Visual LISP and ActiveX functions the file
// may call besides its own.
var autolisp = strings.Fields(`quote setq defun if cond while repeat foreach progn and or
	+ - * / 1+ = /= < > <= >= min abs rem fix atoi atof itoa strcat strlen substr strcase ascii
	float list cons car cdr cadr caddr assoc member null not numberp type princ
	getvar getenv findfile open write-line close vl-load-com vl-bb-ref vl-bb-set vl-file-size
	vl-registry-read vl-catch-all-apply vl-catch-all-error-p
	vlax-get-acad-object vla-get-documents vla-get-count vlax-create-object vlax-invoke vlax-for vlax-get vlax-release-object
	vlr-command-reactor vlr-dwg-reactor`)

// TestLispReads reads every form and checks each function called is the
// file's own or a known AutoLISP function: a typo would fail in AutoCAD
// only when the form runs.
func TestLispReads(t *testing.T) {
	forms := readLisp(t)
	if len(forms) < 30 {
		t.Fatalf("%d forms: the file was not read whole", len(forms))
	}
	known := map[sym]bool{}
	for _, f := range autolisp {
		known[sym(strings.ToUpper(f))] = true
	}
	defined := map[sym]bool{}
	for _, f := range forms {
		if l, ok := f.([]any); ok && l[0] == sym("DEFUN") {
			defined[l[1].(sym)] = true
		}
	}
	var walk func(x any, head bool)
	walk = func(x any, head bool) {
		l, ok := x.([]any)
		if !ok {
			return
		}
		h, isSym := l[0].(sym)
		if !isSym {
			return
		}
		if h == "QUOTE" {
			return // data
		}
		if !known[h] && !defined[h] {
			t.Errorf("calls %s, defined nowhere", strings.ToLower(string(h)))
		}
		args := l[1:]
		switch h {
		case "DEFUN":
			args = l[3:]
		case "SETQ":
			var vals []any
			for i := 1; i < len(args); i += 2 {
				vals = append(vals, args[i])
			}
			args = vals
		case "COND":
			var all []any
			for _, cl := range args {
				all = append(all, cl.([]any)...)
			}
			args = all
		case "FOREACH", "VLAX-FOR":
			args = args[1:]
		}
		for _, a := range args {
			walk(a, true)
		}
	}
	for _, f := range forms {
		walk(f, true)
	}
	// The callbacks the reactors name are defined.
	for _, cb := range []sym{"TL:CMD-START", "TL:CMD-END", "TL:CMD-CANCEL", "TL:SAVE-BEGIN", "TL:SAVE-END", "TL:CLOSE"} {
		if !defined[cb] {
			t.Errorf("reactor callback %s is not defined", cb)
		}
	}
}

// acad is the bundle's code loaded into the evaluator with AutoCAD's side
// stubbed: system variables, the blackboard, file sizes, and tl:write
// capturing the lines instead of appending them to the spool.
type acad struct {
	in      *interp
	sysvars map[string]any
	bb      map[sym]any
	sizes   map[string]int64
	lines   []string
}

func loadAcad(t *testing.T) *acad {
	t.Helper()
	a := &acad{in: newInterp(), sysvars: map[string]any{}, bb: map[sym]any{}, sizes: map[string]int64{}}
	for _, f := range readLisp(t) {
		l, ok := f.([]any)
		if !ok || (l[0] != sym("DEFUN") && l[0] != sym("SETQ")) {
			continue // the load-time calls need AutoCAD
		}
		if _, err := a.in.eval(f); err != nil {
			t.Fatal(err)
		}
	}
	b := a.in.builtins
	b["GETVAR"] = func(args []any) (any, error) {
		v, ok := a.sysvars[strings.ToUpper(args[0].(string))]
		if !ok {
			return nil, fmt.Errorf("system variable %v not stubbed", args[0])
		}
		return v, nil
	}
	b["VL-BB-REF"] = func(args []any) (any, error) { return a.bb[args[0].(sym)], nil }
	b["VL-BB-SET"] = func(args []any) (any, error) { a.bb[args[0].(sym)] = args[1]; return args[1], nil }
	b["VL-FILE-SIZE"] = func(args []any) (any, error) {
		if n, ok := a.sizes[args[0].(string)]; ok {
			return n, nil
		}
		return nil, nil
	}
	b["VL-REGISTRY-READ"] = func(args []any) (any, error) { return int64(-60), nil } // Copenhagen, winter
	b["VL-CATCH-ALL-APPLY"] = func(args []any) (any, error) {
		// tl:acad-created asks WMI: acad.exe was created at 13:14:20.500 local.
		if args[0] != sym("TL:ACAD-CREATED") {
			return nil, fmt.Errorf("unexpected %v", args[0])
		}
		return "20261203131420.500000+060", nil
	}
	b["VL-CATCH-ALL-ERROR-P"] = func(args []any) (any, error) { return nil, nil }
	delete(a.in.funcs, "TL:WRITE")
	b["TL:WRITE"] = func(args []any) (any, error) { a.lines = append(a.lines, args[0].(string)); return nil, nil }
	return a
}

func (a *acad) call(t *testing.T, name string, args ...any) any {
	t.Helper()
	v, err := a.in.call(sym(strings.ToUpper(name)), args)
	if err != nil {
		t.Fatalf("(%s ...): %v", name, err)
	}
	return v
}

// date is AutoCAD's DATE of a local wall-clock time.
func date(t *testing.T, a *acad, y, m, d, hh, mm, ss int) float64 {
	t.Helper()
	jdn := a.call(t, "tl:jdn", int64(y), int64(m), int64(d)).(int64)
	return float64(jdn) + float64(hh*3600+mm*60+ss)/86400
}

// TestLispWritesTheJournal runs a session through the bundle's reactor
// callbacks: the lines it writes pass the agent's sanitizer and say
// exactly what happened, with no path or name in them.
func TestLispWritesTheJournal(t *testing.T) {
	a := loadAcad(t)
	a.sysvars["DATE"] = date(t, a, 2026, 12, 3, 13, 14, 28)
	a.sysvars["MILLISECS"] = int64(2_000_000_000) // GetTickCount is near its wrap
	a.sysvars["ACADVER"] = "25.0s (LMS Tech)"
	a.call(t, "tl:begin-session")
	a.call(t, "tl:cmd-start", nil, []any{"LINE"})
	a.call(t, "tl:cmd-end", nil, []any{"LINE"})
	a.call(t, "tl:cmd-start", nil, []any{"_.CIRCLE"})
	a.call(t, "tl:cmd-cancel", nil, []any{"_.CIRCLE"})
	a.call(t, "tl:cmd-start", nil, []any{"U"})
	a.call(t, "tl:cmd-end", nil, []any{"U"})
	// A command whose "name" is a path or free text is not written.
	a.call(t, "tl:cmd-start", nil, []any{`C:\Users\jdoe\Secret Project\plan.dwg`})
	a.call(t, "tl:cmd-start", nil, []any{"QSAVE"})
	a.call(t, "tl:save-begin", nil, []any{})
	a.sysvars["MILLISECS"] = int64(2_000_001_234)
	secret := `C:\Users\jdoe\Secret Project\plan.dwg`
	a.sizes[secret] = 5_555_555
	a.call(t, "tl:save-end", nil, []any{secret})
	a.call(t, "tl:cmd-end", nil, []any{"QSAVE"})
	a.sysvars["MILLISECS"] = int64(2_147_483_000)
	a.call(t, "tl:cmd-start", nil, []any{"OPEN"})
	// The drawing opened loads the file: MILLISECS passed 2^31 meanwhile
	// and reads negative.
	a.sysvars["MILLISECS"] = int64(-2_147_483_648 + 2_000)
	a.sysvars["DWGPREFIX"], a.sysvars["DWGNAME"] = `\\fileserver\projects\Client X\`, "tower.dwg"
	a.sizes[`\\fileserver\projects\Client X\tower.dwg`] = 7_777
	a.call(t, "tl:open-done")
	a.sysvars["DATE"] = date(t, a, 2026, 12, 3, 13, 20, 0)
	a.call(t, "tl:end-session")

	san := journal.Sanitizer{Now: func() time.Time { return time.Date(2026, 12, 3, 13, 0, 0, 0, time.UTC) }, MaxAge: time.Hour, MaxAhead: time.Hour}
	var got []string
	var session string
	for _, line := range a.lines {
		for _, s := range []string{"jdoe", "Secret", "plan", "fileserver", "Client", "tower", `\`} {
			if strings.Contains(line, s) {
				t.Errorf("line %s holds %q", line, s)
			}
		}
		e, err := san.Sanitize([]byte(line))
		if err != nil {
			t.Fatalf("the agent rejects %s: %v", line, err)
		}
		if e.Product != "AutoCAD" || e.Version != "2025" {
			t.Errorf("%s: want AutoCAD 2025", line)
		}
		if session == "" {
			session = e.Session
		} else if e.Session != session {
			t.Errorf("session %s, then %s", session, e.Session)
		}
		s := e.Type
		switch e.Type {
		case journal.Command:
			s += ":" + e.Name + ":" + e.Outcome
		case journal.DocumentOpen, journal.DocumentSave:
			s += fmt.Sprintf(":%dms:%dB", e.DurationMS, e.SizeBytes)
		case journal.SessionStart:
			if e.StartupMS == nil || *e.StartupMS != 7500 {
				t.Errorf("startup %v, want 7500 ms (13:14:20.5 to 13:14:28)", e.StartupMS)
			}
			if got := e.TS.UTC().Format(time.RFC3339); got != "2026-12-03T12:14:28Z" {
				t.Errorf("start at %s, want 12:14:28 UTC (13:14:28 in Copenhagen)", got)
			}
		}
		got = append(got, s)
	}
	want := []string{"session.start",
		"command:LINE:started", "command:LINE:completed",
		"command:CIRCLE:started", "command:CIRCLE:canceled",
		"command:U:started", "command:LINE:undone", "command:U:completed",
		"command:QSAVE:started", "document.save:1234ms:5555555B", "command:QSAVE:completed",
		"command:OPEN:started", "document.open:2648ms:7777B",
		"session.end"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLispCalendar: the file's own date arithmetic gives the civil date
// and the UTC stamp Go does, across a century, leap days and a bias.
func TestLispCalendar(t *testing.T) {
	a := loadAcad(t)
	for d := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2100; d = d.AddDate(0, 0, 37) {
		jdn := a.call(t, "tl:jdn", int64(d.Year()), int64(d.Month()), int64(d.Day()))
		ymd := a.call(t, "tl:civil", jdn).([]any)
		if fmt.Sprint(ymd...) != fmt.Sprint(int64(d.Year()), int64(d.Month()), int64(d.Day())) {
			t.Fatalf("%s: civil %v", d.Format("2006-01-02"), ymd)
		}
		local := d.Add(23*time.Hour + 59*time.Minute + 30*time.Second)
		stamp := a.call(t, "tl:stamp", float64(jdn.(int64))+float64(23*3600+59*60+30)/86400, int64(-90))
		if want := local.Add(-90 * time.Minute).Format("2006-01-02T15:04:05Z"); stamp != want {
			t.Fatalf("stamp %v, want %s", stamp, want)
		}
	}
	if v := a.call(t, "tl:version", "24.3s (LMS Tech)"); v != "2024" {
		t.Errorf("version %v", v)
	}
	if v := a.call(t, "tl:version", "27.0s (LMS Tech)"); v != "R27.0" {
		t.Errorf("unknown release %v", v)
	}
}
