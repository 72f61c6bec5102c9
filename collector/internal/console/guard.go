package console

import (
	"errors"
	"mime"
	"net/http"
	"sync"
)

// MaxFormBytes bounds a console form's body: the largest, assigning a
// page of users, is a few kilobytes.
const MaxFormBytes = 64 << 10

// formGuard parses a request's form itself, before any handler can: only
// application/x-www-form-urlencoded within MaxFormBytes, read into memory.
// A multipart body is refused unread, so no request of the console ever
// spools a file to disk. It reports whether the request may go on.
func (h *Handler) formGuard(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" && r.ContentLength == 0 {
		r.PostForm = map[string][]string{}
		r.Form = r.URL.Query()
		return true
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
		h.errorPage(w, r, http.StatusUnsupportedMediaType, "Console forms are sent as application/x-www-form-urlencoded.")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.errorPage(w, r, http.StatusRequestEntityTooLarge, "The form is too large.")
			return false
		}
		h.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return false
	}
	return true
}

// inflight bounds the requests one client address has in progress at
// once, so one client cannot hold every worker or every database
// connection.
type inflight struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

func (f *inflight) acquire(addr string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[addr] >= f.max {
		return false
	}
	f.n[addr]++
	return true
}

func (f *inflight) release(addr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[addr]--; f.n[addr] <= 0 {
		delete(f.n, addr)
	}
}
