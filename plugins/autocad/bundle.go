// Package autocad holds the AutoCAD autoloader bundle (Teamlens.bundle),
// embedded so the Windows installer can place it in
// %ProgramData%\Autodesk\ApplicationPlugins.
package autocad

import "embed"

// Bundle is Teamlens.bundle: PackageContents.xml and Contents/teamlens.lsp.
//
//go:embed Teamlens.bundle
var Bundle embed.FS

// BundleName is the bundle's folder name under ApplicationPlugins.
const BundleName = "Teamlens.bundle"
