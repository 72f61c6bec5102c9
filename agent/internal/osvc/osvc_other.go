//go:build !windows

package osvc

import "context"

// exitIfUnsupervised has nothing to do on Unix: RunWait sees run end.
func exitIfUnsupervised(context.Context, error) {}
