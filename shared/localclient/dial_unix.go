//go:build !windows

package localclient

import (
	"context"
	"net"
)

func dial(ctx context.Context, socketPath string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", socketPath)
}
