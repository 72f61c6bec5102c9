package lograte_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"teamlens/agent/internal/lograte"
)

func TestRepeatedLinesAreSuppressedAndCounted(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	log := slog.New(lograte.New(slog.NewTextHandler(&buf, nil), lograte.Options{Burst: 3, Period: time.Minute,
		Now: func() time.Time { return now }}))
	for i := 0; i < 1000; i++ {
		log.Warn("journal line rejected", "line", i)
	}
	log.Info("another message")
	if n := strings.Count(buf.String(), "journal line rejected"); n != 3 {
		t.Fatalf("%d lines logged in the first minute, want 3:\n%s", n, buf.String())
	}
	now = now.Add(time.Minute)
	log.Warn("journal line rejected", "line", 1000)
	if !strings.Contains(buf.String(), "repeated log lines suppressed") || !strings.Contains(buf.String(), "count=997") {
		t.Fatalf("no summary of the suppressed lines:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "another message") {
		t.Fatal("another message was suppressed")
	}
}
