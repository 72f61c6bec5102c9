//go:build !windows

package servicerun

import "context"

// exitIfUnsupervised has nothing to do on Unix: RunWait sees run end.
func exitIfUnsupervised(context.Context, error) {}
