// Command runlimited runs a program with the unelevated token linked to
// the caller's elevated one, for the Wine tests (winetest.InstallLimited):
// runlimited PROGRAM [ARGS...]. Its exit code is the program's.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: runlimited PROGRAM [ARGS...]")
		os.Exit(2)
	}
	code, err := run(os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "runlimited:", err)
		os.Exit(2)
	}
	os.Exit(code)
}
