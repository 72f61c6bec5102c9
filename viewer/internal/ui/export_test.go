package ui

import "fyne.io/fyne/v2/container"

// What the tests, which drive the window from their own goroutine, need of
// a Viewer; the program itself never calls these.

// Wait returns once every load started so far has reached the widgets.
func (v *Viewer) Wait() { v.wg.Wait() }

// Do runs fn as one UI event, never at the same time as a load's update of
// the widgets. Fyne's own events are serialized on its UI thread already;
// tests, which drive widgets from their own goroutine, go through Do.
func (v *Viewer) Do(fn func()) {
	v.uiMu.Lock()
	defer v.uiMu.Unlock()
	fn()
	v.relayout()
}

// Tabs is the window's tab bar, so a caller may open a tab.
func (v *Viewer) Tabs() *container.AppTabs { return v.tabs }
