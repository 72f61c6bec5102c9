package upload_test

import (
	"path/filepath"
	"testing"

	"teamlens/agent/internal/upload"
)

// TestStopSharingKeepsAndWithdrawDrops runs both opt-out choices against
// the real collector: stopping from now on leaves the uploaded day's
// analytics there; withdrawing sends it again without, and the collector
// drops them.
func TestStopSharingKeepsAndWithdrawDrops(t *testing.T) {
	st, dir := newStore(t)
	if err := st.SetConsent(ctx, "jdoe", true); err != nil {
		t.Fatal(err)
	}
	session(t, st, "AutoCAD", 1)
	c := startCollector(t, freeAddr(t), filepath.Join(t.TempDir(), "collector.db"))
	u := &upload.Uploader{Collector: c.url, EnrollSecret: "s3cret", DataDir: dir, Store: st}
	steps := []struct {
		name   string
		change func() error
		want   string
	}{
		{"opted in", func() error { return nil }, "90 min analytics=true"},
		{"stop sharing from now on", func() error { return st.SetConsent(ctx, "jdoe", false) }, "90 min analytics=true"},
		{"withdraw", func() error { return st.WithdrawConsent(ctx, "jdoe") }, "90 min analytics=false"},
	}
	for _, s := range steps {
		if err := s.change(); err != nil {
			t.Fatal(err)
		}
		if err := u.Once(ctx); err != nil {
			t.Fatal(err)
		}
		if got := c.stored(t)["AutoCAD "+day(1)]; got != s.want {
			t.Fatalf("%s: the collector holds %q, want %q", s.name, got, s.want)
		}
	}
}
