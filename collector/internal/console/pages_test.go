package console_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func has(body, fragment string) bool { return strings.Contains(body, fragment) }

func TestTeamPageShowsEachFindingAndGatedInsight(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	b := s.browser()
	b.signIn(s.tokens["primary"])
	resp, body := b.get("/teams/T1")
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for _, want := range []string{
		"License usage", "Product usage",
		`data-kind="under_assignment" data-subscription="S1" data-product="AutoCAD"`,
		`data-kind="under_assignment" data-subscription="S2" data-product="Revit"`,
		`data-kind="over_assignment" data-subscription="OLD" data-product="AutoCAD"`,
		`data-group="inactive_user" data-product="AutoCAD" data-count="1"`,
		`href="/teams/T1/usage?inactive=1&amp;product=AutoCAD"`,
		`data-kind="product_version" data-product="AutoCAD" data-version="2025"`,
		`data-kind="product_performance" data-product="AutoCAD" data-metric="startup"`,
		`data-kind="command_usage" data-product="AutoCAD"`,
		`data-unavailable="product_performance"`, // Revit: one user of data
		"Recompute now", "next daily run", "Assign users", "Unassign", "u3@acme.example",
		`<svg class="chart"`,
	} {
		if !has(body, want) {
			t.Errorf("team page lacks %s", want)
		}
	}
	if has(body, "No insights available") {
		t.Error("a team with findings says it has none")
	}
	// Without purchase permission the over-assignment is nowhere.
	b = s.browser()
	b.signIn(s.tokens["secondary"])
	_, body = b.get("/teams/T1")
	if has(body, "over_assignment") || has(body, "OLD") {
		t.Error("secondary admin without purchase permission sees the over-assignment")
	}
	if !has(body, `data-kind="under_assignment"`) {
		t.Error("secondary admin lost the other findings")
	}
	// sso reads, but gets no change buttons.
	b = s.browser()
	b.signIn(s.tokens["sso"])
	_, body = b.get("/teams/T1")
	if has(body, "Assign users") || has(body, ">Unassign") {
		t.Error("sso admin is offered changes they may not make")
	}
}

func TestGatedTeamsSayWhy(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	b := s.browser()
	b.signIn(s.tokens["classic"])
	_, body := b.get("/teams/T3")
	if !has(body, "No insights available") || !has(body, "classic user management") {
		t.Errorf("classic team: %s", body)
	}
	for _, k := range []string{"under_assignment", "over_assignment", "inactive_user", "product_version", "product_performance", "command_usage"} {
		if !has(body, `data-unavailable="`+k+`"`) {
			t.Errorf("classic team: %s not listed as unavailable", k)
		}
	}
	b = s.browser()
	b.signIn(s.tokens["other"])
	_, body = b.get("/teams/T2")
	for _, k := range []string{"inactive_user", "product_version"} {
		if !regexp.MustCompile(`data-unavailable="` + k + `"><h3>[^<]*</h3><p>Premium plan required</p>`).MatchString(body) {
			t.Errorf("standard team: %s not gated with its reason", k)
		}
	}
}

func TestUsageDetailsFilterSortAndCSV(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	b := s.browser()
	b.signIn(s.tokens["sso"])
	_, body := b.get("/teams/T1/usage")
	rows := regexp.MustCompile(`<tr data-user="([^"]+)" data-product="([^"]+)"[ >]`).FindAllStringSubmatch(body, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1]+"/"+r[2])
	}
	// OLD's seats are hidden with the over-assignment from an admin who
	// may not purchase: u5 holds only an OLD seat.
	want := "u10@acme.example/AutoCAD u1@acme.example/AutoCAD u2@acme.example/AutoCAD u3@acme.example/AutoCAD u4@acme.example/Revit u9@acme.example/AutoCAD"
	if strings.Join(got, " ") != want {
		t.Errorf("usage rows\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	for _, want := range []string{"Daily active users", "Versions in use · AutoCAD", "Versions in use · Revit", `<svg class="chart" id="dau"`, "60 days, ", ">ws-01</span>"} {
		if !has(body, want) {
			t.Errorf("usage page lacks %s", want)
		}
	}
	_, body = b.get("/teams/T1/usage?product=Revit")
	if n := strings.Count(body, "<tr data-user="); n != 1 || !has(body, `data-user="u4@acme.example"`) {
		t.Errorf("product filter: %d rows", n)
	}
	b = s.browser()
	b.signIn(s.tokens["primary"])
	if _, body := b.get("/teams/T1/usage?subscription=OLD"); !has(body, `data-user="u5@acme.example"`) || strings.Count(body, "<tr data-user=") != 2 {
		t.Error("an admin who may purchase sees the ended subscription's seats")
	}
	b = s.browser()
	b.signIn(s.tokens["sso"])
	_, body = b.get("/teams/T1/usage?sort=days&dir=desc")
	first := regexp.MustCompile(`<tr data-user="([^"]+)"`).FindStringSubmatch(body)
	if first == nil || first[1] != "u2@acme.example" {
		t.Errorf("sorted by days used, descending, first row %v", first)
	}
	resp, body := b.get("/teams/T1/usage.csv?subscription=S1")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][0] != "email" || recs[1][0] != "u1@acme.example" || recs[1][7] != "S1" {
		t.Errorf("csv filtered by S1: %v %v", recs, err)
	}
}

// TestAssignAndUnassignFromTheConsole: the page's own forms change the
// seats, the next read shows it and the audit log says who did it.
func TestAssignAndUnassignFromTheConsole(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	b := s.browser()
	b.signIn(s.tokens["secondary"])
	_, body := b.get("/teams/T1/assign?subscription=S1")
	// The team's people and those with no seat anywhere; u6 holds a seat
	// of another team's subscription only.
	if !has(body, `value="u7@acme.example"`) || !has(body, `value="u4@acme.example"`) || has(body, `value="u1@acme.example"`) ||
		has(body, `value="u6@acme.example"`) || !has(body, `data-free="2"`) {
		t.Fatalf("assign form lists the wrong people:\n%s", body)
	}
	_, body = b.get("/teams/T1/assign?subscription=S1&q=ALLEN")
	if !has(body, `value="u7@acme.example"`) || has(body, `value="u8@acme.example"`) || !has(body, "1 of 14 match") {
		t.Errorf("finding people by name:\n%s", body)
	}
	resp, _ := b.post("/teams/T1/assign", url.Values{"subscription": {"S1"}, "email": {"u7@acme.example"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d", resp.StatusCode)
	}
	_, body = b.get(resp.Header.Get("Location"))
	if !has(body, `data-available="1"`) || !has(body, "Assigned 1 user(s).") || !has(body, `<tr data-audit="assign">`) {
		t.Errorf("after assigning one of two free seats:\n%s", body)
	}
	// Two chosen for one free seat: the first is assigned, the second
	// refused with 409 and said so.
	b.get("/teams/T1/assign?subscription=S1")
	resp, body = b.post("/teams/T1/assign", url.Values{"subscription": {"S1"}, "email": {"u8@acme.example", "peer0@other.example"}})
	if resp.StatusCode != http.StatusConflict || !has(body, "Assigned 1 of 2") {
		t.Errorf("over the free seats: %d\n%s", resp.StatusCode, body)
	}
	_, body = b.get("/teams/T1")
	if has(body, `data-subscription="S1" data-product="AutoCAD"`) {
		t.Error("S1 is full but still under-assigned")
	}
	// The primary admin clears the over-assignment, one seat at a time.
	b = s.browser()
	b.signIn(s.tokens["primary"])
	for i, email := range []string{"u1@acme.example", "u5@acme.example"} {
		resp, _ := b.post("/teams/T1/unassign", url.Values{"subscription": {"OLD"}, "email": {email}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("unassign %s: %d", email, resp.StatusCode)
		}
		_, body = b.get("/teams/T1")
		if still := has(body, `data-kind="over_assignment"`); still != (i == 0) {
			t.Errorf("after unassigning %s the over-assignment shows: %v", email, still)
		}
	}
	if resp, body := b.post("/teams/T1/unassign", url.Values{"subscription": {"OLD"}, "email": {"u5@acme.example"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unassign twice: %d %.200s", resp.StatusCode, body)
	}
}

func TestPrimaryAdminMintsAndRevokesTokens(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	b := s.browser()
	b.signIn(s.tokens["primary"])
	b.get("/teams/T1/admins")
	resp, body := b.post("/teams/T1/admins/tokens", url.Values{"email": {"sso@acme.example"}, "days": {"7"}})
	m := regexp.MustCompile(`<code data-new-token>([^<]+)</code>`).FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("mint: %d\n%s", resp.StatusCode, body)
	}
	minted := m[1]
	other := s.browser()
	other.signIn(minted)
	if resp, body := b.post("/teams/T1/admins/tokens", url.Values{"email": {"olga@bolt.example"}, "days": {"7"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("minting for another team's admin: %d %s", resp.StatusCode, body)
	}
	if resp, _ := b.post("/teams/T1/admins/tokens", url.Values{"email": {"sso@acme.example"}, "days": {"-1"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("negative validity: %d", resp.StatusCode)
	}
	_, body = b.get("/teams/T1/admins")
	ids := regexp.MustCompile(`action="/teams/T1/admins/tokens/([0-9a-f]+)/revoke"`).FindAllStringSubmatch(body, -1)
	if len(ids) == 0 {
		t.Fatal("no revoke buttons")
	}
	who, err := s.st.AdminByToken(t.Context(), minted, s.now())
	if err != nil {
		t.Fatal(err)
	}
	newest := who.TokenID
	if resp, _ := b.post("/teams/T1/admins/tokens/"+newest+"/revoke", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, _ := other.get("/teams/T1"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the revoked token's session: %d", resp.StatusCode)
	}
	_, body = b.get("/teams/T1")
	if !has(body, `data-audit="token.mint"`) || !has(body, `data-audit="token.revoke"`) {
		t.Error("token changes missing from the audit log")
	}
}

// TestEveryFormCarriesCSRF: the contract puts a hidden csrf field in every
// form, GET filters included; a GET form's value is never the session's
// token, which would land in the URL.
func TestEveryFormCarriesCSRF(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	b := s.browser()
	_, body := b.get("/signin")
	pages := map[string]string{"/signin": body}
	b.signIn(s.tokens["primary"])
	for _, path := range []string{"/teams", "/teams/T1", "/teams/T1/usage", "/teams/T1/assign?subscription=S1", "/teams/T1/admins"} {
		_, pages[path] = b.get(path)
	}
	form := regexp.MustCompile(`(?s)<form.*?</form>`)
	for path, body := range pages {
		forms := form.FindAllString(body, -1)
		if len(forms) == 0 {
			t.Errorf("%s has no form", path)
		}
		for _, f := range forms {
			field := regexp.MustCompile(`<input type="hidden" name="csrf" value="([^"]{40,})">`).FindStringSubmatch(f)
			if field == nil {
				t.Errorf("%s: a form without its csrf field: %.200s", path, f)
				continue
			}
			if strings.Contains(f, `method="get"`) && path != "/signin" && field[1] == b.csrf {
				t.Errorf("%s: a GET form puts the session's csrf token into its URL: %.200s", path, f)
			}
		}
	}
}

// TestPricesFromTheCostPage: a primary admin who may purchase sets a
// subscription's price on the cost page; the cost follows and the audit
// log says who; nobody else may.
func TestPricesFromTheCostPage(t *testing.T) {
	s := sqliteSite(t, siteOptions{})
	b := s.browser()
	b.signIn(s.tokens["primary"])
	_, body := b.get("/teams/T1/cost")
	if !has(body, `<tr data-price="S3">`) || !has(body, `data-department="unassigned" data-subscription="S2"`) || !has(body, `name="price" inputmode="decimal" size="9" value="1800.00"`) {
		t.Fatalf("cost page of a primary admin who may purchase:\n%s", body)
	}
	resp, _ := b.post("/teams/T1/price", url.Values{"subscription": {"S3"}, "price": {"2500"}, "currency": {"eur"}, "term": {"annual"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set price: %d", resp.StatusCode)
	}
	_, body = b.get(resp.Header.Get("Location"))
	if !has(body, "Price saved.") || !regexp.MustCompile(`(?s)data-subscription="S3"><td>\(none\)</td>.*?5,000.00 EUR`).MatchString(body) {
		t.Errorf("after setting S3's price:\n%s", body)
	}
	if resp, _ := b.post("/teams/T1/price", url.Values{"subscription": {"S3"}, "price": {"12,5"}, "currency": {"EUR"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a price that is no amount: %d", resp.StatusCode)
	}
	_, body = b.get("/teams/T1")
	if !has(body, `<tr data-audit="price.set">`) {
		t.Errorf("the price change is not in the audit log")
	}
	for _, role := range []string{"secondary", "sso"} {
		b := s.browser()
		b.signIn(s.tokens[role])
		if _, body := b.get("/teams/T1/cost"); has(body, `data-price=`) {
			t.Errorf("%s sees the price forms", role)
		}
		if resp, _ := b.post("/teams/T1/price", url.Values{"subscription": {"S3"}, "price": {"1"}, "currency": {"EUR"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s sets a price: %d", role, resp.StatusCode)
		}
	}
}

// TestUsageDetailsAtSize: filters, search, pages of at most 100 rows, and
// a CSV of the whole filtered set; the inactive users' card counts the
// rows its "View all" shows.
func TestUsageDetailsAtSize(t *testing.T) {
	s := sqliteSite(t, siteOptions{users: 230})
	b := s.browser()
	b.signIn(s.tokens["primary"])
	row := regexp.MustCompile(`<tr data-user="([^"]+)" data-product="([^"]+)"( data-kind="inactive_user")?>`)
	rows := func(path string) ([][]string, string) {
		t.Helper()
		resp, body := b.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return row.FindAllStringSubmatch(body, -1), body
	}
	first, body := rows("/teams/T1/usage")
	total := regexp.MustCompile(`data-matched="(\d+)"`).FindStringSubmatch(body)
	if len(first) != 100 || total == nil || !has(body, `rel="next"`) || has(body, `rel="prev"`) {
		t.Fatalf("first page: %d rows, total %v", len(first), total)
	}
	n, _ := strconv.Atoi(total[1])
	seen := map[string]bool{}
	for page := 1; page <= (n+99)/100; page++ {
		got, _ := rows(fmt.Sprintf("/teams/T1/usage?page=%d", page))
		for _, r := range got {
			seen[r[1]+"/"+r[2]] = true
		}
	}
	if len(seen) != n || n < 230 {
		t.Errorf("pages show %d distinct rows of %d", len(seen), n)
	}
	_, team := b.get("/teams/T1")
	count := regexp.MustCompile(`data-group="inactive_user" data-product="AutoCAD" data-count="(\d+)"`).FindStringSubmatch(team)
	inactive, _ := rows("/teams/T1/usage?inactive=1&product=AutoCAD")
	if count == nil || strconv.Itoa(len(inactive)) != count[1] {
		t.Fatalf("inactive card %v, view all shows %d rows", count, len(inactive))
	}
	for _, r := range inactive {
		if r[3] == "" || r[2] != "AutoCAD" {
			t.Errorf("inactive filter shows %v", r)
		}
	}
	if got, _ := rows("/teams/T1/usage?department=Design"); len(got) != 2 || got[0][1] != "u1@acme.example" || got[1][1] != "u2@acme.example" {
		t.Errorf("department filter: %v", got)
	}
	if got, _ := rows("/teams/T1/usage?q=LOVELACE"); len(got) != 1 || got[0][1] != "u1@acme.example" {
		t.Errorf("search by name: %v", got)
	}
	resp, csvBody := b.get("/teams/T1/usage.csv?product=AutoCAD")
	recs, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if resp.StatusCode != 200 || err != nil || len(recs) < 231 {
		t.Errorf("csv of every AutoCAD row: %d rows, %v", len(recs), err)
	}
}
