// Command installer deploys the Teamlens agent as an OS service.
//
//	installer install   --collector URL --enroll-secret X [--agent-binary PATH]
//	                    [--data-dir D] [--spool-dir S] [--analytics user-choice|disabled]
//	                    [--seat-usage=true|false] [--silent] [--enroll-secret-file F]
//	                    [--viewer-binary PATH | --no-viewer]
//	installer status    # exit 0 installed, running and answering; 3 not running; 4 not installed
//	installer uninstall [--purge]
//	installer package   --format deb --collector URL --enroll-secret X [--out DIR]
//	installer package   --format deb --component collector [--listen ADDR] [--collector-binary PATH] [--out DIR]
//
// # What install does
//
// It copies the agent (default: the "agent" next to the installer) and
// itself to /usr/local/lib/teamlens, writes /etc/teamlens/agent.toml (0600
// root: it holds the enroll secret), creates the data directory
// (/var/lib/teamlens, 0700 root: database, device token, agent.log) and
// the spool (/var/spool/teamlens, 1777: every user may create journal
// files, the sticky bit keeps one user from touching another's), registers
// the "teamlens-agent" service through kardianos/service and starts it,
// and says done only once the agent answers GET /v1/health on its socket.
// Re-running it is an upgrade in place: flags not given keep their
// installed value, other keys of the configuration are kept, the data
// directory (database, consent, device token) is not touched. A failed
// install or upgrade puts back what was there. The service runs as root:
// it reads every user's journal files and tells users apart by socket
// peer credentials.
//
// Under SysV init the init script supervises the agent: it restarts it
// after any exit (1 s, doubling to 30 s) and appends its output to
// <data dir>/agent.log (rotated at 10 MiB). Under systemd the unit has
// Restart=always and the log goes to the journal; launchd uses KeepAlive,
// Windows the service recovery action.
//
// The installer does not enroll: the device token belongs to the agent,
// and a trial enrollment would leave a device on the collector. It checks
// that GET <collector>/healthz answers and warns (exit 0) when it does
// not; the agent retries, and "installer status" reports reachability.
// A wrong enroll secret shows in the agent's log and status once the agent
// tries to enroll.
//
// # The My Insights viewer
//
// Each user's window on their own data is the viewer, shipped with the
// agent. install copies it (default: the "viewer" next to the installer,
// skipped when there is none: it needs a cgo build, "make viewer") to
// /usr/local/lib/teamlens/viewer, and puts its desktop entry "My
// Insights" (Categories=Utility) in
// /usr/local/share/applications/teamlens-viewer.desktop with its icon in
// /usr/local/share/icons/hicolor/scalable/apps/teamlens-viewer.svg, so
// it is in every user's applications menu; uninstall removes the three.
// "installer status" ends with "My Insights viewer installed (PATH)" or
// "not installed": it follows the Exec line of the entry of an install
// or of the package.
//
// # Packages
//
// "installer package --format deb" writes teamlens-agent_<version>_<arch>.deb
// (mode 0600: it holds the secret). It ships the agent and the installer in
// /opt/teamlens/bin and the secret in /opt/teamlens/etc/enroll-secret
// (0600), and, when a viewer sits next to the installer (or
// --viewer-binary names one), the viewer in /opt/teamlens/bin/viewer with
// its desktop entry in /usr/share/applications/teamlens-viewer.desktop
// and its icon under /usr/share/icons/hicolor: dpkg owns these three and
// removes them with the package. postinst runs "installer install
// --silent --no-viewer --collector URL
// --enroll-secret-file ..." so the secret is neither in the world-readable
// maintainer script nor in the process list; prerm runs "installer
// uninstall" on removal (not on upgrade); postrm purge removes data, spool
// and configuration. Install it with "apt-get install ./file.deb", remove
// it with "apt-get remove" or "apt-get purge".
//
// "installer package --format deb --component collector [--listen ADDR]
// [--collector-binary PATH]" writes teamlens-collector_<version>_<arch>.deb:
// the collector as /usr/bin/teamlens-collector, its settings in
// /etc/teamlens/collector.conf (a conffile, 0600 root, kept on upgrade:
// TEAMLENS_DB, TEAMLENS_LISTEN, TEAMLENS_ENROLL_SECRET, empty so that only
// minted enroll tokens work, and TEAMLENS_ARGS for other serve flags such
// as --tls-cert), a systemd unit and a SysV init script. postinst creates
// the system user teamlens-collector and /var/lib/teamlens-collector and
// /var/log/teamlens-collector (0750, the user's) and starts the service as
// that user; prerm stops it; remove unregisters it and keeps the data;
// purge deletes the database, the log, the settings and the user. Mint
// enroll tokens as the service user, so that the database stays its own:
// runuser -u teamlens-collector -- teamlens-collector enroll-token --db
// /var/lib/teamlens-collector/collector.db --expires 7d --uses 500.
//
// The same flags reach the other platforms' packages, which this machine
// cannot build:
//
//   - Windows MSI (WiX): public properties COLLECTOR, ENROLL_SECRET,
//     DATA_DIR, SPOOL_DIR, ANALYTICS, SEAT_USAGE, so an admin deploys with
//     msiexec /i teamlens-agent.msi /qn COLLECTOR=https://c:8080
//     ENROLL_SECRET=... ; a deferred custom action (Execute="deferred",
//     Impersonate="no", with the properties passed through
//     CustomActionData) runs "installer.exe install --silent --collector
//     [COLLECTOR] --enroll-secret [ENROLL_SECRET] ..." after InstallFiles,
//     and "installer.exe uninstall" runs on REMOVE="ALL" (with --purge when
//     a PURGE=1 property is given). Mark ENROLL_SECRET Hidden="yes" so it
//     stays out of the MSI log. The service is registered in the SCM by
//     kardianos with a restart recovery action. The viewer (viewer.exe,
//     built with "fyne package -os windows", which embeds the icon) is a
//     File of the same component group in [ProgramFiles64Folder]Teamlens,
//     with a per-machine Start menu Shortcut "My Insights" in
//     ProgramMenuFolder (Icon from the exe, Description as the desktop
//     entry's Comment); the MSI removes both on uninstall, and the
//     custom action passes --no-viewer, as the deb's postinst does.
//   - macOS pkg (pkgbuild/productbuild): the payload puts agent and
//     installer in /Library/Teamlens; the postinstall script runs
//     "installer install --silent --collector ... --enroll-secret-file
//     /Library/Teamlens/enroll-secret". MDM deployments (Jamf, Intune)
//     either build one pkg per collector, as the deb does, or drop a
//     configuration profile or a 0600 file with the two values before the
//     pkg runs, which postinstall reads. kardianos writes a LaunchDaemon
//     with KeepAlive. The viewer is a second payload component, "My
//     Insights.app" in /Applications (made by "fyne package -os darwin"
//     with the same icon, an Info.plist naming it My Insights), so it is
//     in Launchpad and Spotlight; postinstall passes --no-viewer. pkgutil
//     --forget plus removing the .app uninstalls it.
package main
