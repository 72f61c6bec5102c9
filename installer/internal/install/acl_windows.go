//go:build windows

package install

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// The Windows counterparts of the Unix modes, as protected DACLs (nothing
// inherited from %ProgramData%).
const (
	// PrivateSDDL (mode 0700, for the data and config dir): SYSTEM and the
	// administrators only, inherited by everything inside.
	PrivateSDDL = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
	// SpoolSDDL (mode 1777): SYSTEM and the administrators as above;
	// users may list the folder and create files in it (0x1200a3: list,
	// add file, traverse, read attributes, read control, synchronize), not
	// folders and not delete; each file's creator gets full control of
	// that file only (CREATOR OWNER, inherit-only), so no user touches
	// another's journal.
	SpoolSDDL = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;;0x1200a3;;;BU)(A;OIIO;FA;;;CO)"
)

// setACL gives the data, config and spool dirs their DACL; the program
// dir keeps the one it inherits.
func setACL(path, what string) error {
	var sddl string
	switch what {
	case "data dir", "config dir":
		sddl = PrivateSDDL
	case "spool dir":
		sddl = SpoolSDDL
	default:
		return nil
	}
	return applySDDL(path, sddl)
}

func applySDDL(path, sddl string) error {
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return fmt.Errorf("ACL %s: %w", sddl, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return fmt.Errorf("ACL %s: %w", sddl, err)
	}
	err = windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
	if err != nil {
		return fmt.Errorf("set ACL: %w", err)
	}
	return nil
}
