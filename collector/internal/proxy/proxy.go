// Package proxy decides when a request's X-Forwarded-For and
// X-Forwarded-Proto headers are believed: only when it comes from a
// trusted proxy (collector serve --trusted-proxy CIDR). Otherwise they are
// removed, so nothing downstream can read them by mistake.
package proxy

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Trusted is the networks whose requests' forwarding headers are believed.
type Trusted []netip.Prefix

// Parse reads --trusted-proxy values: CIDRs, or single addresses.
func Parse(cidrs []string) (Trusted, error) {
	var t Trusted
	for _, c := range cidrs {
		c = strings.TrimSpace(c)
		p, err := netip.ParsePrefix(c)
		if err != nil {
			a, aerr := netip.ParseAddr(c)
			if aerr != nil {
				return nil, fmt.Errorf("--trusted-proxy %q is not a CIDR (10.0.0.0/8) or an address", c)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		t = append(t, p.Masked())
	}
	return t, nil
}

func (t Trusted) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

type httpsKey struct{}

// HTTPS reports whether the client reached us over HTTPS: TLS on our own
// listener, or X-Forwarded-Proto: https from a trusted proxy.
func HTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	v, _ := r.Context().Value(httpsKey{}).(bool)
	return v
}

// Handler rewrites a request from a trusted proxy so that RemoteAddr is
// the client's address (the right-most address of X-Forwarded-For that is
// not a trusted proxy) and HTTPS reports the forwarded scheme. Any other
// request loses its X-Forwarded-* headers.
func (t Trusted) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		peer, perr := netip.ParseAddr(host)
		if perr != nil || !t.trusts(peer) {
			for k := range r.Header {
				if strings.HasPrefix(k, "X-Forwarded-") {
					r.Header.Del(k)
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		if client, ok := t.client(r.Header.Values("X-Forwarded-For")); ok {
			r2.RemoteAddr = net.JoinHostPort(client.String(), "0")
		}
		protos := strings.Split(strings.Join(r.Header.Values("X-Forwarded-Proto"), ","), ",")
		if p := strings.TrimSpace(protos[len(protos)-1]); strings.EqualFold(p, "https") {
			r2 = r2.WithContext(context.WithValue(r2.Context(), httpsKey{}, true))
		}
		next.ServeHTTP(w, r2)
	})
}

// client walks X-Forwarded-For from the right: the first address that is
// not a trusted proxy is the client (addresses left of it could be forged).
func (t Trusted) client(values []string) (netip.Addr, bool) {
	parts := strings.Split(strings.Join(values, ","), ",")
	var last netip.Addr
	for i := len(parts) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
		if err != nil {
			return last, last.IsValid()
		}
		last = a.Unmap()
		if !t.trusts(a) {
			return last, true
		}
	}
	return last, last.IsValid()
}
