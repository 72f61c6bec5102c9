package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"teamlens/shared/localclient"
	"teamlens/viewer/internal/agenttest"
)

// The file dialog itself is Fyne's; these tests start where it hands over
// the chosen file.
func TestExportToFile(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{Consent: true})
	n := a.Write(t, []agenttest.Session{{Product: "Revit", Version: "2027", Start: time.Now().Add(-3 * time.Hour),
		Minutes: 20, StartupMS: 9000, Commands: []string{"WALL", "DOOR"}}})
	a.WaitEvents(t, n)

	cases := []struct {
		name   string
		client *localclient.Client
		keep   bool
	}{
		{"agent answers", a.Client, true},
		{"agent gone", localclient.NewClient(filepath.Join(t.TempDir(), "none.sock")), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := test.NewTempApp(t)
			w := app.NewWindow("export")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			v := New(ctx, w, c.client, Options{})
			path := filepath.Join(t.TempDir(), "mine.json")
			out, err := storage.Writer(storage.NewFileURI(path))
			if err != nil {
				t.Fatal(err)
			}
			v.Do(func() { v.privacy.exportTo(out) })
			v.Wait()
			got, err := os.ReadFile(path)
			if !c.keep {
				if err == nil {
					t.Fatalf("a failed export left a file of %d bytes", len(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := a.Client.ExportTo(context.Background(), &want); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) || !bytes.Contains(got, []byte(`"WALL"`)) {
				t.Fatalf("exported file differs from the agent's export:\n%s", got)
			}
		})
	}
}
