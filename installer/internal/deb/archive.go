package deb

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// controlFile is a member of control.tar.gz: a maintainer script or a
// list such as conffiles.
type controlFile struct {
	name string
	mode int64
	text string
}

// controlArchive writes control.tar.gz: the control text, the md5sums of
// files, then extra (scripts, conffiles).
func controlArchive(control string, files []file, extra []controlFile, mtime time.Time) ([]byte, error) {
	var sums strings.Builder
	for _, f := range files {
		fmt.Fprintf(&sums, "%x  %s\n", md5.Sum(f.data), strings.TrimPrefix(f.path, "/"))
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "./", Mode: 0o755, ModTime: mtime, Uname: "root", Gname: "root"}); err != nil {
		return nil, err
	}
	members := append([]controlFile{{"control", 0o644, control}, {"md5sums", 0o644, sums.String()}}, extra...)
	for _, m := range members {
		if err := writeTarFile(tw, "./"+m.name, m.mode, []byte(m.text), mtime); err != nil {
			return nil, err
		}
	}
	return closeTar(tw, gz, &buf)
}

// writeDeb assembles the ar container dpkg reads and writes it to
// outDir/name atomically, mode 0600 (a package may hold a secret).
func writeDeb(outDir, name string, control, data []byte, mtime time.Time) (string, error) {
	var pkg bytes.Buffer
	pkg.WriteString("!<arch>\n")
	for _, m := range []struct {
		name string
		data []byte
	}{
		{"debian-binary", []byte("2.0\n")},
		{"control.tar.gz", control},
		{"data.tar.gz", data},
	} {
		writeAr(&pkg, m.name, m.data, mtime)
	}

	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("--out: %w", err)
	}
	out := filepath.Join(outDir, name)
	tmp, err := os.CreateTemp(outDir, ".deb-*")
	if err != nil {
		return "", fmt.Errorf("--out: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(pkg.Bytes()); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write package: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write package: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return "", fmt.Errorf("write package: %w", err)
	}
	return out, nil
}
