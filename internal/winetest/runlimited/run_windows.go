//go:build windows

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

func run(prog string, args []string) (int, error) {
	tok, err := windows.GetCurrentProcessToken().GetLinkedToken()
	if err != nil {
		return 0, fmt.Errorf("linked token: %w", err)
	}
	defer tok.Close()
	if tok.IsElevated() {
		return 0, errors.New("the linked token is elevated too")
	}
	cmd := exec.Command(prog, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Token: syscall.Token(tok)}
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 0, err
	}
	return 0, nil
}
