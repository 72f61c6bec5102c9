package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// view is what every page template gets: the page's own data in Page and
// what the layout shows around it.
type view struct {
	Title    string
	Email    string // signed-in admin, "" on the sign-in page
	CSRF     string // for the sign-out form and the page's POST forms
	TeamID   string // the team the page is about, for the navigation
	TeamName string
	Page     any
}

var funcs = template.FuncMap{
	"money": money,
	"list":  func(v ...string) []string { return v },
	// getCSRF is what a GET form carries in its csrf field: derived from
	// the session's token but useless in a POST, so a URL that a form
	// writes (into history, logs, a Referer) never holds the real token.
	"getCSRF": func(csrf string) string {
		sum := sha256.Sum256([]byte("get-form\x00" + csrf))
		return base64.RawURLEncoding.EncodeToString(sum[:])
	},
	"pct": func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
	"secs": func(ms float64) string {
		return strconv.FormatFloat(ms/1000, 'f', 1, 64) + " s"
	},
	"join":  strings.Join,
	"stamp": func(t time.Time) string { return t.Format("2006-01-02 15:04 MST") },
	"deref": func(p *float64) float64 { return *p },
	// when shortens an audit stamp to the minute.
	"when": func(s string) string { return strings.Replace(s[:min(len(s), 16)], "T", " ", 1) },
}

// parsePages parses each page with the layout, once.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes a page whole or, if it fails to render, an error: never
// half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v any) {
	data, ok := v.(view)
	if !ok {
		data = view{Page: v}
	}
	if data.Title == "" {
		data.Title = "Teamlens"
	}
	var buf bytes.Buffer
	if err := h.pages[page].Execute(&buf, data); err != nil {
		h.cfg.Logger.Error("console render failed", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type errorView struct {
	Status  int
	Heading string
	Message string
}

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.render(w, r, status, "error", view{Title: http.StatusText(status),
		Page: errorView{Status: status, Heading: http.StatusText(status), Message: msg}})
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.cfg.Logger.Error("console request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	h.errorPage(w, r, http.StatusInternalServerError, "Something went wrong on the server. It has been logged.")
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "There is no page here.")
}
