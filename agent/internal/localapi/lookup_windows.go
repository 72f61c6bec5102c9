//go:build windows

package localapi

import "golang.org/x/sys/windows"

// lookupUID names the account of a SID as DOMAIN\user, the form the
// spool reader gives a journal file's owner (fileid), so a caller's data
// and their journals meet under one login.
func lookupUID(sid string) (string, error) {
	s, err := windows.StringToSid(sid)
	if err != nil {
		return "", err
	}
	account, domain, _, err := s.LookupAccount("")
	if err != nil {
		return "", err
	}
	if domain == "" {
		return account, nil
	}
	return domain + `\` + account, nil
}
