package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"teamlens/agent/internal/store"
	"teamlens/shared/localclient"
)

// local runs the data commands of the administrator: it opens the
// database directly, so they work whether or not the service runs (WAL and
// the busy timeout let both write). Other users go through the socket
// (remote.go).
type local struct {
	dataDir string
}

// adminStore is what the administrator's commands do with the database.
type adminStore interface {
	Consent(ctx context.Context, user string) (bool, error)
	SetConsent(ctx context.Context, user string, on bool) error
	WithdrawConsent(ctx context.Context, user string) error
	Status(ctx context.Context) (localclient.Status, error)
	Export(ctx context.Context, user string) (localclient.Export, error)
	Forget(ctx context.Context, user string) error
	Requeue(ctx context.Context, date string) (int64, error)
}

// consent prints or changes user's consent: action is on, off or status;
// withdraw, with off, also withdraws what was shared.
func (l local) consent(ctx context.Context, user, action string, withdraw bool, w io.Writer) error {
	if err := checkConsentArgs(action, withdraw); err != nil {
		return err
	}
	open := withStore
	if action == "status" {
		open = withExistingStore
	}
	return open(ctx, l.dataDir, func(st adminStore) error {
		var err error
		switch {
		case withdraw:
			err = st.WithdrawConsent(ctx, user)
		case action != "status":
			err = st.SetConsent(ctx, user, action == "on")
		}
		if err != nil {
			return err
		}
		on, err := st.Consent(ctx, user)
		if err != nil {
			return err
		}
		return printConsent(w, on, withdraw)
	})
}

func checkConsentArgs(action string, withdraw bool) error {
	switch {
	case action != "on" && action != "off" && action != "status":
		return fmt.Errorf("consent: want on, off or status, not %q", action)
	case withdraw && action != "off":
		return errors.New("consent: --withdraw goes with off")
	}
	return nil
}

func printConsent(w io.Writer, on, withdrawn bool) error {
	state := "off"
	if on {
		state = "on"
	}
	if withdrawn {
		state += " (withdrawn: uploaded days are sent again without analytics)"
	}
	_, err := fmt.Fprintln(w, state)
	return err
}

// status prints the status JSON.
func (l local) status(ctx context.Context, w io.Writer) error {
	return withExistingStore(ctx, l.dataDir, func(st adminStore) error {
		s, err := st.Status(ctx)
		if err != nil {
			return err
		}
		return writeJSON(w, s)
	})
}

// export prints what is stored about user ("" for everyone).
func (l local) export(ctx context.Context, user string, w io.Writer) error {
	return withExistingStore(ctx, l.dataDir, func(st adminStore) error {
		e, err := st.Export(ctx, user)
		if err != nil {
			return err
		}
		return writeJSON(w, e)
	})
}

// forget deletes everything stored about user.
func (l local) forget(ctx context.Context, user string, w io.Writer) error {
	return withExistingStore(ctx, l.dataDir, func(st adminStore) error {
		if err := st.Forget(ctx, user); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "deleted all data of %s\n", user)
		return err
	})
}

// requeue releases quarantined days (of date, or all when date is "")
// into the upload queue.
func (l local) requeue(ctx context.Context, date string, w io.Writer) error {
	return withExistingStore(ctx, l.dataDir, func(st adminStore) error {
		n, err := st.Requeue(ctx, date)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "requeued %d quarantined days; the next upload sends them\n", n)
		return err
	})
}

func withStore(ctx context.Context, dataDir string, fn func(adminStore) error) error {
	st, err := store.Open(ctx, dataDir, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

// withExistingStore is withStore for commands that only read or delete: a
// mistyped --data-dir must be an error, not a new empty database.
func withExistingStore(ctx context.Context, dataDir string, fn func(adminStore) error) error {
	path := filepath.Join(dataDir, store.FileName)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("no agent database at %s: is --data-dir right? (the agent creates it when it first runs)", path)
		}
		return fmt.Errorf("agent database: %w", err)
	}
	return withStore(ctx, dataDir, fn)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
