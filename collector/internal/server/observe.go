package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"teamlens/collector/internal/metrics"
)

// observe wraps the route table (the mux itself, so that it sees the
// matched pattern): it counts every request by route pattern
// and status in m (when not nil), and logs one line per upload (device,
// days, status, ms) and per refused request (status >= 400, with the
// reason the client was given). The reason is the "error" of the JSON body,
// which handlers write from fixed messages: never a token or a secret.
func observe(next http.Handler, m *metrics.Metrics, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		note := &requestNote{}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		inner := r.WithContext(context.WithValue(r.Context(), noteKey{}, note))
		// The server removes the temporary files of the request it made, not
		// of this copy: whatever a handler parsed into files goes here.
		defer func() {
			if inner.MultipartForm != nil {
				inner.MultipartForm.RemoveAll()
			}
		}()
		next.ServeHTTP(rec, inner)
		took := time.Since(start)
		// The mux sets the matched pattern on the request it is given; a
		// pattern, unlike a path, keeps the label set small.
		route := inner.Pattern
		if route == "" {
			route = "unmatched"
		}
		if m != nil {
			m.Requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
			m.RequestDuration.WithLabelValues(route).Observe(took.Seconds())
			if note.upload && rec.status == http.StatusOK {
				m.UploadDays.Add(float64(note.days))
				m.UploadBatchDays.Observe(float64(note.days))
			}
		}
		ms := took.Milliseconds()
		switch {
		case note.upload:
			attrs := []any{"device", note.device, "days", note.days, "status", rec.status, "ms", ms}
			if rec.status >= 400 {
				attrs = append(attrs, "reason", rec.reason())
			}
			logger.Info("upload", attrs...)
		case rec.status >= 400:
			logger.Info("request refused", "method", r.Method, "route", route, "status", rec.status,
				"reason", rec.reason(), "remote", r.RemoteAddr, "ms", ms)
		}
	})
}

type noteKey struct{}

// requestNote carries what handlers know of a request back to observe.
type requestNote struct {
	upload bool
	device string
	days   int
}

// noteUpload records the device of an upload and, once decoded, its days.
func noteUpload(r *http.Request, device string, days int) {
	if n, ok := r.Context().Value(noteKey{}).(*requestNote); ok {
		n.upload, n.device, n.days = true, device, days
	}
}

// recorder keeps the status and, for an error, the start of the body.
type recorder struct {
	http.ResponseWriter
	status  int
	written bool
	body    bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	if !r.written {
		r.status, r.written = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.written = true
	if r.status >= 400 && r.body.Len() < 512 {
		r.body.Write(b[:min(len(b), 512-r.body.Len())])
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) reason() string {
	var b struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(r.body.Bytes(), &b) == nil && b.Error != "" {
		return b.Error
	}
	return http.StatusText(r.status)
}
