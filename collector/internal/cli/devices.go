package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"teamlens/collector/internal/store"
)

// ParseExpiry reads --expires: a whole number of days ("7d") or a Go
// duration ("12h", "90m").
func ParseExpiry(v string) (time.Duration, error) {
	var d time.Duration
	var err error
	if n, ok := strings.CutSuffix(v, "d"); ok {
		var days int
		days, err = strconv.Atoi(n)
		d = time.Duration(days) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(v)
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("--expires %q is not a positive duration such as 7d or 12h", v)
	}
	return d, nil
}

// EnrollToken mints an enrollment token and prints it alone on out, once;
// what it allows goes to info.
func EnrollToken(ctx context.Context, db string, expires time.Duration, uses int64, out, info io.Writer) error {
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	token, t, err := st.MintEnrollToken(ctx, now.Add(expires), uses, now)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, token)
	fmt.Fprintf(info, "enroll token %s: up to %d devices until %s; give it to the agents as their enroll secret, it is not shown again\n",
		t.ID, t.MaxUses, t.ExpiresAt.Format(time.RFC3339))
	return nil
}

// loadTLS reads the certificate and key of --tls-cert/--tls-key before the
// server starts, so a wrong file is an error at once rather than at the
// first handshake; nil, nil when neither is given.
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
