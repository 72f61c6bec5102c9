package proxy_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"teamlens/collector/internal/proxy"
)

// seen serves what the handler behind the proxy check was told.
func seen(t *testing.T, trusted []string, remote string, headers map[string]string) string {
	t.Helper()
	tr, err := proxy.Parse(trusted)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	h := tr.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = fmt.Sprintf("%s https=%v xff=%q", r.RemoteAddr, proxy.HTTPS(r), r.Header.Get("X-Forwarded-For"))
	}))
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = remote
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	h.ServeHTTP(httptest.NewRecorder(), r)
	return got
}

func TestForwardedHeadersBelievedOnlyFromTrustedProxies(t *testing.T) {
	fwd := map[string]string{"X-Forwarded-For": "203.0.113.9, 10.0.0.7", "X-Forwarded-Proto": "https"}
	for _, tc := range []struct {
		name    string
		trusted []string
		remote  string
		h       map[string]string
		want    string
	}{
		{"no proxy trusted", nil, "10.0.0.5:4000", fwd, `10.0.0.5:4000 https=false xff=""`},
		{"peer outside the trusted range", []string{"10.1.0.0/16"}, "10.0.0.5:4000", fwd, `10.0.0.5:4000 https=false xff=""`},
		// 10.0.0.7 is a trusted hop too; the client is the first untrusted one from the right.
		{"trusted proxy", []string{"10.0.0.0/24"}, "10.0.0.5:4000", fwd, `203.0.113.9:0 https=true xff="203.0.113.9, 10.0.0.7"`},
		{"a forged left part is not believed", []string{"10.0.0.5"}, "10.0.0.5:4000",
			map[string]string{"X-Forwarded-For": "1.1.1.1, 198.51.100.4"}, `198.51.100.4:0 https=false xff="1.1.1.1, 198.51.100.4"`},
		{"http from the proxy", []string{"10.0.0.5/32"}, "10.0.0.5:4000",
			map[string]string{"X-Forwarded-For": "198.51.100.4", "X-Forwarded-Proto": "http"}, `198.51.100.4:0 https=false xff="198.51.100.4"`},
		{"IPv6 proxy", []string{"fd00::/8"}, "[fd00::1]:4000",
			map[string]string{"X-Forwarded-For": "2001:db8::5"}, `[2001:db8::5]:0 https=false xff="2001:db8::5"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := seen(t, tc.trusted, tc.remote, tc.h); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseRefusesNonsense(t *testing.T) {
	for _, v := range []string{"", "10.0.0.0/33", "proxy.example", "10.0.0"} {
		if _, err := proxy.Parse([]string{v}); err == nil {
			t.Errorf("Parse(%q) accepted", v)
		}
	}
}
