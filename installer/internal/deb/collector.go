package deb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"teamlens/shared/collectorconf"
)

// CollectorPackage is the Debian package name of the collector.
const CollectorPackage = "teamlens-collector"

// Where the collector package puts things. The service runs as its own
// system user, which owns only the data and log directories.
const (
	collectorBin    = "/usr/bin/teamlens-collector"
	collectorConf   = "/etc/teamlens/collector.conf"
	collectorUnit   = "/lib/systemd/system/teamlens-collector.service"
	collectorInit   = "/etc/init.d/teamlens-collector"
	collectorLogDir = "/var/log/teamlens-collector"
	collectorUser   = "teamlens-collector"
)

// CollectorOptions are the flags of "installer package --component collector".
type CollectorOptions struct {
	// CollectorBinary defaults to "collector" next to the running installer.
	CollectorBinary string
	// Listen is the address in the packaged configuration; default
	// 127.0.0.1:8080.
	Listen  string
	OutDir  string
	Version string
	Arch    string    // default from runtime.GOARCH
	ModTime time.Time // default now
}

// BuildCollector writes teamlens-collector_<version>_<arch>.deb: the
// collector binary, its configuration (a conffile, 0600: it may hold the
// enroll secret), a systemd unit and a SysV init script; postinst creates
// the system user and the data directory and starts the service.
func BuildCollector(o CollectorOptions) (string, error) {
	if o.CollectorBinary == "" {
		self, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find the installer binary: %w", err)
		}
		o.CollectorBinary = filepath.Join(filepath.Dir(self), "collector")
	}
	if o.Listen == "" {
		o.Listen = collectorconf.DefaultListen
	}
	if strings.ContainsAny(o.Listen, " \t\n'\"$\\`") {
		return "", fmt.Errorf("listen address %q cannot go into the configuration file", o.Listen)
	}
	packageDefaults(&o.Version, &o.Arch, &o.OutDir, &o.ModTime)
	bin, err := os.ReadFile(o.CollectorBinary)
	if err != nil {
		return "", fmt.Errorf("collector binary: %w", err)
	}
	if len(bin) == 0 {
		return "", errors.New("collector binary is empty")
	}
	files := []file{
		{path: collectorBin, mode: 0o755, data: bin},
		{path: collectorConf, mode: 0o600, data: []byte(collectorConfig(o.Listen))},
		{path: collectorUnit, mode: 0o644, data: []byte(collectorUnitText)},
		{path: collectorInit, mode: 0o755, data: []byte(collectorInitText)},
	}
	data, err := dataTar(files, o.ModTime)
	if err != nil {
		return "", err
	}
	var size int
	for _, f := range files {
		size += len(f.data)
	}
	control := fmt.Sprintf(`Package: %s
Version: %s
Architecture: %s
Maintainer: Teamlens <root@localhost>
Installed-Size: %d
Section: admin
Priority: optional
Depends: passwd
Description: Teamlens collector
 Receives daily CAD usage summaries from Teamlens agents, holds the
 license picture and computes Team Insights. Installing the package
 creates the %s user and %s and starts the service; its settings are
 in %s.
`, CollectorPackage, o.Version, o.Arch, (size+1023)/1024, collectorUser, collectorconf.ServiceDataDir, collectorConf)
	controlTar, err := controlArchive(control, files, []controlFile{
		{"conffiles", 0o644, collectorConf + "\n"},
		{"postinst", 0o755, collectorPostinst},
		{"prerm", 0o755, collectorPrerm},
		{"postrm", 0o755, collectorPostrm},
	}, o.ModTime)
	if err != nil {
		return "", err
	}
	return writeDeb(o.OutDir, fmt.Sprintf("%s_%s_%s.deb", CollectorPackage, o.Version, o.Arch), controlTar, data, o.ModTime)
}

// collectorConfig is the packaged configuration. Both the unit and the
// init script read it as environment: the enroll secret reaches the
// collector as collectorconf.EnvEnrollSecret, so it is not in the process
// list.
func collectorConfig(listen string) string {
	return `# Settings of the teamlens-collector service, read by its systemd unit and
# its init script. After a change: systemctl restart teamlens-collector
# (or /etc/init.d/teamlens-collector restart). Kept on upgrades.

# SQLite file (in the service's data directory) or a postgres:// URL.
` + collectorconf.EnvDB + `=` + collectorconf.ServiceDB + `
` + collectorconf.EnvListen + `=` + listen + `
# Shared secret agents enroll with. Empty: devices enroll only with tokens
# minted by "runuser -u ` + collectorUser + ` -- teamlens-collector enroll-token --db ...".
` + collectorconf.EnvEnrollSecret + `=
# Any other flags of "teamlens-collector serve", for example
# --tls-cert /etc/teamlens/collector.crt --tls-key /etc/teamlens/collector.key --max-device-users 20
# (the files must be readable by the ` + collectorUser + ` user).
` + collectorconf.EnvArgs + `=
`
}

const collectorUnitText = `[Unit]
Description=Teamlens collector
After=network-online.target
Wants=network-online.target

[Service]
User=` + collectorUser + `
Group=` + collectorUser + `
EnvironmentFile=` + collectorConf + `
ExecStart=` + collectorBin + ` serve --db ${` + collectorconf.EnvDB + `} --listen ${` + collectorconf.EnvListen + `} $` + collectorconf.EnvArgs + `
Restart=on-failure
RestartSec=5
AmbientCapabilities=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ReadWritePaths=` + collectorconf.ServiceDataDir + `

[Install]
WantedBy=multi-user.target
`

// collectorInitText serves machines without systemd. start-stop-daemon
// runs the collector as its user in the background and sends its output
// to the log directory.
const collectorInitText = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          teamlens-collector
# Required-Start:    $local_fs $remote_fs $network $syslog
# Required-Stop:     $local_fs $remote_fs $network $syslog
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: Teamlens collector
# Description:       Receives Teamlens usage summaries and computes Team Insights.
### END INIT INFO

bin=` + collectorBin + `
conf=` + collectorConf + `
pidfile=/run/teamlens-collector.pid
log=` + collectorLogDir + `/collector.log
user=` + collectorUser + `

[ -x "$bin" ] || exit 0
set -a
[ -r "$conf" ] && . "$conf"
set +a

case "$1" in
start)
	start-stop-daemon --start --quiet --oknodo --pidfile "$pidfile" --make-pidfile --background \
		--chuid "$user" --output "$log" --exec "$bin" -- \
		serve --db "$` + collectorconf.EnvDB + `" --listen "$` + collectorconf.EnvListen + `" $` + collectorconf.EnvArgs + `
	;;
stop)
	start-stop-daemon --stop --quiet --oknodo --retry TERM/30/KILL/5 --pidfile "$pidfile" --exec "$bin" --remove-pidfile
	;;
restart|force-reload)
	"$0" stop && "$0" start
	;;
status)
	start-stop-daemon --status --pidfile "$pidfile" --exec "$bin"
	;;
*)
	echo "usage: $0 start|stop|restart|status" >&2
	exit 3
	;;
esac
`

const collectorPostinst = `#!/bin/sh
set -e
user=` + collectorUser + `
case "$1" in
configure)
	if ! getent passwd "$user" >/dev/null; then
		useradd --system --user-group --home-dir ` + collectorconf.ServiceDataDir + ` --no-create-home --shell /usr/sbin/nologin "$user"
	fi
	install -d -m 0750 -o "$user" -g "$user" ` + collectorconf.ServiceDataDir + ` ` + collectorLogDir + `
	if [ -d /run/systemd/system ]; then
		systemctl daemon-reload
		systemctl enable teamlens-collector.service >/dev/null 2>&1 || true
		systemctl restart teamlens-collector.service
	else
		if command -v update-rc.d >/dev/null 2>&1; then
			update-rc.d teamlens-collector defaults >/dev/null
		fi
		` + collectorInit + ` restart
	fi
	;;
esac
exit 0
`

// collectorPrerm stops the service before its files go, on upgrade too:
// the new postinst starts the new binary.
const collectorPrerm = `#!/bin/sh
set -e
case "$1" in
remove|upgrade|deconfigure)
	if [ -d /run/systemd/system ]; then
		systemctl stop teamlens-collector.service || true
	elif [ -x ` + collectorInit + ` ]; then
		` + collectorInit + ` stop || true
	fi
	;;
esac
exit 0
`

// collectorPostrm unregisters the service on removal and, on purge,
// removes the database, the logs and the user: purge means the data too.
const collectorPostrm = `#!/bin/sh
set -e
case "$1" in
remove|purge)
	if [ -d /run/systemd/system ]; then
		systemctl disable teamlens-collector.service >/dev/null 2>&1 || true
		systemctl daemon-reload || true
	elif command -v update-rc.d >/dev/null 2>&1; then
		update-rc.d teamlens-collector remove >/dev/null || true
	fi
	;;
esac
if [ "$1" = purge ]; then
	rm -rf ` + collectorconf.ServiceDataDir + ` ` + collectorLogDir + `
	rm -f ` + collectorConf + `
	rmdir /etc/teamlens 2>/dev/null || true
	if getent passwd ` + collectorUser + ` >/dev/null; then
		userdel ` + collectorUser + ` || true
	fi
fi
exit 0
`
