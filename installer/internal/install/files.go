package install

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"teamlens/shared/config"
	"teamlens/shared/localclient"
)

// undo collects the steps that put the machine back as it was; run plays
// them last-first, commit forgets them.
type undo struct{ steps []func() error }

func (u *undo) add(f func() error) { u.steps = append(u.steps, f) }
func (u *undo) commit()            { u.steps = nil }

func (u *undo) run(log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for i := len(u.steps) - 1; i >= 0; i-- {
		if err := u.steps[i](); err != nil {
			log.Warn("undo step failed", "err", err)
		}
	}
	u.steps = nil
}

// placeFile copies src to dst through a temporary file and a rename, so a
// crash leaves either the old or the new binary, never half of one. The
// file it replaces comes back on undo.
func placeFile(u *undo, src, dst string, mode os.FileMode) error {
	if same(src, dst) {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return replaceFile(u, dst, mode, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

func same(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// loadConfig opens the installed configuration for editing; exists is
// false when there is none.
func loadConfig(path string) (e *config.Edit, exists bool, err error) {
	e, exists, err = config.LoadEdit(path)
	if err != nil {
		return nil, false, fmt.Errorf("existing %w", err)
	}
	return e, exists, nil
}

// writeConfig writes the configuration 0600: it holds the enroll secret.
func writeConfig(u *undo, path string, e *config.Edit) error {
	b, err := e.Encode()
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	return replaceFile(u, path, 0o600, func(w io.Writer) error {
		_, err := io.WriteString(w, configHeader)
		if err == nil {
			_, err = w.Write(b)
		}
		return err
	})
}

const configHeader = "# Teamlens agent configuration, written by the installer.\n# Readable by root only: it holds the enroll secret.\n"

// replaceFile writes dst's new content into a temporary file beside it,
// syncs it and renames it over dst, keeping the old content for undo.
func replaceFile(u *undo, dst string, mode os.FileMode, write func(io.Writer) error) error {
	dir := filepath.Dir(dst)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".new-*")
	if err != nil {
		return explain(err)
	}
	tmpName := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmpName)
		return fmt.Errorf("write %s: %w", dst, explain(err))
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := write(tmp); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	old, err := os.ReadFile(dst)
	existed := err == nil
	var oldMode os.FileMode
	if fi, err := os.Stat(dst); err == nil {
		oldMode = fi.Mode().Perm()
	}
	if err := os.Rename(tmpName, dst); err != nil {
		os.Remove(tmpName)
		return fmt.Errorf("write %s: %w", dst, explain(err))
	}
	syncDir(dir)
	u.add(func() error {
		if !existed {
			return os.Remove(dst)
		}
		return replaceFile(&undo{}, dst, oldMode, func(w io.Writer) error {
			_, err := w.Write(old)
			return err
		})
	})
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// health asks the agent once, through the viewer's own client.
func health(ctx context.Context, socket string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return localclient.NewClient(socket).Health(ctx)
}

// waitHealthy polls the agent until it answers or the deadline passes.
// agentPID, where the service manager tells it, ends the wait early for an
// agent that keeps exiting: its third process is proof enough.
func waitHealthy(ctx context.Context, socket string, timeout time.Duration, agentPID func() int) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	pids := map[int]bool{}
	for {
		err := health(ctx, socket)
		if err == nil {
			return nil
		}
		if pid := agentPID(); pid > 0 {
			pids[pid] = true
		}
		if len(pids) >= 3 {
			return fmt.Errorf("the agent keeps exiting (restarted %d times): %w", len(pids)-1, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("no answer in %s: %w", timeout, err)
		case <-tick.C:
		}
	}
}

// probeCollector checks that the collector answers GET /healthz. It only
// warns: enrolling and uploading are the agent's job, and it retries.
func probeCollector(ctx context.Context, collector string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(collector, "/")+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /healthz: %s", resp.Status)
	}
	return nil
}

// logTail returns the end of the agent's log for an error message.
func logTail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return "; last lines of " + path + ":\n  " + strings.Join(lines, "\n  ")
}

var errNotInstalled = errors.New("not installed")
