package main

// viewer.exe's icon (shared/brand) comes from rsrc_windows_amd64.syso,
// which go build links on Windows; regenerate it when the icon changes.
//go:generate go run ./internal/winres rsrc_windows_amd64.syso
