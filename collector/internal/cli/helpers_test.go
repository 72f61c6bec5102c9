package cli_test

import (
	"log/slog"
	"os"
	"testing"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
