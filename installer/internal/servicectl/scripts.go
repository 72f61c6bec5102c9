package servicectl

import (
	"fmt"
	"strings"
)

// agentPIDFile holds the pid of the agent itself; the supervisor's pid is
// in supervisorPIDFile. Both live on /var/run, which a reboot empties.
func agentPIDFile(d Def) string      { return "/var/run/" + d.Name + ".agent.pid" }
func supervisorPIDFile(d Def) string { return "/var/run/" + d.Name + ".pid" }

// shq quotes s for a POSIX shell.
func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// sysvScript is an LSB init script with a supervision loop: "start" spawns
// the script again as "supervise" in its own session, which runs the agent,
// appends its output to the log file and restarts it (1 s, doubling to
// 30 s) whenever it exits without having been asked to stop. "stop" sends
// SIGTERM to the supervisor, which passes it on and waits for the agent.
func sysvScript(d Def) string {
	cmd := shq(d.Executable)
	for _, a := range d.Args {
		cmd += " " + shq(a)
	}
	// kardianos renders the script as a template; this one has no actions.
	return strings.NewReplacer(
		"@NAME@", d.Name,
		"@CMD@", cmd,
		"@LOG@", shq(d.LogFile),
		"@RUNDIR@", shq(d.RuntimeDir),
		"@SUPPID@", shq(supervisorPIDFile(d)),
		"@AGENTPID@", shq(agentPIDFile(d)),
	).Replace(sysvTemplate)
}

const sysvTemplate = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          @NAME@
# Required-Start:    $local_fs $remote_fs $network $syslog
# Required-Stop:     $local_fs $remote_fs $network $syslog
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: Teamlens agent
# Description:       Records CAD product usage for Teamlens.
### END INIT INFO
# Written by the Teamlens installer, which rewrites it on every install.

name=@NAME@
log=@LOG@
rundir=@RUNDIR@
sup_pid=@SUPPID@
agent_pid=@AGENTPID@

# alive: the process exists and is not a zombie waiting for init to reap it.
alive() {
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$state" ] && [ "$state" != Z ]
}
pid_of() { [ -f "$1" ] && cat "$1" 2>/dev/null; }
running() { alive "$(pid_of "$sup_pid")"; }

rotate() {
	if [ -f "$log" ] && [ "$(wc -c <"$log")" -gt 10485760 ]; then
		mv -f "$log" "$log.1"
	fi
}

supervise() {
	echo $$ >"$sup_pid"
	child=
	stopping=
	trap 'stopping=1; alive "$child" && kill -TERM "$child"' TERM INT
	trap '' HUP
	delay=1
	while [ -z "$stopping" ]; do
		rotate
		started=$(date +%s)
		@CMD@ </dev/null >>"$log" 2>&1 &
		child=$!
		echo "$child" >"$agent_pid"
		wait "$child"
		rc=$?
		if [ -n "$stopping" ]; then
			# The trap interrupted wait: let the agent finish its shutdown.
			wait "$child"
			break
		fi
		if [ $(($(date +%s) - started)) -ge 60 ]; then delay=1; fi
		echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $name: agent exited with status $rc, restarting in ${delay}s" >>"$log"
		sleep "$delay" &
		wait $!
		delay=$((delay * 2))
		if [ "$delay" -gt 30 ]; then delay=30; fi
	done
	rm -f "$agent_pid" "$sup_pid"
}

case "$1" in
supervise)
	supervise
	;;
start)
	if running; then
		echo "$name is already running"
		exit 0
	fi
	rm -f "$sup_pid" "$agent_pid"
	if [ -n "$rundir" ]; then mkdir -p "$rundir" && chmod 0755 "$rundir"; fi
	mkdir -p "$(dirname "$log")"
	setsid "$0" supervise </dev/null >>"$log" 2>&1 &
	i=0
	while [ $i -lt 100 ]; do
		if running && [ -s "$agent_pid" ]; then break; fi
		sleep 0.1
		i=$((i + 1))
	done
	if running; then
		echo "Started $name"
	else
		echo "Could not start $name, see $log"
		exit 1
	fi
	;;
stop)
	pid=$(pid_of "$sup_pid")
	apid=$(pid_of "$agent_pid")
	if ! alive "$pid"; then
		# An agent left behind by a killed supervisor is stopped all the same.
		if alive "$apid"; then kill -TERM "$apid"; fi
		rm -f "$sup_pid" "$agent_pid"
		echo "$name is not running"
		exit 0
	fi
	kill -TERM "$pid"
	i=0
	while alive "$pid" && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if alive "$pid"; then
		echo "$name did not stop in 30s, killing it"
		kill -KILL "$pid" 2>/dev/null
		if alive "$apid"; then kill -KILL "$apid"; fi
	fi
	rm -f "$sup_pid" "$agent_pid"
	echo "Stopped $name"
	;;
restart|force-reload)
	"$0" stop && "$0" start
	;;
status)
	if running && alive "$(pid_of "$agent_pid")"; then
		echo "$name is running"
		exit 0
	fi
	echo "$name is not running"
	exit 3
	;;
*)
	echo "Usage: $0 {start|stop|restart|status}"
	exit 2
	;;
esac
exit 0
`

// systemdUnit restarts the agent 2 s after any exit, without a start
// limit, and leaves its output to the journal.
func systemdUnit(d Def) string {
	exec := sdq(d.Executable)
	for _, a := range d.Args {
		exec += " " + sdq(a)
	}
	var pre string
	if d.RuntimeDir != "" {
		pre = fmt.Sprintf("ExecStartPre=/bin/mkdir -p -m 0755 %s\n", sdq(d.RuntimeDir))
	}
	return fmt.Sprintf(`[Unit]
Description=Teamlens agent
After=network-online.target
Wants=network-online.target
StartLimitIntervalSec=0

[Service]
%sExecStart=%s
Restart=always
RestartSec=2
TimeoutStopSec=30

[Install]
WantedBy=multi-user.target
`, pre, exec)
}

// sdq quotes s for a systemd command line.
func sdq(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "%", "%%").Replace(s)
	return `"` + s + `"`
}
