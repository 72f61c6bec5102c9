package revitjournal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"teamlens/agent/internal/revitjournal"
	"teamlens/agent/internal/store"
	"teamlens/shared/journal"
)

// The journals' own dates are 2016: the tests' clock is theirs.
var journalsNow = time.Date(2016, 10, 29, 12, 0, 0, 0, time.UTC)

func copenhagen(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Skipf("no zone database: %v", err) // Go embeds none without time/tzdata
	}
	return loc
}

type rig struct {
	dir, data string
	st        *store.Store
	user      string
	now       time.Time
	running   map[string][]time.Time
	known     bool
	loc       *time.Location
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{dir: filepath.Join(t.TempDir(), "Journals"), data: t.TempDir(), now: journalsNow, loc: copenhagen(t)}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	r.user = me.Username
	r.open(t)
	if err := r.st.SetConsent(context.Background(), r.user, true); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) open(t *testing.T) {
	t.Helper()
	st, err := store.Open(context.Background(), r.data, store.Options{Location: r.loc, Now: func() time.Time { return r.now }})
	if err != nil {
		t.Fatal(err)
	}
	r.st = st
	t.Cleanup(func() { st.Close() })
}

func (r *rig) reader() *revitjournal.Reader {
	return &revitjournal.Reader{
		Dirs:      []string{r.dir},
		Store:     r.st,
		Sanitizer: journal.Sanitizer{Now: func() time.Time { return r.now }, MaxAge: 365 * 24 * time.Hour, MaxAhead: 24 * time.Hour},
		Loc:       r.loc,
		Now:       func() time.Time { return r.now },
		Running:   func() (map[string][]time.Time, bool) { return r.running, r.known },
	}
}

func (r *rig) events(t *testing.T) []journal.Event {
	t.Helper()
	x, err := r.st.Export(context.Background(), r.user)
	if err != nil {
		t.Fatal(err)
	}
	var out []journal.Event
	for _, raw := range x.Events {
		// Export leaves out the line's "v".
		e, err := (journal.Sanitizer{}).Sanitize(append([]byte(`{"v":1,`), raw[1:]...))
		if err != nil {
			t.Fatalf("stored event %s: %v", raw, err)
		}
		out = append(out, e)
	}
	return out
}

func lines(evs []journal.Event) string {
	var b strings.Builder
	for _, e := range evs {
		l, _ := e.Line()
		b.Write(l)
	}
	return b.String()
}

// TestReaderRealJournalIncrementally feeds a real journal to the folder as
// Revit writes it, in pieces that cut lines in half, with the agent
// restarting in the middle: the events stored are exactly those of the
// whole journal read at once, each once.
func TestReaderRealJournalIncrementally(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile("testdata/journal.0002.txt")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t)
	whole, err := revitjournal.ReadAll(bytes.NewReader(data), &revitjournal.Parser{Session: "rvt-1", Loc: r.loc}, map[string]int{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(r.dir, "journal.0002.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := r.reader()
	cuts := []int{0, 1000, len(data) / 3, len(data)/2 + 7, len(data) - 5, len(data)}
	for i := 1; i < len(cuts); i++ {
		if _, err := f.Write(data[cuts[i-1]:cuts[i]]); err != nil {
			t.Fatal(err)
		}
		if i == 3 { // the agent restarts: a new reader and store
			r.st.Close()
			r.open(t)
			rd = r.reader()
		}
		if rd.Poll(ctx) {
			t.Fatal("poll failed")
		}
	}
	got := r.events(t)
	if len(got) != len(whole) {
		t.Fatalf("stored %d events, the journal has %d:\n%s", len(got), len(whole), lines(got))
	}
	for i := range got {
		if got[i].Type != whole[i].Type || got[i].Name != whole[i].Name || !got[i].TS.Equal(whole[i].TS) {
			t.Errorf("event %d: %+v, want %+v", i, got[i], whole[i])
		}
	}
	// Polling again reads nothing new.
	rd.Poll(ctx)
	if n := len(r.events(t)); n != len(whole) {
		t.Errorf("%d events after another poll, want %d", n, len(whole))
	}
	files, err := r.st.Files(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != revitjournal.Key(path) || !strings.HasPrefix(files[0].Path, "sha256:") {
		t.Fatalf("positions %+v: want the journal's, keyed by a hash", files)
	}
	// Revit deletes its old journals: the position goes with the file.
	f.Close()
	os.Remove(path)
	rd.Poll(ctx)
	if files, _ := r.st.Files(ctx); len(files) != 0 {
		t.Errorf("positions %+v left of a deleted journal", files)
	}
	if n := len(r.events(t)); n != len(whole) {
		t.Errorf("%d events after the journal went, want %d", n, len(whole))
	}
}

// TestLocalTime: the journal's 14:35:11 is Copenhagen's summer time, the
// workstation's zone, which is 12:35:11 UTC.
func TestLocalTime(t *testing.T) {
	loc := copenhagen(t)
	f, err := os.Open("testdata/journal.0002.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	evs, err := revitjournal.ReadAll(f, &revitjournal.Parser{Session: "rvt-1", Loc: loc}, map[string]int{})
	if err != nil {
		t.Fatal(err)
	}
	if got := evs[0].TS.UTC().Format(time.RFC3339); got != "2016-10-27T12:35:11Z" {
		t.Errorf("session start %s UTC, want 2016-10-27T12:35:11Z", got)
	}
}

// TestSessionEndsWhenRevitIsGone: a journal cut off before "finished
// recording" (Revit still running) stays open while the process that
// wrote it runs, and ends when it is gone.
func TestSessionEndsWhenRevitIsGone(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile("testdata/journal.0001.txt")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("finished recording journal file"))
	i = bytes.LastIndexByte(data[:i], '\n') + 1
	r := newRig(t)
	path := filepath.Join(r.dir, "journal.0001.txt")
	if err := os.WriteFile(path, data[:i], 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2016, 10, 28, 15, 16, 45, 0, r.loc)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	started := time.Date(2016, 10, 28, 15, 14, 27, 0, r.loc) // the process, a second before its journal
	r.now = time.Date(2016, 10, 28, 16, 0, 0, 0, r.loc)
	rd := r.reader()
	rd.Poll(ctx) // no process scan yet: nothing can be told
	r.known = true
	r.running = map[string][]time.Time{r.user: {started.Add(-time.Hour)}} // another Revit, started long before
	r.now = r.now.Add(time.Minute)
	r.running[r.user] = append(r.running[r.user], started)
	rd.Poll(ctx)
	if ended(r.events(t)) {
		t.Fatal("session ended while its Revit runs")
	}
	r.now = r.now.Add(10 * time.Minute)
	r.running = map[string][]time.Time{r.user: {started.Add(-time.Hour)}}
	rd.Poll(ctx)
	evs := r.events(t)
	if !ended(evs) {
		t.Fatalf("Revit gone, the session did not end:\n%s", lines(evs))
	}
	if last := evs[len(evs)-1]; !last.TS.Equal(time.Date(2016, 10, 28, 16, 1, 0, 0, r.loc)) {
		t.Errorf("ended at %s, want when Revit was last seen (16:01)", last.TS.In(r.loc))
	}
	x, err := r.st.Export(ctx, r.user)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Days) != 1 || x.Days[0].Sessions != 1 || x.Days[0].Minutes < 46 {
		t.Errorf("days %+v: want one session of 15:14 to 16:01", x.Days)
	}
	// A restarted agent knows it ended.
	r.st.Close()
	r.open(t)
	rd = r.reader()
	r.known = true
	rd.Poll(ctx)
	if n := strings.Count(lines(r.events(t)), "session.end"); n != 1 {
		t.Errorf("%d session ends after a restart, want 1", n)
	}
}

func ended(evs []journal.Event) bool {
	return len(evs) > 0 && evs[len(evs)-1].Type == journal.SessionEnd
}

// TestPrivacyOfRealJournals reads both real journals through the reader
// into a real database and looks for the text they hold in every file of
// the data directory: none of it may be there.
func TestPrivacyOfRealJournals(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	// journal.0001 is read with every event out of date (rejects are
	// logged), journal.0002 is stored.
	var logs bytes.Buffer
	other := filepath.Join(t.TempDir(), "Journals")
	for dir, name := range map[string]string{other: "journal.0001.txt", r.dir: "journal.0002.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		rd := r.reader()
		rd.Dirs = []string{dir}
		rd.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if dir == other {
			rd.Sanitizer.MaxAge = time.Hour
		}
		rd.Poll(ctx)
	}
	if len(r.events(t)) == 0 {
		t.Fatal("no events stored")
	}
	if !strings.Contains(logs.String(), "rejected") {
		t.Fatalf("no reject logged: %s", logs.String())
	}
	r.st.Close()
	var blob []byte
	entries, _ := os.ReadDir(r.data)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(r.data, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		blob = append(blob, b...)
	}
	blob = append(blob, logs.Bytes()...)
	for _, secret := range Secrets {
		if bytes.Contains(blob, []byte(secret)) {
			t.Errorf("%q is in the data directory or the log", secret)
		}
	}
	if len(blob) < 4096 {
		t.Fatalf("data directory nearly empty (%d bytes): the check would prove nothing", len(blob))
	}
}

// Secrets are strings of the real journals that must never come out:
// the username, the journal's own path, UNC paths and server names,
// license servers, project and template file names, dialog text.
var Secrets = []string{"nvo", `C:\Users`, "AppData", "shl.local", `\\shl`, "adlm-dkcph", "adlm-dkarh", "SHLStandard",
	"rac_basic_sample_project", "SHL Project Template", "WRK-308", "Program Files", "Sheet: A001", "Title Sheet",
	"Navisworks", "journal.0001", "journal.0002"}

func TestSecretsAreInTheJournals(t *testing.T) {
	var all []byte
	for _, name := range []string{"journal.0001.txt", "journal.0002.txt"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	for _, s := range Secrets {
		if s == "journal.0001" || s == "journal.0002" {
			continue // the file names themselves
		}
		if !bytes.Contains(all, []byte(s)) {
			t.Errorf("%q is not in the journals: the privacy test would not test it", s)
		}
	}
}

// TestSaveAndSize: a save's duration runs from the command to Revit being
// idle again, and the size is the document's, read from its path; the
// lines are in the shape of the real journals (see testdata).
func TestSaveAndSize(t *testing.T) {
	data, err := os.ReadFile("testdata/journal.0002.txt")
	if err != nil {
		t.Fatal(err)
	}
	// Before Revit quits, the user saves the project.
	i := bytes.Index(data, []byte(` Jrn.Command "SystemMenu" , "Quit the application`))
	save := "'E 27-Oct-2016 14:39:50.000;   0:< \r\n" +
		" Jrn.Command \"Ribbon\" , \"Save the active project , ID_REVIT_FILE_SAVE\"\r\n" +
		"' 2:< File: Save \r\n" +
		"'C 27-Oct-2016 14:39:52.250;   0:< idle0_doc \r\n"
	journalText := append(append(append([]byte{}, data[:i]...), save...), data[i:]...)
	var asked []string
	p := &revitjournal.Parser{Session: "rvt-1", Loc: time.UTC, Size: func(path string) (int64, bool) {
		asked = append(asked, path)
		return 1234567, true
	}}
	evs, err := revitjournal.ReadAll(bytes.NewReader(journalText), p, map[string]int{})
	if err != nil {
		t.Fatal(err)
	}
	var open, saved *journal.Event
	for i := range evs {
		switch evs[i].Type {
		case journal.DocumentOpen:
			open = &evs[i]
		case journal.DocumentSave:
			saved = &evs[i]
		}
	}
	if open == nil || open.DurationMS != 6150 || open.SizeBytes != 1234567 {
		t.Errorf("open %+v: want Revit's own 6.150481 s and the file's size", open)
	}
	if saved == nil || saved.DurationMS != 2250 || saved.SizeBytes != 1234567 {
		t.Errorf("save %+v: want 2250 ms and the file's size", saved)
	}
	if len(asked) != 2 || !strings.HasSuffix(asked[0], `rac_basic_sample_project.rvt`) || asked[1] != asked[0] {
		t.Errorf("sizes asked of %q, want the opened project twice", asked)
	}
	out, _ := json.Marshal(evs)
	if bytes.Contains(out, []byte("rac_basic")) {
		t.Error("the file name reached the events")
	}
}

// TestRevitGoneWhileStarting: a Revit that dies before it was ready still
// had a session, which ends.
func TestRevitGoneWhileStarting(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile("testdata/journal.0002.txt")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("appPriv idle"))
	i = bytes.LastIndexByte(data[:i], '\n') + 1
	r := newRig(t)
	path := filepath.Join(r.dir, "journal.0002.txt")
	if err := os.WriteFile(path, data[:i], 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2016, 10, 27, 14, 35, 24, 0, r.loc)
	os.Chtimes(path, mtime, mtime)
	r.now, r.known = time.Date(2016, 10, 27, 14, 36, 0, 0, r.loc), true
	r.running = map[string][]time.Time{r.user: {time.Date(2016, 10, 27, 14, 35, 10, 0, r.loc)}}
	rd := r.reader()
	rd.Poll(ctx)
	if evs := r.events(t); len(evs) != 0 {
		t.Fatalf("events before Revit was ready: %s", lines(evs))
	}
	r.running, r.now = nil, r.now.Add(time.Minute)
	rd.Poll(ctx)
	evs := r.events(t)
	// The command Revit ran while starting waited for the start; the end
	// is when Revit was last seen.
	if got := lines(evs); len(evs) != 3 || evs[0].Type != journal.SessionStart || evs[0].StartupMS != nil ||
		evs[1].Name != "ID_STARTUP_PAGE" || evs[2].Type != journal.SessionEnd || !evs[2].TS.Equal(time.Date(2016, 10, 27, 14, 36, 0, 0, r.loc)) {
		t.Fatalf("want a start without startup time, the command, an end at 14:36, got %s", got)
	}
}

// TestForgetKeepsJournalsRead: forget deletes the user's events but not
// Revit's journals, and the journals are not read again.
func TestForgetKeepsJournalsRead(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	b, err := os.ReadFile("testdata/journal.0001.txt")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(r.dir, "journal.0001.txt")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rd := r.reader()
	rd.Poll(ctx)
	if len(r.events(t)) == 0 {
		t.Fatal("nothing read")
	}
	if err := r.st.Forget(ctx, r.user); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("forget deleted Revit's journal: %v", err)
	}
	files, _ := r.st.Files(ctx)
	if len(files) != 1 || files[0].User != "" {
		t.Fatalf("positions %+v: want the journal's, naming no user", files)
	}
	for _, rd := range []*revitjournal.Reader{rd, r.reader()} { // running on, and after a restart
		rd.Poll(ctx)
		if n := len(r.events(t)); n != 0 {
			t.Fatalf("%d events after forget: the journal was read again", n)
		}
	}
}
