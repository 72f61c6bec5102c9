# Teamlens. `make demo` runs the main job on the embedded default (SQLite);
# `make test` runs the whole suite. Both install what they need.
GO ?= go
BIN := bin
# The version every binary and package reports: the git tag, or
# 0.0.0+g<commit> between tags.
VERSION ?= $(shell git describe --tags --dirty 2>/dev/null || echo 0.0.0+g$$(git rev-parse --short HEAD 2>/dev/null || echo dev))
LDFLAGS := -X teamlens/internal/cmdline.version=$(VERSION)

.PHONY: all build viewer msi screens demo load test bench bench-go bench-idle fuzz clean

all: build

build:
	@scripts/deps.sh
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./agent ./collector ./installer ./tools/cadsim ./tools/fleetsim

viewer:
	@scripts/deps.sh test
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./viewer

# The Windows agent's MSI (docs/windows.md): agent.exe, installer.exe and
# viewer.exe cross-built (the viewer with cgo and mingw-w64), then wixl.
# COLLECTOR and ENROLL_SECRET are baked in; msiexec properties override them.
msi:
	@scripts/deps.sh test
	GOOS=windows CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/windows/ ./agent ./installer
	GOOS=windows CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc $(GO) build -ldflags "$(LDFLAGS) -H windowsgui" -o $(BIN)/windows/ ./viewer
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ ./installer
	$(BIN)/installer package --format msi --collector "$(COLLECTOR)" --enroll-secret "$(ENROLL_SECRET)" \
		--agent-binary $(BIN)/windows/agent.exe --installer-binary $(BIN)/windows/installer.exe \
		--viewer-binary $(BIN)/windows/viewer.exe --out $(BIN)

# Every My Insights screen into bin/screens, and their contact sheet (docs/screens.md).
screens:
	@scripts/deps.sh test
	rm -rf $(BIN)/screens && mkdir -p $(BIN)/screens
	UI_SNAPSHOT_DIR=$(CURDIR)/$(BIN)/screens $(GO) test -count=1 -run '^TestScreens$$' ./viewer/internal/ui
	mkdir -p $(BIN)/screens/thumbs && mogrify -path $(BIN)/screens/thumbs -resize 300x -depth 8 $(BIN)/screens/*.png
	montage -font DejaVu-Sans -label '%t' $(BIN)/screens/thumbs/*.png -tile 8x -geometry +3+3 -pointsize 10 -depth 8 $(BIN)/screens/sheet.png
	convert $(BIN)/screens/sheet.png -colors 128 PNG8:docs/my-insights-screens.png

demo: build
	@scripts/demo.sh

load: build
	@scripts/load.sh

test:
	@scripts/test.sh

bench: build
	@scripts/bench.sh

bench-go:
	@scripts/deps.sh
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzSanitize$$' -fuzztime 60s ./shared/journal
	$(GO) test -run '^$$' -fuzz '^FuzzParseMatchesDecoder$$' -fuzztime 60s ./shared/journal

clean:
	rm -rf $(BIN)

bench-idle:
	@scripts/idle.sh 60
