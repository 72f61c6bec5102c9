package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"teamlens/agent/internal/store"
)

// The CLI commands below open the database directly, so they work whether
// or not the service runs (WAL and the busy timeout let both write).

// Consent prints or changes user's consent: action is on, off or status.
func Consent(ctx context.Context, dataDir, user, action string, w io.Writer) error {
	return withStore(ctx, dataDir, func(st *store.Store) error {
		switch action {
		case "on", "off":
			if err := st.SetConsent(ctx, user, action == "on"); err != nil {
				return err
			}
		case "status":
		default:
			return fmt.Errorf("consent: want on, off or status, not %q", action)
		}
		on, err := st.Consent(ctx, user)
		if err != nil {
			return err
		}
		state := "off"
		if on {
			state = "on"
		}
		_, err = fmt.Fprintln(w, state)
		return err
	})
}

// Status prints the status JSON.
func Status(ctx context.Context, dataDir string, w io.Writer) error {
	return withStore(ctx, dataDir, func(st *store.Store) error {
		s, err := st.Status(ctx)
		if err != nil {
			return err
		}
		return writeJSON(w, s)
	})
}

// Export prints what is stored about user ("" for everyone).
func Export(ctx context.Context, dataDir, user string, w io.Writer) error {
	return withStore(ctx, dataDir, func(st *store.Store) error {
		e, err := st.Export(ctx, user)
		if err != nil {
			return err
		}
		return writeJSON(w, e)
	})
}

// Forget deletes everything stored about user.
func Forget(ctx context.Context, dataDir, user string, w io.Writer) error {
	return withStore(ctx, dataDir, func(st *store.Store) error {
		if err := st.Forget(ctx, user); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "deleted all data of %s\n", user)
		return err
	})
}

func withStore(ctx context.Context, dataDir string, fn func(*store.Store) error) error {
	st, err := store.Open(ctx, dataDir, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
