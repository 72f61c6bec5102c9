//go:build windows

package fileid

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

func openNoFollow(path string) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.READ_CONTROL,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil,
		windows.OPEN_EXISTING, windows.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

func (r *Resolver) describe(f *os.File) (Info, error) {
	fi, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	if !fi.Mode().IsRegular() {
		return Info{}, errors.New("not a regular file")
	}
	h := windows.Handle(f.Fd())
	var bhfi windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &bhfi); err != nil {
		return Info{}, err
	}
	sd, err := windows.GetSecurityInfo(h, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return Info{}, err
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return Info{}, err
	}
	name, err := r.cached(owner.String(), func(string) (string, error) {
		account, domain, _, err := owner.LookupAccount("")
		if err != nil {
			return "", err
		}
		if domain == "" {
			return account, nil
		}
		return domain + `\` + account, nil
	})
	if err != nil {
		return Info{}, err
	}
	return Info{
		Dev:     uint64(bhfi.VolumeSerialNumber),
		Ino:     uint64(bhfi.FileIndexHigh)<<32 | uint64(bhfi.FileIndexLow),
		Size:    fi.Size(),
		ModTime: fi.ModTime(),
		User:    name,
	}, nil
}
