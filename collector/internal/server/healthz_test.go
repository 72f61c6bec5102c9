package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"teamlens/collector/internal/server"
	"teamlens/collector/internal/store"
	"teamlens/collector/internal/store/storetest"
)

// TestHealthzFollowsTheDatabase: 200 while the database answers, 503 once
// it does not, so a load balancer drops the replica.
func TestHealthzFollowsTheDatabase(t *testing.T) {
	st, err := store.Open(t.Context(), storetest.SQLiteDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{Store: st}))
	defer srv.Close()
	get := func() int {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(); code != http.StatusOK {
		t.Fatalf("healthz with the database open: %d", code)
	}
	st.Close()
	if code := get(); code != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database closed: %d", code)
	}
}
