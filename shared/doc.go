// Package shared holds nothing itself: its sub-packages are the contracts the
// agent, collector, viewer and installer share (see ../shared/DESIGN.md).
package shared
