// Package shared holds nothing itself: its sub-packages are the contracts the
// agent, collector, viewer and installer share (documented in docs/).
package shared
