package console

import (
	"net/http"
	"strings"
	"time"

	"teamlens/collector/internal/limit"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/teams"
)

// sessionRow is one session as the sessions pages show it.
type sessionRow struct {
	Handle   string
	Email    string
	Device   string
	Address  string
	Via      string // "admin token" or "single sign-on"
	Started  time.Time
	LastSeen time.Time
	Current  bool
	End      string // the path that ends it
}

type sessionsPage struct {
	Team    string // "" for the admin's own sessions
	Rows    []sessionRow
	Message string
	// Primary lists the teams whose admins' sessions the admin may end.
	Primary []string
}

func rows(ss []store.Session, current, team string) []sessionRow {
	out := []sessionRow{}
	for _, s := range ss {
		via := "admin token"
		if s.Source == store.SourceOIDC {
			via = "single sign-on"
		}
		out = append(out, sessionRow{Handle: s.Handle, Email: s.Email, Device: Device(s.UserAgent), Address: s.Address, Via: via,
			Started: s.CreatedAt, LastSeen: s.LastSeenAt, Current: s.Handle == current, End: "/sessions/" + s.Handle + "/end"})
		if team != "" {
			out[len(out)-1].End = "/teams/" + team + out[len(out)-1].End
		}
	}
	return out
}

// sessionsShow is "Your sessions": every live session of the signed-in
// admin's email, however it was opened.
func (h *Handler) sessionsShow(w http.ResponseWriter, r *http.Request, q *request) {
	ss, err := h.cfg.Store.Sessions(r.Context(), []string{q.who.Email}, h.cfg.Now())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	var primary []string
	for _, g := range q.who.Roles {
		if g.Role == store.RolePrimary {
			primary = append(primary, g.Team)
		}
	}
	h.render(w, r, http.StatusOK, "sessions", q.view("Your sessions", teams.Team{}, sessionsPage{Rows: rows(ss, q.session.Handle, ""),
		Message: r.URL.Query().Get("ended"), Primary: primary}))
}

// sessionEnd ends one of the admin's own sessions.
func (h *Handler) sessionEnd(w http.ResponseWriter, r *http.Request, q *request) {
	handle := r.PathValue("handle")
	ss, err := h.cfg.Store.Sessions(r.Context(), []string{q.who.Email}, h.cfg.Now())
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !h.endOneOf(w, r, q, "", ss, handle) {
		return
	}
	if handle == q.session.Handle {
		h.clearCookie(w, r, sessionCookie)
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/sessions?ended=1", http.StatusSeeOther)
}

// endOneOf ends the session handle if it is one of ss, else answers 404;
// on a team's page the team's audit log records it.
func (h *Handler) endOneOf(w http.ResponseWriter, r *http.Request, q *request, team string, ss []store.Session, handle string) bool {
	for _, s := range ss {
		if s.Handle != handle {
			continue
		}
		var err error
		if team != "" {
			_, err = h.cfg.Store.EndTeamSession(r.Context(), team, handle, s.Email, q.who.Email, h.cfg.Now())
		} else {
			_, err = h.cfg.Store.EndSession(r.Context(), handle)
		}
		if err != nil {
			h.serverError(w, r, err)
			return false
		}
		h.cfg.Logger.Info("console session ended", "by", q.who.Email, "admin", s.Email, "remote", limit.Client(r))
		return true
	}
	h.errorPage(w, r, http.StatusNotFound, "There is no such session (it may have ended already).")
	return false
}

// sessionsEndAll is "sign out everywhere": every session of the email,
// this one too.
func (h *Handler) sessionsEndAll(w http.ResponseWriter, r *http.Request, q *request) {
	n, err := h.cfg.Store.EndSessionsOf(r.Context(), q.who.Email)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.cfg.Logger.Info("console: signed out everywhere", "admin", q.who.Email, "sessions", n, "remote", limit.Client(r))
	h.clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// teamSessions returns the live sessions of team's admins (by grant, or
// by a group the role map gives a role on team), if q is its primary.
func (h *Handler) teamSessions(w http.ResponseWriter, r *http.Request, q *request) (teams.Team, []store.Session, bool) {
	t, ok := h.team(w, r, q)
	if !ok {
		return t, nil, false
	}
	if g, _ := q.who.On(t.Team); g.Role != store.RolePrimary {
		h.errorPage(w, r, http.StatusForbidden, "Only a primary admin of the team sees and ends its admins' sessions.")
		return t, nil, false
	}
	grants, err := h.cfg.Store.Grants(r.Context(), "")
	if err != nil {
		h.serverError(w, r, err)
		return t, nil, false
	}
	admins := map[string]bool{}
	for _, g := range grants {
		if g.Team == t.Team {
			admins[g.Email] = true
		}
	}
	all, err := h.cfg.Store.Sessions(r.Context(), nil, h.cfg.Now())
	if err != nil {
		h.serverError(w, r, err)
		return t, nil, false
	}
	var out []store.Session
	for _, s := range all {
		in := admins[s.Email]
		for _, g := range s.GroupRoles {
			in = in || g.Team == t.Team
		}
		if in {
			out = append(out, s)
		}
	}
	return t, out, true
}

func (h *Handler) teamSessionsShow(w http.ResponseWriter, r *http.Request, q *request) {
	t, ss, ok := h.teamSessions(w, r, q)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, "sessions", q.view("Sessions of "+t.Name+"'s admins", t, sessionsPage{Team: t.Team,
		Rows: rows(ss, q.session.Handle, t.Team), Message: r.URL.Query().Get("ended")}))
}

// teamSessionEnd lets a primary admin end a session of one of the team's
// admins.
func (h *Handler) teamSessionEnd(w http.ResponseWriter, r *http.Request, q *request) {
	t, ss, ok := h.teamSessions(w, r, q)
	if !ok || !h.endOneOf(w, r, q, t.Team, ss, r.PathValue("handle")) {
		return
	}
	http.Redirect(w, r, "/teams/"+t.Team+"/sessions?ended=1", http.StatusSeeOther)
}

// Device summarizes a User-Agent as "browser on system".
func Device(ua string) string {
	if ua == "" {
		return "unknown device"
	}
	browser := "a browser"
	for _, b := range []struct{ key, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Chromium/", "Chromium"},
		{"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client", "a Go program"},
	} {
		if strings.Contains(ua, b.key) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, s := range []struct{ key, name string }{
		{"Windows", "Windows"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Mac OS X", "macOS"}, {"Android", "Android"},
		{"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, s.key) {
			system = s.name
			break
		}
	}
	if system == "" {
		return browser
	}
	return browser + " on " + system
}
