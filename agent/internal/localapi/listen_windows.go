//go:build windows

package localapi

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/Microsoft/go-winio"
)

// PipeSDDL is the named pipe's security descriptor: SYSTEM and the
// administrators have full access, local interactive users may read and
// write (connect), and network logons are denied outright. go-winio also
// creates the pipe with FILE_PIPE_REJECT_REMOTE_CLIENTS, so no other machine
// reaches it whatever the ACL says.
const PipeSDDL = "D:P(D;;GA;;;NU)(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGW;;;IU)"

// listen creates the named pipe. A pipe that already exists belongs to
// another agent: Windows removes a pipe with its last handle, so there is
// nothing stale to clear.
func listen(path string) (net.Listener, error) {
	if !strings.HasPrefix(strings.ToLower(path), `\\.\pipe\`) {
		return nil, fmt.Errorf("local API %q: on Windows --socket names a pipe such as \\\\.\\pipe\\teamlens-agent", path)
	}
	timeout := time.Second
	if c, err := winio.DialPipe(path, &timeout); err == nil {
		c.Close()
		return nil, fmt.Errorf("another agent answers on %s; its pipe is left alone", path)
	}
	ln, err := winio.ListenPipe(path, &winio.PipeConfig{SecurityDescriptor: PipeSDDL})
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	return ln, nil
}
