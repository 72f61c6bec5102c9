package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"time"

	"teamlens/collector/internal/store"
)

// EnrollToken mints an enrollment token and prints it alone on out, once;
// what it allows goes to info.
func EnrollToken(ctx context.Context, db string, expires time.Time, uses int64, out, info io.Writer) error {
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	token, t, err := st.MintEnrollToken(ctx, expires, uses, now)
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
