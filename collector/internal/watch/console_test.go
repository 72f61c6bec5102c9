package watch_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"teamlens/collector/internal/store/storetest"
)

// signIn signs a browser in with an admin token.
func signIn(t *testing.T, s *site, token string) *http.Client {
	t.Helper()
	b := browser(t)
	resp, err := b.Get(s.srv.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindStringSubmatch(string(page))
	resp, err = b.PostForm(s.srv.URL+"/signin", url.Values{"csrf": {m[1]}, "token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	return b
}

func get(t *testing.T, b *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := b.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func post(t *testing.T, b *http.Client, u string, v url.Values) (int, string) {
	t.Helper()
	resp, err := b.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestNotificationsPage: a primary admin runs a dry run, turns a policy on,
// adds a webhook (its secret shown once), sees the outbox and turns the
// digest off, all through the console's forms; an sso admin sees the
// policies but no webhook or outbox and may not change them.
func TestNotificationsPage(t *testing.T) {
	s := newSite(t, storetest.SQLiteDSN(t))
	seedReclaim(t, s)
	b := signIn(t, s, s.token)
	base := s.srv.URL + "/teams/acme/notifications"
	st, page := get(t, b, base)
	if st != 200 || !strings.Contains(page, "No reclaim policy is on") {
		t.Fatalf("page: %d %s", st, page)
	}
	csrf := csrfField.FindStringSubmatch(page)[1]
	for _, form := range []string{`action="/teams/acme/notifications/reclaim"`, `action="/teams/acme/notifications/webhooks"`, `action="/teams/acme/notifications/digest"`} {
		if !strings.Contains(page, form) {
			t.Errorf("no form %s", form)
		}
	}
	st, page = get(t, b, base+"?preview=AutoCAD&inactive_days=90&notice_days=14&exclude_days=30&keep=fay@x.com")
	for _, want := range []string{`data-user="bob@x.com" data-action="notify"`, `data-user="dan@x.com" data-action="unknown"`, `data-user="fay@x.com" data-action="keep"`, "Dry run for AutoCAD (not on)"} {
		if !strings.Contains(page, want) {
			t.Errorf("dry run lacks %s", want)
		}
	}
	if st, _ := post(t, b, base+"/reclaim", url.Values{"csrf": {"wrong"}, "product": {"AutoCAD"}}); st != http.StatusForbidden {
		t.Errorf("a form without the session's csrf: %d", st)
	}
	if st, page = post(t, b, base+"/reclaim", url.Values{"csrf": {csrf}, "product": {"AutoCAD"}, "inactive_days": {"0"}}); st != http.StatusBadRequest || !strings.Contains(page, "inactive_days 0") {
		t.Errorf("a bad policy: %d", st)
	}
	if st, _ := post(t, b, base+"/reclaim", url.Values{"csrf": {csrf}, "product": {"AutoCAD"}, "inactive_days": {"60"}, "notice_days": {"7"}, "exclude_days": {"30"}, "keep": {"fay@x.com, ann@x.com"}}); st != http.StatusSeeOther {
		t.Fatalf("save policy: %d", st)
	}
	_, page = get(t, b, base+"?done=policy")
	if !strings.Contains(page, `data-policy="AutoCAD"`) || !strings.Contains(page, "ann@x.com, fay@x.com") || !strings.Contains(page, "60 days") {
		t.Errorf("policy not shown:\n%s", page)
	}
	st, page = post(t, b, base+"/webhooks", url.Values{"csrf": {csrf}, "url": {"https://example.com/hook"}, "kind": {"generic"}})
	if st != 200 || !strings.Contains(page, "data-webhook-secret>") {
		t.Errorf("add webhook: %d", st)
	}
	if err := s.watcher.Reclaim(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, page = get(t, b, base)
	if strings.Contains(page, "data-webhook-secret") || !strings.Contains(page, `data-message="reclaim.notice" data-state="pending"`) {
		t.Errorf("after a pass the page shows the secret again or no pending notice")
	}
	if st, _ := post(t, b, base+"/digest", url.Values{"csrf": {csrf}}); st != http.StatusSeeOther {
		t.Errorf("digest off: %d", st)
	}
	off, _ := s.st.DigestOff(context.Background())
	if !off["adm@x.com"] {
		t.Error("the digest is still on")
	}
	_, page = get(t, b, base)
	if !strings.Contains(page, `<tr data-recipient="adm@x.com"><td>adm@x.com</td><td>primary</td><td>yes</td><td>off</td></tr>`) {
		t.Error("the recipients do not show the admin, who may purchase, with the digest off")
	}

	sso := signIn(t, s, s.admin("sso@x.com", "sso", false))
	st, page = get(t, sso, base)
	if st != 200 || !strings.Contains(page, `data-policy="AutoCAD"`) || strings.Contains(page, "Webhooks") || strings.Contains(page, "Turn off") {
		t.Errorf("sso page: %d", st)
	}
	ssoCSRF := csrfField.FindStringSubmatch(page)[1]
	if st, _ := post(t, sso, base+"/reclaim/off", url.Values{"csrf": {ssoCSRF}, "product": {"AutoCAD"}}); st != http.StatusForbidden {
		t.Errorf("sso turning a policy off: %d, want 403", st)
	}
}
