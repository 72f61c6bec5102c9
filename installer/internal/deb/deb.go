// Package deb builds a Debian package of the agent and the installer with a
// collector URL and an enroll secret baked in, in the manner of
// "fleetctl package": installing the package installs and starts the
// service, removing it removes the service, purging it removes the data.
// It writes the ar and tar members itself, so it needs no dpkg-deb.
package deb

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"teamlens/shared/config"
)

// DefaultVersion is the package version when none is given.
const DefaultVersion = "1.0.0"

// Package is the Debian package name.
const Package = config.ServiceName

// Where the package puts its files; the installer run by postinst copies
// the agent on to the system location the service uses.
const (
	binDir     = "/opt/teamlens/bin"
	secretFile = "/opt/teamlens/etc/enroll-secret"
	// The viewer's menu entry and icon are the package's own files, so
	// dpkg removes them with it.
	shareDir = "/usr/share"
)

// Options are the flags of "installer package --format deb".
type Options struct {
	Collector    string
	EnrollSecret string
	OutDir       string
	// AgentBinary defaults to "agent" next to InstallerBinary.
	AgentBinary string
	// ViewerBinary is the My Insights viewer shipped with its menu entry;
	// default "viewer" next to InstallerBinary, left out when there is
	// none there (Build's Result says so).
	ViewerBinary string
	// InstallerBinary defaults to the running executable.
	InstallerBinary string
	Version         string
	// Arch is the Debian architecture; default from runtime.GOARCH.
	Arch string
	// ModTime stamps every member; default now.
	ModTime time.Time
}

// Build writes the package into o.OutDir and returns its path. The file is
// 0600: it holds the enroll secret.
func Build(o Options) (string, error) {
	if o.Collector == "" || o.EnrollSecret == "" {
		return "", errors.New("a package needs --collector and --enroll-secret")
	}
	if strings.ContainsAny(o.Collector, "'\n") {
		return "", fmt.Errorf("collector URL %q cannot go into a maintainer script", o.Collector)
	}
	if o.InstallerBinary == "" {
		self, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find the installer binary: %w", err)
		}
		o.InstallerBinary = self
	}
	if o.AgentBinary == "" {
		o.AgentBinary = filepath.Join(filepath.Dir(o.InstallerBinary), "agent")
	}
	packageDefaults(&o.Version, &o.Arch, &o.OutDir, &o.ModTime)
	agent, err := os.ReadFile(o.AgentBinary)
	if err != nil {
		return "", fmt.Errorf("agent binary: %w", err)
	}
	installer, err := os.ReadFile(o.InstallerBinary)
	if err != nil {
		return "", fmt.Errorf("installer binary: %w", err)
	}

	files := []file{
		{path: binDir + "/agent", mode: 0o755, data: agent},
		{path: binDir + "/installer", mode: 0o755, data: installer},
		{path: secretFile, mode: 0o600, data: []byte(o.EnrollSecret + "\n")},
	}
	viewer, err := viewerFiles(o)
	if err != nil {
		return "", err
	}
	files = append(files, viewer...)
	data, err := dataTar(files, o.ModTime)
	if err != nil {
		return "", err
	}
	var size int
	for _, f := range files {
		size += len(f.data)
	}
	control, err := controlTar(o, files, (size+1023)/1024)
	if err != nil {
		return "", err
	}

	return writeDeb(o.OutDir, fmt.Sprintf("%s_%s_%s.deb", Package, o.Version, o.Arch), control, data, o.ModTime)
}

type file struct {
	path string
	mode int64
	data []byte
}

func debArch(goarch string) string {
	switch goarch {
	case "386":
		return "i386"
	case "arm":
		return "armhf"
	case "ppc64le":
		return "ppc64el"
	}
	return goarch
}

func dataTar(files []file, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	seen := map[string]bool{}
	for _, f := range files {
		// Parents first, as dpkg expects every directory listed.
		var parents []string
		for d := filepath.Dir(f.path); d != "/"; d = filepath.Dir(d) {
			parents = append([]string{d}, parents...)
		}
		for _, d := range parents {
			if seen[d] {
				continue
			}
			seen[d] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "." + d + "/", Mode: 0o755, ModTime: mtime, Uname: "root", Gname: "root"}); err != nil {
				return nil, err
			}
		}
		if err := writeTarFile(tw, "."+f.path, f.mode, f.data, mtime); err != nil {
			return nil, err
		}
	}
	return closeTar(tw, gz, &buf)
}

func controlTar(o Options, files []file, sizeKB int) ([]byte, error) {
	control := fmt.Sprintf(`Package: %s
Version: %s
Architecture: %s
Maintainer: Teamlens <root@localhost>
Installed-Size: %d
Section: admin
Priority: optional
Description: Teamlens agent, enrolled with %s
 Records CAD product usage on this workstation and uploads daily
 summaries to the Teamlens collector. Installing the package installs
 and starts the teamlens-agent service.
`, Package, o.Version, o.Arch, sizeKB, o.Collector)
	return controlArchive(control, files, []controlFile{
		{"postinst", 0o755, postinst(o.Collector)},
		{"prerm", 0o755, prerm},
		{"postrm", 0o755, postrm},
	}, o.ModTime)
}

func writeTarFile(tw *tar.Writer, name string, mode int64, data []byte, mtime time.Time) error {
	h := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: mtime, Uname: "root", Gname: "root"}
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}

func closeTar(tw *tar.Writer, gz *gzip.Writer, buf *bytes.Buffer) ([]byte, error) {
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeAr appends one member in the common ar format dpkg reads.
func writeAr(w io.Writer, name string, data []byte, mtime time.Time) {
	fmt.Fprintf(w, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", name, mtime.Unix(), 0, 0, "100644", len(data))
	w.Write(data)
	if len(data)%2 == 1 {
		w.Write([]byte{'\n'})
	}
}

// postinst installs (or upgrades) the service; the package carries the
// viewer and its menu entry itself, hence --no-viewer. The secret is read from a
// root-only file so that it shows neither in the maintainer script, which
// dpkg keeps world-readable, nor in the process list.
func postinst(collector string) string {
	return `#!/bin/sh
set -e
case "$1" in
configure)
	` + binDir + `/installer install --silent --no-viewer --collector '` + collector + `' --enroll-secret-file ` + secretFile + `
	;;
esac
exit 0
`
}

// prerm removes the service on removal; on upgrade the new postinst
// upgrades in place and keeps data, consent and the device token.
const prerm = `#!/bin/sh
set -e
case "$1" in
remove|deconfigure)
	if [ -x ` + binDir + `/installer ]; then
		` + binDir + `/installer uninstall || true
	fi
	;;
esac
exit 0
`

// postrm on purge removes what the agent kept: the installer is gone by
// then, so it reads the two directories from the configuration itself.
const postrm = `#!/bin/sh
set -e
case "$1" in
purge)
	conf=/etc/teamlens/agent.toml
	data=/var/lib/teamlens
	spool=/var/spool/teamlens
	if [ -f "$conf" ]; then
		d=$(sed -n 's/^data_dir *= *"\(.*\)"$/\1/p' "$conf")
		s=$(sed -n 's/^spool_dir *= *"\(.*\)"$/\1/p' "$conf")
		[ -n "$d" ] && data=$d
		[ -n "$s" ] && spool=$s
	fi
	case "$data" in /?*/?*) rm -rf "$data" ;; esac
	case "$spool" in /?*/?*) rm -rf "$spool" ;; esac
	rm -f "$conf"
	rmdir /etc/teamlens 2>/dev/null || true
	rmdir /opt/teamlens/etc /opt/teamlens/bin /opt/teamlens 2>/dev/null || true
	;;
esac
exit 0
`

// packageDefaults fills the fields every package of ours shares.
func packageDefaults(version, arch, outDir *string, modTime *time.Time) {
	if *version == "" {
		*version = DefaultVersion
	}
	if *arch == "" {
		*arch = debArch(runtime.GOARCH)
	}
	if *outDir == "" {
		*outDir = "."
	}
	if modTime.IsZero() {
		*modTime = time.Now()
	}
}
