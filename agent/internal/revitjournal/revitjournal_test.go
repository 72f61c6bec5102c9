package revitjournal_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"teamlens/agent/internal/revitjournal"
	"teamlens/shared/journal"
)

// The journals in testdata are real ones Revit 2016 wrote (see
// testdata/README.md): they hold a username, UNC paths, license server
// names and file names that must never come out.
func TestRealJournals(t *testing.T) {
	for _, tc := range []struct {
		file     string
		start    string
		commands []string
	}{
		{"testdata/journal.0001.txt", "2016-10-28 15:14:28", []string{"ID_STARTUP_PAGE", "ID_FILE_MRU_FIRST", "ID_EXPORT_IFC", "ID_APP_EXIT"}},
		{"testdata/journal.0002.txt", "2016-10-27 14:35:11", []string{"ID_STARTUP_PAGE", "ID_REVIT_FILE_OPEN", "ID_EXPORT_IFC", "ID_APP_EXIT"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rejects := map[string]int{}
			p := &revitjournal.Parser{Session: "rvt-1"}
			evs, err := revitjournal.ReadAll(f, p, rejects)
			if err != nil {
				t.Fatal(err)
			}
			if len(rejects) != 0 {
				t.Errorf("rejects %v", rejects)
			}
			if len(evs) < 2 || evs[0].Type != journal.SessionStart || evs[len(evs)-1].Type != journal.SessionEnd {
				t.Fatalf("want session start ... end, got %v", evs)
			}
			var cmds []string
			for _, e := range evs {
				if e.Version != "2016" || e.Product != "Revit" {
					t.Errorf("event %+v: want Revit 2016", e)
				}
				if e.Type == journal.Command {
					cmds = append(cmds, e.Name)
				}
			}
			if strings.Join(cmds, " ") != strings.Join(tc.commands, " ") {
				t.Errorf("commands %v, want %v", cmds, tc.commands)
			}
			if got := evs[0].TS.Format("2006-01-02 15:04:05"); got != tc.start {
				t.Errorf("start %s", got)
			}
			out, err := json.Marshal(evs)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{"nvo", "shl.local", "adlm-dkcph", "SHLStandard", "rac_basic_sample", "Users", `\\`, "Program Files"} {
				if strings.Contains(string(out), secret) {
					t.Errorf("%q reached the events: %s", secret, out)
				}
			}
		})
	}
}
