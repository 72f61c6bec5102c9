//go:build windows

package logfile

import (
	"golang.org/x/sys/windows/svc/eventlog"
)

// EventLog opens the Windows Application event log under source (the
// service's name, which the installer registers as an event source) and
// returns a sink for ErrorsTo and its closer.
func EventLog(source string) (sink func(string) error, closer func() error, err error) {
	l, err := eventlog.Open(source)
	if err != nil {
		return nil, nil, err
	}
	// Event ID 1: kardianos registers the source with EventCreate's
	// message file, whose messages 1-1000 print the text as given.
	return func(msg string) error { return l.Error(1, msg) }, l.Close, nil
}
