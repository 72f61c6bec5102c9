package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"teamlens/collector/internal/store"
)

// EnrollTokenConfig is "collector enroll-token": mint one, or list or
// revoke the minted ones.
type EnrollTokenConfig struct {
	DB      string
	Expires time.Time
	Uses    int64
	List    bool
	Revoke  string // a token id
}

// EnrollTokens mints, lists or revokes enrollment tokens as cfg says.
func EnrollTokens(ctx context.Context, cfg EnrollTokenConfig, out, info io.Writer) error {
	if cfg.List && cfg.Revoke != "" {
		return errors.New("--list and --revoke go alone")
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	switch {
	case cfg.Revoke != "":
		if err := st.RevokeEnrollToken(ctx, cfg.Revoke, now); err != nil {
			return err
		}
		fmt.Fprintf(out, "enroll token %s revoked\n", cfg.Revoke)
		return nil
	case cfg.List:
		tokens, err := st.EnrollTokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCREATED\tEXPIRES\tUSED\tSTATE")
		for _, t := range tokens {
			state := "active"
			switch {
			case t.ExpiresAt <= now.UTC().Format(time.RFC3339):
				state = "expired"
			case t.Used >= t.MaxUses:
				state = "used up"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%s\n", t.ID, t.CreatedAt, t.ExpiresAt, t.Used, t.MaxUses, state)
		}
		return tw.Flush()
	}
	return mintEnrollToken(ctx, st, cfg.Expires, cfg.Uses, now, out, info)
}

// mintEnrollToken mints an enrollment token and prints it alone on out, once;
// what it allows goes to info.
func mintEnrollToken(ctx context.Context, st *store.Store, expires time.Time, uses int64, now time.Time, out, info io.Writer) error {
	token, t, err := st.MintEnrollToken(ctx, expires, uses, now)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, token)
	fmt.Fprintf(info, "enroll token %s: up to %d devices until %s; give it to the agents as their enroll secret, it is not shown again\n",
		t.ID, t.MaxUses, t.ExpiresAt.Format(time.RFC3339))
	return nil
}
