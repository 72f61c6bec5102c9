package simupload_test

import (
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"teamlens/internal/simupload"
	"teamlens/shared/wire"
)

// TestEnrollAndSend checks a simulated device speaks as the agent does:
// enrollment with the secret, the credential kept in its directory, gzip
// JSON batches with its bearer token.
func TestEnrollAndSend(t *testing.T) {
	var got wire.Batch
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/enroll", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			EnrollSecret string `json:"enroll_secret"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		if req.EnrollSecret != "s3cret" {
			http.Error(w, `{"error":"wrong secret"}`, http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"device_id":"dev1","device_token":"tok1"}`))
	})
	mux.HandleFunc("POST /v1/usage", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok1" || r.Header.Get("Content-Encoding") != "gzip" {
			http.Error(w, `{"error":"not the agent's request"}`, http.StatusBadRequest)
			return
		}
		zr, err := gzip.NewReader(r.Body)
		if err == nil {
			err = json.NewDecoder(zr).Decode(&got)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Write([]byte(`{"accepted":1}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	dir := t.TempDir()
	if _, err := simupload.Enroll(t.Context(), srv.Client(), srv.URL, "wrong", dir); err == nil {
		t.Fatal("enrolled with a wrong secret")
	}
	dev, err := simupload.Enroll(t.Context(), srv.Client(), srv.URL, "s3cret", dir)
	if err != nil {
		t.Fatal(err)
	}
	if dev.ID() != "dev1" || dev.Token() != "tok1" {
		t.Fatalf("device %q token %q", dev.ID(), dev.Token())
	}
	if _, err := os.Stat(filepath.Join(dir, "device.token")); err != nil {
		t.Fatalf("credential not kept: %v", err)
	}
	day := wire.Day{Date: "2026-11-20", User: "jdoe", Product: "AutoCAD", Version: "2027.1", Minutes: 5, Sessions: 1}
	status, body, err := dev.Send(t.Context(), []wire.Day{day})
	if err != nil || status != http.StatusOK {
		t.Fatalf("send: %d %s %v", status, body, err)
	}
	if got.Schema != wire.Schema || got.BatchID == "" || len(got.Days) != 1 || got.Days[0] != day {
		t.Fatalf("collector got %+v", got)
	}
}
