package localapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"teamlens/shared/config"
	"teamlens/shared/localclient"
	"teamlens/shared/wire"
)

func TestMeAndConsent(t *testing.T) {
	ctx := context.Background()
	e := start(t, userChoice)
	me, err := e.client.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.User != e.login || me.Consent || me.Policy.Analytics != "user-choice" || !me.Policy.SeatUsage {
		t.Fatalf("me = %+v", me)
	}
	insights := map[string]bool{}
	for _, p := range me.Products {
		insights[p.Name] = p.Insights
	}
	if !insights["AutoCAD"] || !insights["Revit"] || insights["Inventor"] {
		t.Errorf("insights flags = %v", insights)
	}

	for _, on := range []bool{true, false, true} {
		got, err := e.client.SetConsent(ctx, on)
		if err != nil || got != on {
			t.Fatalf("SetConsent(%v) = %v, %v", on, got, err)
		}
		stored, err := e.store.Consent(ctx, e.login)
		if err != nil || stored != on {
			t.Fatalf("store consent after SetConsent(%v) = %v, %v", on, stored, err)
		}
	}
}

func TestConsentForbiddenByPolicy(t *testing.T) {
	ctx := context.Background()
	e := start(t, config.Policy{Analytics: config.AnalyticsDisabled, SeatUsage: true})
	_, err := e.client.SetConsent(ctx, true)
	var apiErr *localclient.Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusForbidden || !localclient.IsForbidden(err) {
		t.Fatalf("opting in under a disabling policy: %v", err)
	}
	if !strings.Contains(apiErr.Message, "disabled") {
		t.Errorf("message %q does not say analytics are disabled", apiErr.Message)
	}
	if on, _ := e.store.Consent(ctx, e.login); on {
		t.Fatal("consent turned on against the policy")
	}
	if on, err := e.client.SetConsent(ctx, false); err != nil || on {
		t.Fatalf("opting out must always work: %v, %v", on, err)
	}
	me, err := e.client.Me(ctx)
	if err != nil || me.Policy.Analytics != "disabled" || me.Policy.AnalyticsAllowed() {
		t.Fatalf("me = %+v, %v", me, err)
	}
}

func TestBadRequests(t *testing.T) {
	e := start(t, userChoice)
	hc := &http.Client{Transport: transport(e.socket)}
	cases := []struct {
		method, path, body string
		want               int
	}{
		{"PUT", "/v1/consent", `{"on":"yes"}`, 400},
		{"PUT", "/v1/consent", `{}`, 400},
		{"PUT", "/v1/consent", `{"on":true,"user":"someone-else"}`, 400},
		{"PUT", "/v1/consent", strings.Repeat(" ", 5000) + `{"on":true}`, 400},
		{"GET", "/v1/days?from=yesterday", "", 400},
		{"GET", "/v1/events?limit=0", "", 400},
		{"GET", "/v1/insights/overview?days=0", "", 400},
		{"GET", "/v1/insights/overview?days=367", "", 400},
		{"GET", "/v1/insights/commands?product=Inventor", "", 404},
		{"GET", "/v1/insights/commands?product=NoSuchCAD", "", 404},
		{"GET", "/v1/benchmarks", "", 404},
		{"POST", "/v1/me", "", 405},
	}
	for _, c := range cases {
		t.Run(c.method+c.path, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, "http://agent"+c.path, strings.NewReader(c.body))
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.want)
			}
			if c.want != 405 {
				var body struct{ Error string }
				if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error == "" {
					t.Errorf("no error message: %v", err)
				}
			}
		})
	}
	if on, _ := e.store.Consent(context.Background(), e.login); on {
		t.Fatal("a rejected request changed consent")
	}
}

func TestDaysExportEventsForget(t *testing.T) {
	ctx := context.Background()
	e := start(t, userChoice)
	consentOn(t, e.store, e.login)
	commit(t, e.store, e.login, session(now.AddDate(0, 0, -1), "AutoCAD", "2027.1", 60, 4000, "LINE", "COPY"))
	commit(t, e.store, "someone-else", session(now.AddDate(0, 0, -1), "Revit", "2027", 30, 9000, "WALL"))

	days, err := e.client.Days(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 1 || days[0].User != e.login || days[0].Product != "AutoCAD" || days[0].Minutes != 60 {
		t.Fatalf("days = %+v", days)
	}
	if d, err := e.client.Days(ctx, "2026-11-20", ""); err != nil || len(d) != 0 {
		t.Fatalf("days from today = %+v, %v", d, err)
	}

	// The export is byte for byte what `agent export --user` prints.
	var got bytes.Buffer
	if err := e.client.ExportTo(ctx, &got); err != nil {
		t.Fatal(err)
	}
	want, err := e.store.Export(ctx, e.login)
	if err != nil {
		t.Fatal(err)
	}
	var wantBuf bytes.Buffer
	enc := json.NewEncoder(&wantBuf)
	enc.SetIndent("", "  ")
	enc.Encode(want)
	if got.String() != wantBuf.String() {
		t.Fatalf("export differs from the store's:\n%s\nwant\n%s", got.String(), wantBuf.String())
	}
	if strings.Contains(got.String(), "someone-else") || strings.Contains(got.String(), "WALL") {
		t.Fatal("export holds another user's data")
	}

	evs, err := e.client.Events(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if evs.Total != len(want.Events) || len(evs.Events) != 3 || !strings.Contains(string(evs.Events[0]), "session.end") {
		t.Fatalf("events total %d (want %d), %d returned, first %s", evs.Total, len(want.Events), len(evs.Events), evs.Events[0])
	}

	if err := e.client.Forget(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := e.client.Export(ctx)
	if err != nil || len(after.Events) != 0 || len(after.Days) != 0 {
		t.Fatalf("after forget: %+v, %v", after, err)
	}
	if other, _ := e.store.Export(ctx, "someone-else"); len(other.Events) == 0 || len(other.Days) == 0 {
		t.Fatal("forget deleted another user's data")
	}
}

func TestOverview(t *testing.T) {
	ctx := context.Background()
	e := start(t, userChoice)
	commit(t, e.store, e.login, session(now.AddDate(0, 0, -40), "AutoCAD", "2026.2", 30, 4000))
	commit(t, e.store, e.login, session(now.AddDate(0, 0, -2), "AutoCAD", "2027.1", 90, 4000))
	commit(t, e.store, e.login, session(now.AddDate(0, 0, -2).Add(3*time.Hour), "AutoCAD", "2027.1", 30, 4000))
	commit(t, e.store, e.login, session(now.Add(-time.Hour), "Inventor", "2027", 45, -1))

	cases := []struct {
		days                              int
		minutes, sessions, active, nProds int
		acadVersions                      []string
	}{
		{1, 45, 1, 1, 1, nil},
		{30, 165, 3, 2, 2, []string{"2027.1"}},
		{90, 195, 4, 3, 2, []string{"2026.2", "2027.1"}},
	}
	for _, c := range cases {
		ov, err := e.client.Overview(ctx, c.days)
		if err != nil {
			t.Fatal(err)
		}
		if ov.Days != c.days || ov.To != "2026-11-20" || ov.Minutes != c.minutes || ov.Sessions != c.sessions ||
			ov.ActiveDays != c.active || len(ov.Products) != c.nProds {
			t.Errorf("%d days: %+v", c.days, ov)
			continue
		}
		for _, p := range ov.Products {
			if len(p.Daily) != c.days {
				t.Errorf("%d days: %s has %d daily values", c.days, p.Name, len(p.Daily))
			}
			if p.Name == "AutoCAD" {
				if !p.Insights || !reflect.DeepEqual(p.Versions, c.acadVersions) {
					t.Errorf("%d days: AutoCAD %+v", c.days, p)
				}
				if got := p.Daily[c.days-3]; got != 120 {
					t.Errorf("%d days: AutoCAD two days ago %d minutes, want 120", c.days, got)
				}
			}
			if p.Name == "Inventor" && (p.Insights || p.Daily[c.days-1] != 45) {
				t.Errorf("%d days: Inventor %+v", c.days, p)
			}
		}
	}
}

func TestCommands(t *testing.T) {
	ctx := context.Background()
	e := start(t, userChoice)
	consentOn(t, e.store, e.login)
	// Three sessions repeat COPY then ROTATE; LINE repeats itself, which is
	// no sequence.
	for i := range 3 {
		commit(t, e.store, e.login, session(now.AddDate(0, 0, -i), "AutoCAD", "2027.1", 20, 4000,
			"LINE", "LINE", "COPY", "ROTATE", "ZOOM", "MYLISP"))
	}
	commit(t, e.store, e.login, session(now.AddDate(0, 0, -200), "AutoCAD", "2027.1", 20, 4000, "ERASE"))

	c, err := e.client.Commands(ctx, "autocad", 90)
	if err != nil {
		t.Fatal(err)
	}
	if c.Product != "AutoCAD" || c.Total != 18 {
		t.Fatalf("commands = %+v", c)
	}
	cats := map[string]int64{}
	for _, cc := range c.Categories {
		cats[cc.Category] = cc.Count
	}
	if want := map[string]int64{"Draw": 6, "Modify": 6, "View": 3, "Other": 3}; !reflect.DeepEqual(cats, want) {
		t.Errorf("categories = %v, want %v", cats, want)
	}
	if c.Top[0].Name != "COPY" && c.Top[0].Name != "LINE" || c.Top[0].Count != 6 {
		t.Errorf("top = %+v", c.Top)
	}
	var weekly int64
	for _, w := range c.Weekly {
		weekly += w.Count
	}
	if weekly != 18 || len(c.Weekly) < 13 || c.Weekly[len(c.Weekly)-1].Week != "2026-11-16" {
		t.Errorf("weekly = %+v", c.Weekly)
	}
	if len(c.Sequences) == 0 || c.Sequences[0].Count != 3 {
		t.Fatalf("sequences = %+v", c.Sequences)
	}
	found := false
	for _, s := range c.Sequences {
		if s.First == "LINE" && s.Second == "LINE" {
			t.Error("a repeated command counted as a sequence")
		}
		if s.First == "COPY" && s.Second == "ROTATE" && strings.Contains(s.Suggestion, "COPY") {
			found = true
		}
	}
	if !found {
		t.Errorf("COPY then ROTATE not suggested: %+v", c.Sequences)
	}

	// Without consent nothing of the analytics is kept: empty, not an error.
	if _, err := e.client.SetConsent(ctx, false); err != nil {
		t.Fatal(err)
	}
	c, err = e.client.Commands(ctx, "Revit", 30)
	if err != nil || c.Total != 0 || len(c.Top) != 0 || len(c.Sequences) != 0 {
		t.Fatalf("revit commands = %+v, %v", c, err)
	}
}

func TestPerformanceAndBenchmarks(t *testing.T) {
	ctx := context.Background()
	e := start(t, userChoice)
	consentOn(t, e.store, e.login)
	commit(t, e.store, e.login, session(now.AddDate(0, 0, -1), "AutoCAD", "2027.1", 20, 3000))
	commit(t, e.store, e.login, session(now.AddDate(0, 0, -3), "AutoCAD", "2027.1", 20, 5000))
	commit(t, e.store, e.login, session(now.AddDate(0, 0, -120), "AutoCAD", "2027.1", 20, 90000))

	p, err := e.client.Performance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Every product with insights (AutoCAD, FreeCAD, Revit), measured or not.
	if p.BenchmarksFetchedAt != "" || len(p.Products) != 3 {
		t.Fatalf("performance = %+v", p)
	}
	acad := p.Products[0]
	if acad.Name != "AutoCAD" || acad.Startup == nil || acad.Startup.MeanMS != 4000 || acad.Startup.Count != 2 ||
		acad.Save == nil || acad.Save.MeanMS != 400 || acad.Benchmark != nil {
		t.Fatalf("AutoCAD = %+v startup %+v", acad, acad.Startup)
	}
	if p.Products[2].Name != "Revit" || p.Products[2].Startup != nil {
		t.Fatalf("Revit = %+v", p.Products[2])
	}

	cache := localclient.BenchmarkCache{FetchedAt: "2026-11-20T10:00:00Z", Products: map[string]wire.Benchmarks{
		"AutoCAD": {Product: "AutoCAD", From: "2026-08-23", To: "2026-11-20",
			Startup: &wire.Quartiles{Users: 12, P25: 3500, P50: 4500, P75: 6000}},
	}}
	raw, _ := json.Marshal(cache)
	if err := e.store.SetMeta(ctx, "benchmarks", string(raw)); err != nil {
		t.Fatal(err)
	}
	b, err := e.client.Benchmarks(ctx)
	if err != nil || !reflect.DeepEqual(b, cache) {
		t.Fatalf("benchmarks = %+v, %v", b, err)
	}
	p, err = e.client.Performance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	acad = p.Products[0]
	if p.BenchmarksFetchedAt != cache.FetchedAt || acad.Benchmark == nil || acad.Benchmark.Startup.P50 != 4500 {
		t.Fatalf("with benchmarks: %+v", p)
	}
	if got := localclient.Standing(acad.Startup.MeanMS, acad.Benchmark.Startup); got != 2 {
		t.Errorf("standing %d, want 2", got)
	}

	// A cache that does not parse reads as no benchmarks.
	if err := e.store.SetMeta(ctx, "benchmarks", "{not json"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Benchmarks(ctx); !isStatus(err, 404) {
		t.Fatalf("broken cache: %v", err)
	}
	if p, err := e.client.Performance(ctx); err != nil || p.BenchmarksFetchedAt != "" {
		t.Fatalf("broken cache: %+v, %v", p, err)
	}
}

func isStatus(err error, status int) bool {
	var e *localclient.Error
	return errors.As(err, &e) && e.Status == status
}
