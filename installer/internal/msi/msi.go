// Package msi builds the Windows Installer package of the agent with wixl
// (Debian's msitools), the Windows counterpart of package deb: a per-machine
// MSI that puts agent.exe, installer.exe and the viewer under
// %ProgramFiles%\Teamlens, adds the Start-menu shortcut "My Insights", and
// runs `installer.exe install` (the service, the configuration, the ACLs)
// as a deferred custom action under LocalSystem. Its public properties
// COLLECTOR, ENROLL_SECRET, ANALYTICS and SEAT_USAGE default to the values
// baked in at build time and may be overridden on the msiexec command line;
// ENROLL_SECRET is in MsiHiddenProperties, so the MSI log never shows it.
// Removing the package runs `installer.exe uninstall`, and with PURGE=1
// `uninstall --purge`, which also removes the data.
package msi

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"teamlens/plugins/autocad"
	"teamlens/shared/brand"
	"teamlens/shared/config"
)

// UpgradeCode is the one identity of the product across versions: a newer
// MSI with it replaces an older one in place (a major upgrade), which
// reruns `installer install`, an upgrade that keeps data and consent.
const UpgradeCode = "6F1C0C5E-3B0A-4E8B-9C55-2B7D51A3E0A1"

// Options are the flags of "installer package --format msi".
type Options struct {
	Collector    string
	EnrollSecret string
	// Analytics and SeatUsage are the baked defaults of ANALYTICS and
	// SEAT_USAGE; empty means user-choice and true.
	Analytics string
	SeatUsage string
	OutDir    string
	// AgentBinary, ViewerBinary and InstallerBinary are the Windows
	// builds; defaults agent.exe, viewer.exe and installer.exe in BinDir.
	AgentBinary, ViewerBinary, InstallerBinary string
	// BinDir defaults to the running installer's directory.
	BinDir string
	// Version is the product version; only its leading numbers count
	// (MSI versions are major.minor.build).
	Version string
	// Wixl is the wixl binary; default "wixl" on PATH.
	Wixl string
}

// Result is what Build wrote.
type Result struct {
	Path string
	// Viewer is false when no viewer.exe was found: the package then has
	// neither the viewer nor the shortcut.
	Viewer bool
}

// FileName is the package's file name for a version.
func FileName(version string) string {
	return fmt.Sprintf("%s-%s-x64.msi", config.ServiceName, version)
}

var versionRE = regexp.MustCompile(`^(\d+)(?:\.(\d+))?(?:\.(\d+))?`)

// productVersion is the MSI ProductVersion of a version such as 1.4.2 or
// v1.4.2-3-gabc: its leading major.minor.build, each within MSI's limits.
func productVersion(v string) (string, error) {
	m := versionRE.FindStringSubmatch(strings.TrimPrefix(v, "v"))
	if m == nil {
		return "", fmt.Errorf("version %q does not start with a number: an MSI needs major.minor.build", v)
	}
	parts := []string{m[1], m[2], m[3]}
	for i, p := range parts {
		if p == "" {
			parts[i] = "0"
		}
	}
	return strings.Join(parts, "."), nil
}

// Build writes the MSI into o.OutDir. It holds the enroll secret, so the
// file is 0600 like the deb.
func Build(o Options) (Result, error) {
	var res Result
	if o.Collector == "" || o.EnrollSecret == "" {
		return res, errors.New("a package needs --collector and --enroll-secret")
	}
	if o.Analytics == "" {
		o.Analytics = config.AnalyticsUserChoice
	}
	if o.SeatUsage == "" {
		o.SeatUsage = "true"
	}
	if err := config.CheckAnalytics(o.Analytics); err != nil {
		return res, err
	}
	for name, v := range map[string]string{"collector URL": o.Collector, "enroll secret": o.EnrollSecret} {
		// Formatted into the custom action's command line: no quotes, no
		// brackets (MSI formatting), no line breaks.
		if strings.ContainsAny(v, "\"[]{}\r\n") {
			return res, fmt.Errorf("%s may not contain quotes, brackets, braces or line breaks in an MSI", name)
		}
	}
	pv, err := productVersion(o.Version)
	if err != nil {
		return res, err
	}
	if o.BinDir == "" {
		self, err := os.Executable()
		if err != nil {
			return res, err
		}
		o.BinDir = filepath.Dir(self)
	}
	def := func(p *string, name string) {
		if *p == "" {
			*p = filepath.Join(o.BinDir, name)
		}
	}
	def(&o.AgentBinary, "agent.exe")
	def(&o.InstallerBinary, "installer.exe")
	viewerGiven := o.ViewerBinary != ""
	def(&o.ViewerBinary, "viewer.exe")
	for what, p := range map[string]string{"agent binary": o.AgentBinary, "installer binary": o.InstallerBinary} {
		if _, err := os.Stat(p); err != nil {
			return res, fmt.Errorf("%s: %w (build it with GOOS=windows, or pass --%s)", what, err, strings.ReplaceAll(what, " ", "-"))
		}
	}
	if _, err := os.Stat(o.ViewerBinary); err == nil {
		res.Viewer = true
	} else if viewerGiven {
		return res, fmt.Errorf("viewer binary: %w", err)
	}
	if o.Wixl == "" {
		o.Wixl = "wixl"
	}
	if o.OutDir == "" {
		o.OutDir = "."
	}

	work, err := os.MkdirTemp("", "teamlens-msi")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(work)
	// wixl takes sources relative to its working directory only.
	copies := map[string]string{"agent.exe": o.AgentBinary, "installer.exe": o.InstallerBinary}
	if res.Viewer {
		copies["viewer.exe"] = o.ViewerBinary
	}
	for name, from := range copies {
		b, err := os.ReadFile(from)
		if err != nil {
			return res, err
		}
		if err := os.WriteFile(filepath.Join(work, name), b, 0o600); err != nil {
			return res, err
		}
	}
	// Teamlens' icon, for the shortcut and Add or remove programs.
	ico, err := brand.ICO()
	if err != nil {
		return res, err
	}
	if err := os.WriteFile(filepath.Join(work, "teamlens.ico"), ico, 0o600); err != nil {
		return res, err
	}
	// The AutoCAD bundle, for %ProgramData%\Autodesk\ApplicationPlugins.
	for _, name := range []string{"PackageContents.xml", "Contents/teamlens.lsp"} {
		b, err := autocad.Bundle.ReadFile(autocad.BundleName + "/" + name)
		if err != nil {
			return res, err
		}
		if err := os.WriteFile(filepath.Join(work, "bundle-"+filepath.Base(name)), b, 0o600); err != nil {
			return res, err
		}
	}
	var wxs bytes.Buffer
	err = wxsTemplate.Execute(&wxs, map[string]any{
		"Version": pv, "UpgradeCode": UpgradeCode,
		"Collector": o.Collector, "Secret": o.EnrollSecret, "Analytics": o.Analytics, "SeatUsage": o.SeatUsage,
		"HasViewer": res.Viewer,
	})
	if err != nil {
		return res, err
	}
	src := filepath.Join(work, "teamlens.wxs")
	if err := os.WriteFile(src, wxs.Bytes(), 0o600); err != nil {
		return res, err
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return res, err
	}
	tmp := filepath.Join(work, "out.msi")
	cmd := exec.Command(o.Wixl, "-a", "x64", "-o", tmp, src)
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil {
		return res, fmt.Errorf("wixl: %v: %s", err, strings.TrimSpace(string(out)))
	}
	b, err := os.ReadFile(tmp)
	if err != nil {
		return res, err
	}
	res.Path = filepath.Join(o.OutDir, FileName(o.Version))
	if err := os.WriteFile(res.Path+".tmp", b, 0o600); err != nil {
		return res, err
	}
	return res, os.Rename(res.Path+".tmp", res.Path)
}

func xmlAttr(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var wxsTemplate = template.Must(template.New("wxs").Funcs(template.FuncMap{"x": xmlAttr}).Parse(`<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="*" Name="Teamlens agent" Language="1033" Version="{{.Version}}" Manufacturer="Teamlens" UpgradeCode="{{.UpgradeCode}}">
    <Package InstallerVersion="500" Compressed="yes" InstallScope="perMachine" Description="Teamlens agent, installer and My Insights"/>
    <Media Id="1" Cabinet="teamlens.cab" EmbedCab="yes"/>
    <Upgrade Id="{{.UpgradeCode}}">
      <UpgradeVersion Minimum="0.0.0" Maximum="{{.Version}}" IncludeMinimum="yes" IncludeMaximum="no" Property="OLDERFOUND"/>
    </Upgrade>
    <Property Id="COLLECTOR" Value="{{x .Collector}}"/>
    <Property Id="ENROLL_SECRET" Value="{{x .Secret}}"/>
    <Property Id="ANALYTICS" Value="{{x .Analytics}}"/>
    <Property Id="SEAT_USAGE" Value="{{x .SeatUsage}}"/>
    <Property Id="MsiHiddenProperties" Value="ENROLL_SECRET;InstallAgent"/>
    <Property Id="ARPNOMODIFY" Value="1"/>
    <Icon Id="teamlens.ico" SourceFile="teamlens.ico"/>
    <Property Id="ARPPRODUCTICON" Value="teamlens.ico"/>
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFiles64Folder">
        <Directory Id="INSTALLDIR" Name="Teamlens">
          <Directory Id="PKGDIR" Name="package">
            <Component Id="PackagedAgent" Guid="*" Win64="yes">
              <File Id="PackagedAgentExe" Name="agent.exe" Source="agent.exe" KeyPath="yes"/>
            </Component>
            <Component Id="PackagedInstaller" Guid="*" Win64="yes">
              <File Id="PackagedInstallerExe" Name="installer.exe" Source="installer.exe" KeyPath="yes"/>
            </Component>
          </Directory>{{if .HasViewer}}
          <Component Id="Viewer" Guid="*" Win64="yes">
            <File Id="ViewerExe" Name="viewer.exe" Source="viewer.exe" KeyPath="yes"/>
          </Component>{{end}}
        </Directory>
      </Directory>
      <Directory Id="CommonAppDataFolder">
        <Directory Id="AutodeskData" Name="Autodesk">
          <Directory Id="ApplicationPlugins" Name="ApplicationPlugins">
            <Directory Id="TeamlensBundle" Name="Teamlens.bundle">
              <Component Id="AutoCADBundle" Guid="*" Win64="yes">
                <File Id="BundleContents" Name="PackageContents.xml" Source="bundle-PackageContents.xml" KeyPath="yes"/>
              </Component>
              <Directory Id="TeamlensBundleContents" Name="Contents">
                <Component Id="AutoCADBundleLisp" Guid="*" Win64="yes">
                  <File Id="BundleLisp" Name="teamlens.lsp" Source="bundle-teamlens.lsp" KeyPath="yes"/>
                </Component>
              </Directory>
            </Directory>
          </Directory>
        </Directory>
      </Directory>{{if .HasViewer}}
      <Directory Id="ProgramMenuFolder">
        <Component Id="Shortcut" Guid="*">
          <Shortcut Id="MyInsights" Name="My Insights" Description="Your own CAD usage, from the Teamlens agent" Target="[INSTALLDIR]viewer.exe" WorkingDirectory="INSTALLDIR" Icon="teamlens.ico"/>
          <RegistryValue Root="HKLM" Key="Software\Teamlens" Name="MyInsightsShortcut" Type="integer" Value="1" KeyPath="yes"/>
        </Component>
      </Directory>{{end}}
    </Directory>
    <Feature Id="Agent" Level="1">
      <ComponentRef Id="PackagedAgent"/>
      <ComponentRef Id="PackagedInstaller"/>
      <ComponentRef Id="AutoCADBundle"/>
      <ComponentRef Id="AutoCADBundleLisp"/>{{if .HasViewer}}
      <ComponentRef Id="Viewer"/>
      <ComponentRef Id="Shortcut"/>{{end}}
    </Feature>
    <CustomAction Id="InstallAgent" FileKey="PackagedInstallerExe" ExeCommand="install --silent --agent-binary &quot;[PKGDIR]agent.exe&quot; --collector &quot;[COLLECTOR]&quot; --enroll-secret &quot;[ENROLL_SECRET]&quot; --analytics &quot;[ANALYTICS]&quot; --seat-usage=[SEAT_USAGE]" Execute="deferred" Impersonate="no" Return="check"/>
    <CustomAction Id="UninstallAgent" FileKey="PackagedInstallerExe" ExeCommand="uninstall" Execute="deferred" Impersonate="no" Return="check"/>
    <CustomAction Id="PurgeAgent" FileKey="PackagedInstallerExe" ExeCommand="uninstall --purge" Execute="deferred" Impersonate="no" Return="check"/>
    <!-- Explicit numbers (standard: InstallValidate 1400, InstallInitialize
         1500, RemoveFiles 3500, InstallFiles 4000, InstallFinalize 6600):
         wixl does not place Before/After reliably, and deferred actions
         must fall inside the script. -->
    <InstallExecuteSequence>
      <RemoveExistingProducts Sequence="1450"/>
      <Custom Action="InstallAgent" Sequence="6500">NOT REMOVE="ALL"</Custom>
      <Custom Action="UninstallAgent" Sequence="3400">REMOVE="ALL" AND NOT UPGRADINGPRODUCTCODE AND NOT PURGE="1"</Custom>
      <Custom Action="PurgeAgent" Sequence="3410">REMOVE="ALL" AND NOT UPGRADINGPRODUCTCODE AND PURGE="1"</Custom>
    </InstallExecuteSequence>
  </Product>
</Wix>
`))
