//go:build !windows

package main

import "errors"

func run(string, []string) (int, error) {
	return 0, errors.New("runlimited runs on Windows only")
}
