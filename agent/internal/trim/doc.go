// Package trim gives an idle agent's start-up memory back to the system,
// so what Task Manager or top shows next to a CAD product is what the
// agent uses while it waits, not what it touched once while starting.
package trim
