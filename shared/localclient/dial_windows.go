//go:build windows

package localclient

import (
	"context"
	"net"

	"github.com/Microsoft/go-winio"
)

// dial opens the agent's named pipe. The agent reads who is asking from
// this process's token, so nothing about the caller travels in the request.
func dial(ctx context.Context, pipe string) (net.Conn, error) {
	return winio.DialPipeContext(ctx, pipe)
}
