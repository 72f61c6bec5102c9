package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"teamlens/internal/testenv"
	"testing"
	"time"

	"teamlens/collector/internal/insights"
	"teamlens/collector/internal/license"
	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
	"teamlens/collector/internal/teams"
	"teamlens/shared/catalog"
	"teamlens/shared/wire"
)

var now = testenv.Epoch()

type env struct {
	t   *testing.T
	st  *store.Store
	raw *sql.DB // a second connection, to look at what was stored
	url string
}

func newEnv(t *testing.T, dsn string, maxBody int64) *env {
	t.Helper()
	st := storetest.Open(t, dsn)
	raw := storetest.Raw(t, dsn)
	srv := httptest.NewServer(server.New(server.Config{Store: st, EnrollSecret: "s3cret", MaxBody: maxBody, Now: func() time.Time { return now }}))
	t.Cleanup(srv.Close)
	return &env{t: t, st: st, raw: raw, url: srv.URL}
}

func forEngines(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) { fn(t, newEnv(t, eng.DSN(t), 0)) })
	}
}

func (e *env) do(method, path, token string, body []byte, header map[string]string) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (e *env) enroll() (id, token string) {
	e.t.Helper()
	status, body := e.do("POST", "/v1/enroll", "", []byte(`{"enroll_secret":"s3cret","hostname":"ws-01"}`), nil)
	if status != 200 {
		e.t.Fatalf("enroll: %d %s", status, body)
	}
	var r struct{ DeviceID, DeviceToken string }
	if err := json.Unmarshal(body, &struct {
		ID    *string `json:"device_id"`
		Token *string `json:"device_token"`
	}{&r.DeviceID, &r.DeviceToken}); err != nil || r.DeviceID == "" || r.DeviceToken == "" {
		e.t.Fatalf("enroll body %s: %v", body, err)
	}
	return r.DeviceID, r.DeviceToken
}

// stored returns the number of day rows, their total minutes and the
// number of commands they hold.
func (e *env) stored() (days, minutes, commands int64) {
	e.t.Helper()
	if err := e.raw.QueryRow(`SELECT COUNT(*), COALESCE(SUM(minutes), 0) FROM usage_days`).Scan(&days, &minutes); err != nil {
		e.t.Fatal(err)
	}
	// A day keeps its commands as "NAME:count" pairs separated by spaces.
	rows, err := e.raw.Query(`SELECT commands FROM usage_days WHERE commands IS NOT NULL`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			e.t.Fatal(err)
		}
		commands += int64(len(strings.Fields(c)))
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return
}

func batch(days ...wire.Day) []byte {
	b, _ := json.Marshal(wire.Batch{Schema: 1, BatchID: "b1", Days: days})
	return b
}

func day(user, date string, minutes int) wire.Day {
	return wire.Day{Date: date, User: user, Product: "AutoCAD", Version: "2027.1", Minutes: minutes, Sessions: 1,
		Analytics: &wire.Analytics{
			StartupMS: &wire.Stat{Count: 1, Sum: 3000, Min: 3000, Max: 3000},
			Commands:  map[string]*wire.Outcomes{"LINE": {Started: 3, Completed: 2}, "MOVE": {Completed: 1}},
		}}
}

func TestHealthz(t *testing.T) {
	e := newEnv(t, storetest.SQLiteDSN(t), 0)
	if status, _ := e.do("GET", "/healthz", "", nil, nil); status != 200 {
		t.Fatalf("healthz %d", status)
	}
}

func TestEnroll(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		id1, tok1 := e.enroll()
		id2, tok2 := e.enroll()
		if id1 == id2 || tok1 == tok2 {
			t.Error("two enrollments share an id or token")
		}
		var hash string
		if err := e.raw.QueryRow(`SELECT token_hash FROM devices WHERE id = ?`, id1).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(hash, tok1) || hash != store.HashToken(tok1) {
			t.Error("token is not stored hashed")
		}
		for _, tt := range []struct {
			body string
			want int
		}{
			{`{"enroll_secret":"wrong","hostname":"ws"}`, 401},
			{`{"hostname":"ws"}`, 401},
			{`{"enroll_secret":"s3cret","hostname":""}`, 400},
			{`not json`, 400},
		} {
			if status, body := e.do("POST", "/v1/enroll", "", []byte(tt.body), nil); status != tt.want || !json.Valid(body) {
				t.Errorf("enroll %s: %d %s, want %d with a JSON body", tt.body, status, body, tt.want)
			}
		}
	})
}

func TestUsageReplaceOnKey(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		_, tok := e.enroll()
		body := batch(day("jdoe", testenv.Date("2026-11-20"), 30), day(`CORP\asmith`, testenv.Date("2026-11-20"), 45))
		for i := 0; i < 2; i++ {
			status, resp := e.do("POST", "/v1/usage", tok, body, nil)
			if status != 200 || string(bytes.TrimSpace(resp)) != `{"accepted":2}` {
				t.Fatalf("upload %d: %d %s", i, status, resp)
			}
			if d, m, c := e.stored(); d != 2 || m != 75 || c != 4 {
				t.Fatalf("after upload %d: %d days, %d minutes, %d commands; want 2, 75, 4", i, d, m, c)
			}
		}
		// Today's partial day grows: the new figures replace the old, and
		// commands no longer reported go.
		grown := day("jdoe", testenv.Date("2026-11-20"), 50)
		grown.Analytics.Commands = map[string]*wire.Outcomes{"CIRCLE": {Completed: 5}}
		if status, resp := e.do("POST", "/v1/usage", tok, batch(grown), nil); status != 200 {
			t.Fatalf("%d %s", status, resp)
		}
		if d, m, c := e.stored(); d != 2 || m != 95 || c != 3 {
			t.Fatalf("after replace: %d days, %d minutes, %d commands; want 2, 95, 3", d, m, c)
		}
		// Another device's report of the same user and day is a separate row.
		_, tok2 := e.enroll()
		if status, _ := e.do("POST", "/v1/usage", tok2, batch(day("jdoe", testenv.Date("2026-11-20"), 10)), nil); status != 200 {
			t.Fatal(status)
		}
		if d, m, _ := e.stored(); d != 3 || m != 105 {
			t.Fatalf("second device: %d days, %d minutes", d, m)
		}
	})
}

func TestUsageGzip(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		_, tok := e.enroll()
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(batch(day("jdoe", testenv.Date("2026-11-26"), 30)))
		zw.Close()
		if status, resp := e.do("POST", "/v1/usage", tok, buf.Bytes(), map[string]string{"Content-Encoding": "gzip"}); status != 200 {
			t.Fatalf("%d %s", status, resp)
		}
		if d, _, _ := e.stored(); d != 1 {
			t.Fatalf("%d days stored", d)
		}
	})
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestUsageRejectsAndStoresNothing(t *testing.T) {
	good := day("jdoe", testenv.Date("2026-11-20"), 30)
	with := func(f func(*wire.Day)) wire.Day {
		d := day("asmith", testenv.Date("2026-11-21"), 30)
		f(&d)
		return d
	}
	// A batch whose inflated body is just over 1 MiB but compresses to a
	// few KiB.
	bomb := gz(append(batch(good)[:len(batch(good))-1], []byte(`,"pad":"`+strings.Repeat("A", 1<<20)+`"}`)...))
	tests := []struct {
		name    string
		token   string // "" no token, "bad" a wrong one, else the device's
		body    []byte
		header  map[string]string
		status  int
		day     *int
		message string
	}{
		{name: "no token", token: "", body: batch(good), status: 401},
		{name: "bad token", token: "bad", body: batch(good), status: 401},
		{name: "malformed json", body: []byte(`{"schema":1,"days":[`), status: 400},
		{name: "not an object", body: []byte(`[]`), status: 400},
		{name: "trailing data", body: append(batch(good), []byte(`{}`)...), status: 400},
		{name: "wrong schema", body: []byte(`{"schema":2,"batch_id":"x","days":[]}`), status: 400, message: "schema"},
		{name: "no days", body: []byte(`{"schema":1,"batch_id":"x"}`), status: 400},
		{name: "future date", body: batch(good, with(func(d *wire.Day) { d.Date = testenv.Date("2026-11-30") })), status: 400, day: ptr(1)},
		{name: "ancient date", body: batch(good, with(func(d *wire.Day) { d.Date = testenv.Date("2020-01-01") })), status: 400, day: ptr(1)},
		{name: "bad date", body: batch(good, with(func(d *wire.Day) { d.Date = "20-11-2026" })), status: 400, day: ptr(1)},
		{name: "negative minutes", body: batch(good, with(func(d *wire.Day) { d.Minutes = -1 })), status: 400, day: ptr(1)},
		{name: "too many minutes", body: batch(good, with(func(d *wire.Day) { d.Minutes = 1441 })), status: 400, day: ptr(1)},
		{name: "negative sessions", body: batch(good, with(func(d *wire.Day) { d.Sessions = -1 })), status: 400, day: ptr(1)},
		{name: "negative command count", body: batch(good, with(func(d *wire.Day) { d.Analytics.Commands["LINE"].Completed = -2 })), status: 400, day: ptr(1)},
		{name: "free text command", body: batch(good, with(func(d *wire.Day) { d.Analytics.Commands = map[string]*wire.Outcomes{"C:\\x y": {}} })), status: 400, day: ptr(1)},
		{name: "unknown product", body: batch(good, with(func(d *wire.Day) { d.Product = "Paint" })), status: 400, day: ptr(1)},
		{name: "bad user", body: batch(good, with(func(d *wire.Day) { d.User = "j doe" })), status: 400, day: ptr(1)},
		{name: "duplicate day", body: batch(good, good), status: 400, day: ptr(1)},
		{name: "too large", body: batch(good, with(func(d *wire.Day) { d.Version = strings.Repeat("9", 1<<20) })), status: 413},
		{name: "gzip bomb", body: bomb, header: map[string]string{"Content-Encoding": "gzip"}, status: 413},
		{name: "bad gzip", body: []byte("not gzip at all"), header: map[string]string{"Content-Encoding": "gzip"}, status: 400},
		{name: "unknown encoding", body: batch(good), header: map[string]string{"Content-Encoding": "br"}, status: 400},
	}
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e := newEnv(t, eng.DSN(t), 1<<20)
			_, tok := e.enroll()
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					token := tok
					switch tt.token {
					case "":
						if tt.status == 401 {
							token = ""
						}
					case "bad":
						token = "bad"
					}
					status, resp := e.do("POST", "/v1/usage", token, tt.body, tt.header)
					if status != tt.status {
						t.Fatalf("status %d %s, want %d", status, resp, tt.status)
					}
					var r struct {
						Error string `json:"error"`
						Day   *int   `json:"day"`
					}
					if err := json.Unmarshal(resp, &r); err != nil || r.Error == "" {
						t.Fatalf("body %s is not a JSON error", resp)
					}
					if (tt.day == nil) != (r.Day == nil) || (tt.day != nil && *tt.day != *r.Day) {
						t.Errorf("day = %v, want %v (%s)", r.Day, tt.day, resp)
					}
					if !strings.Contains(r.Error, tt.message) {
						t.Errorf("error %q does not mention %q", r.Error, tt.message)
					}
					if d, _, c := e.stored(); d != 0 || c != 0 {
						t.Errorf("stored %d days and %d commands of a refused batch", d, c)
					}
				})
			}
		})
	}
}

func ptr(i int) *int { return &i }

func TestRevokedDevice(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		id, tok := e.enroll()
		if status, _ := e.do("POST", "/v1/usage", tok, batch(day("jdoe", testenv.Date("2026-11-20"), 1)), nil); status != 200 {
			t.Fatal(status)
		}
		if err := e.st.Revoke(context.Background(), id, now); err != nil {
			t.Fatal(err)
		}
		if status, _ := e.do("POST", "/v1/usage", tok, batch(day("jdoe", testenv.Date("2026-11-21"), 1)), nil); status != 401 {
			t.Fatalf("revoked token got %d", status)
		}
		if status, _ := e.do("GET", "/v1/benchmarks?product=AutoCAD", tok, nil, nil); status != 401 {
			t.Fatalf("revoked token got %d on benchmarks", status)
		}
		if err := e.st.Revoke(context.Background(), "nope", now); err == nil {
			t.Error("revoking an unknown device succeeded")
		}
	})
}

// directory imports users whose logins are the given ones.
func (e *env) directory(logins ...string) {
	e.t.Helper()
	body := "email,login,name\n"
	for _, l := range logins {
		body += l + "@x.com," + l + "," + l + "\n"
	}
	parsed, err := license.Parse("users", strings.NewReader(body), catalog.Builtin())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Import(context.Background(), parsed); err != nil {
		e.t.Fatal(err)
	}
}

func TestBenchmarks(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		_, tok := e.enroll()
		startup := func(login string, date string, ms int64) wire.Day {
			d := day(login, testenv.Date(date), 10)
			d.Analytics.StartupMS = &wire.Stat{Count: 2, Sum: 2 * ms, Min: ms, Max: ms}
			return d
		}
		// The attack: one device reports four invented logins beside the
		// one real user it wants to read.
		e.directory("real")
		days := []wire.Day{startup("real", "2026-11-20", 3000)}
		for i := 1; i <= 4; i++ {
			days = append(days, startup(fmt.Sprintf("fake%d", i), "2026-11-20", int64(1000*i)))
		}
		if status, resp := e.do("POST", "/v1/usage", tok, batch(days...), nil); status != 200 {
			t.Fatal(status, string(resp))
		}
		get := func() wire.Benchmarks {
			status, body := e.do("GET", "/v1/benchmarks?product=autocad", tok, nil, nil)
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			var b wire.Benchmarks
			json.Unmarshal(body, &b)
			return b
		}
		if b := get(); b.Startup != nil || b.Save != nil || b.Product != "AutoCAD" || b.To != testenv.Date("2026-11-27") || b.From != testenv.Date("2026-08-30") {
			t.Fatalf("with one directory user and four invented logins: %+v %+v", b, b.Startup)
		}
		// Four more directory users; one day before the window is not
		// counted. Linear interpolation over five users would publish
		// 1200, 3000 and 7000: three people's own means.
		e.directory("u0", "u1", "u2", "u3")
		days = days[:0]
		for i, ms := range []int64{1000, 1200, 7000, 9000} {
			days = append(days, startup(fmt.Sprintf("U%d", i), "2026-11-20", ms))
		}
		days = append(days, startup("u0", "2026-08-29", 900000))
		if status, resp := e.do("POST", "/v1/usage", tok, batch(days...), nil); status != 200 {
			t.Fatal(status, string(resp))
		}
		if b := get(); b.Startup == nil || *b.Startup != (wire.Quartiles{Users: 5, P25: 1733, P50: 3733, P75: 6333}) || b.Save != nil {
			t.Fatalf("with 5 users: %+v %+v", b, b.Startup)
		}
		if status, _ := e.do("GET", "/v1/benchmarks?product=Paint", tok, nil, nil); status != 400 {
			t.Errorf("unknown product: %d", status)
		}
		if status, _ := e.do("GET", "/v1/benchmarks?product=AutoCAD", "", nil, nil); status != 401 {
			t.Errorf("no token: %d", status)
		}
	})
}

// seedTeams imports two teams and their people, and computes a snapshot.
func seedTeams(t *testing.T, e *env) map[string]string {
	t.Helper()
	ctx := context.Background()
	for _, f := range []struct{ kind, body string }{
		{"teams", "team,name,plan,user_management\nT1,One,premium,named\nT2,Two,premium,named\n"},
		{"users", "email,login,name\njdoe@x.com,jdoe,J\n"},
		{"subscriptions", "subscription,team,product,type,seats,channel,start,end\n" +
			testenv.Dates("S1,T1,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\n") +
			testenv.Dates("OLD,T1,AutoCAD,single-user,3,online,2025-01-01,2025-12-31\n") +
			testenv.Dates("S2,T2,AutoCAD,single-user,3,online,2026-01-01,2026-12-31\n")},
		{"assignments", testenv.Dates("subscription,email,assigned_on\nS1,jdoe@x.com,2026-01-02\nOLD,jdoe@x.com,2025-01-02\n")},
	} {
		parsed, err := license.Parse(f.kind, strings.NewReader(f.body), catalog.Builtin())
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.Import(ctx, parsed); err != nil {
			t.Fatal(err)
		}
	}
	_, tok := e.enroll()
	if status, resp := e.do("POST", "/v1/usage", tok, batch(day("JDOE", testenv.Date("2026-11-20"), 30)), nil); status != 200 {
		t.Fatal(status, string(resp))
	}
	for _, asOf := range []string{testenv.Date("2026-11-25"), testenv.Date("2026-11-26")} {
		if _, err := insights.Run(ctx, e.st, catalog.Builtin(), asOf, now); err != nil {
			t.Fatal(err)
		}
	}
	tokens := map[string]string{}
	for name, a := range map[string]store.Grant{
		"primary":   {Team: "T1", Email: "p@x.com", Role: "primary", CanPurchase: true},
		"secondary": {Team: "T1", Email: "s@x.com", Role: "secondary"},
		"sso":       {Team: "T1", Email: "o@x.com", Role: "sso"},
		"user":      {Team: "T1", Email: "u@x.com", Role: "user"},
		"other":     {Team: "T2", Email: "p@y.com", Role: "primary", CanPurchase: true},
	} {
		tok, err := e.st.CreateAdmin(ctx, a, time.Time{}, now)
		if err != nil {
			t.Fatal(err)
		}
		tokens[name] = tok
	}
	return tokens
}

func TestInsightsAccess(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tokens := seedTeams(t, e)
		tests := []struct {
			name, token, path string
			status            int
		}{
			{"primary", tokens["primary"], "/v1/teams/T1/insights", 200},
			{"secondary", tokens["secondary"], "/v1/teams/T1/insights", 200},
			{"sso", tokens["sso"], "/v1/teams/T1/insights", 200},
			{"user role", tokens["user"], "/v1/teams/T1/insights", 403},
			{"other team", tokens["other"], "/v1/teams/T1/insights", 403},
			{"no token", "", "/v1/teams/T1/insights", 401},
			{"bad token", "nope", "/v1/teams/T1/insights", 401},
			{"device token", "", "/v1/teams/T1/insights", 401},
			{"computed on demand", tokens["other"], testenv.Dates("/v1/teams/T2/insights?as_of=2026-01-01"), 200},
			{"future day", tokens["other"], testenv.Dates("/v1/teams/T2/insights?as_of=2026-12-31"), 400},
			{"bad as_of", tokens["primary"], "/v1/teams/T1/insights?as_of=yesterday", 400},
			{"csv user role", tokens["user"], "/v1/teams/T1/insights.csv", 403},
			{"csv other team", tokens["other"], "/v1/teams/T1/insights.csv", 403},
			{"csv no token", "", "/v1/teams/T1/insights.csv", 401},
			{"usage csv user role", tokens["user"], "/v1/teams/T1/usage.csv", 403},
			{"team", tokens["secondary"], "/v1/teams/T1", 200},
			{"team other", tokens["other"], "/v1/teams/T1", 403},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, body := e.do("GET", tt.path, tt.token, nil, nil)
				if status != tt.status {
					t.Fatalf("%d %s, want %d", status, body, tt.status)
				}
				if status != 200 && !json.Valid(body) {
					t.Errorf("error body is not JSON: %s", body)
				}
			})
		}
	})
}

func TestInsightsSnapshotSelectionAndPurchaseFilter(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tokens := seedTeams(t, e)
		// The kinds are read from the raw JSON: the contract, not the Go type.
		type read struct {
			Team     string `json:"team"`
			AsOf     string `json:"as_of"`
			Insights []struct {
				Kind string `json:"kind"`
			} `json:"insights"`
		}
		get := func(token, query string) read {
			t.Helper()
			status, body := e.do("GET", "/v1/teams/T1/insights"+query, token, nil, nil)
			if status != 200 {
				t.Fatalf("%d %s", status, body)
			}
			var s read
			if err := json.Unmarshal(body, &s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		if s := get(tokens["primary"], ""); s.AsOf != testenv.Date("2026-11-26") || s.Team != "T1" {
			t.Errorf("latest snapshot: %+v", s)
		}
		if s := get(tokens["primary"], testenv.Dates("?as_of=2026-11-25")); s.AsOf != testenv.Date("2026-11-25") {
			t.Errorf("as_of snapshot: %+v", s)
		}
		has := func(s read, kind string) bool {
			for _, k := range s.Insights {
				if k.Kind == kind {
					return true
				}
			}
			return false
		}
		if s := get(tokens["primary"], ""); !has(s, "over_assignment") || !has(s, "under_assignment") {
			t.Errorf("purchasing admin: %v", s.Insights)
		}
		if s := get(tokens["secondary"], ""); has(s, "over_assignment") || !has(s, "under_assignment") {
			t.Errorf("admin without purchase permission: %v", s.Insights)
		}
	})
}

func TestCSVExports(t *testing.T) {
	forEngines(t, func(t *testing.T, e *env) {
		tokens := seedTeams(t, e)
		read := func(path, token string) [][]string {
			t.Helper()
			status, body := e.do("GET", path, token, nil, nil)
			if status != 200 {
				t.Fatalf("%s: %d %s", path, status, body)
			}
			rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			return rows
		}
		rows := read("/v1/teams/T1/insights.csv", tokens["primary"])
		if strings.Join(rows[0], ",") != strings.Join(insights.CSVHeader(), ",") {
			t.Fatalf("header %v", rows[0])
		}
		col := map[string]int{}
		for i, c := range rows[0] {
			col[c] = i
		}
		kinds := map[string][]string{}
		for _, r := range rows[1:] {
			kinds[r[col["kind"]]] = r
		}
		if r := kinds["under_assignment"]; r == nil || r[col["subscription"]] != "S1" || r[col["seats"]] != "3" || r[col["assigned"]] != "1" || r[col["available"]] != "2" {
			t.Errorf("under_assignment row %v", r)
		}
		if r := kinds["over_assignment"]; r == nil || r[col["ended_on"]] != testenv.Date("2025-12-31") || r[col["users"]] != "jdoe@x.com" {
			t.Errorf("over_assignment row %v", r)
		}
		// T1 has one user with data: fewer than a team's figures need.
		if r := kinds["command_usage"]; r != nil {
			t.Errorf("a team of one exports its user's commands: %v", r)
		}
		for _, r := range read("/v1/teams/T1/insights.csv", tokens["secondary"])[1:] {
			if r[col["kind"]] == "over_assignment" {
				t.Error("over_assignment exported to an admin without purchase permission")
			}
		}
		usage := read(testenv.Dates("/v1/teams/T1/usage.csv?as_of=2026-11-26"), tokens["primary"])
		var device string
		if err := e.raw.QueryRow(`SELECT id FROM devices`).Scan(&device); err != nil {
			t.Fatal(err)
		}
		want := [][]string{teams.UsageCSVHeader(), {"jdoe@x.com", "jdoe", "AutoCAD", "1", testenv.Date("2026-11-20"), "2027.1", testenv.Date("2025-01-02"), "OLD;S1", "ws-01 (" + device + ")"}}
		if fmt.Sprint(usage) != fmt.Sprint(want) {
			t.Errorf("usage.csv = %v, want %v", usage, want)
		}
	})
}
