//go:build race

package ui_test

// raceEnabled: the race detector slows Fyne's software renderer tenfold.
const raceEnabled = true
