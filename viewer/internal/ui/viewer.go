// Package ui is the My Insights window: every Fyne widget of the viewer
// lives here. It reads the agent only through the localclient, in
// goroutines, and touches widgets only through fyne.Do, so a slow agent
// never freezes the window.
package ui

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"teamlens/shared/localclient"
)

// Options are the viewer's optional settings; the zero value is production.
type Options struct {
	Log *slog.Logger
	// Socket is named in the message shown when the agent cannot be reached.
	Socket string
}

// Viewer is the My Insights window's content and its loads.
type Viewer struct {
	ctx    context.Context
	win    fyne.Window
	client *localclient.Client
	opt    Options
	wg     sync.WaitGroup
	// uiMu serializes the loads' widget updates. fyne.Do already runs them
	// one at a time on the UI thread; the test driver runs them on the
	// calling goroutine, where this keeps them apart.
	uiMu sync.Mutex

	// me is the last answer of the agent about the user; UI thread only.
	me *localclient.Me

	who      *widget.Label
	status   *widget.Label
	tabs     *container.AppTabs
	overview *overviewTab
	perf     *performanceTab
	commands *commandsTab
	privacy  *privacyTab
}

// New builds the window's content into win; ctx bounds every load. Call
// Reload to fetch the data.
func New(ctx context.Context, win fyne.Window, client *localclient.Client, opt Options) *Viewer {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	v := &Viewer{ctx: ctx, win: win, client: client, opt: opt}
	v.overview = newOverviewTab(v)
	v.perf = newPerformanceTab(v)
	v.commands = newCommandsTab(v)
	v.privacy = newPrivacyTab(v)
	v.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Overview", theme.HomeIcon(), v.overview.content),
		container.NewTabItemWithIcon("Performance", theme.MediaFastForwardIcon(), v.perf.content),
		container.NewTabItemWithIcon("Commands", theme.ListIcon(), v.commands.content),
		container.NewTabItemWithIcon("Privacy", theme.VisibilityIcon(), v.privacy.content),
	)
	title := widget.NewLabelWithStyle("My Insights", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	v.who = widget.NewLabel("Connecting to the Teamlens agent…")
	v.status = widget.NewLabel("")
	refresh := widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), v.Reload)
	header := container.NewBorder(nil, nil,
		container.NewVBox(title, container.NewHBox(v.who, v.status)), container.NewCenter(refresh))
	win.SetContent(container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil, v.tabs))
	return v
}

// Reload fetches everything again.
func (v *Viewer) Reload() {
	load(v, v.client.Me, func(me localclient.Me, err error) {
		if err != nil {
			v.opt.Log.Warn("viewer: agent not reachable", "err", err)
			v.me = nil
			v.who.SetText("")
			v.status.Importance = widget.DangerImportance
			v.status.SetText("The Teamlens agent is not reachable" + v.socketHint() + ": is its service running?")
			v.privacy.show(nil)
			v.commands.setProducts(nil)
			return
		}
		v.me = &me
		v.who.SetText("Signed in as " + me.User + " ·")
		if me.Consent {
			v.status.Importance = widget.SuccessImportance
			v.status.SetText("Analytics on")
		} else {
			v.status.Importance = widget.WarningImportance
			v.status.SetText("Analytics off: usage time only")
		}
		v.privacy.show(&me)
		v.commands.setProducts(me.Products)
	})
	v.overview.reload()
	v.perf.reload()
}

func (v *Viewer) socketHint() string {
	if v.opt.Socket == "" {
		return ""
	}
	return " at " + v.opt.Socket
}

// Wait returns once every load started so far has reached the widgets.
func (v *Viewer) Wait() { v.wg.Wait() }

// Do runs fn as one UI event, never at the same time as a load's update of
// the widgets. Fyne's own events are serialized on its UI thread already;
// tests, which drive widgets from their own goroutine, go through Do.
func (v *Viewer) Do(fn func()) {
	v.uiMu.Lock()
	defer v.uiMu.Unlock()
	fn()
}

// Tabs is the window's tab bar, so a caller may open a tab.
func (v *Viewer) Tabs() *container.AppTabs { return v.tabs }

// load runs fn off the UI thread and hands its result to done on it.
func load[T any](v *Viewer, fn func(context.Context) (T, error), done func(T, error)) {
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		ctx, cancel := context.WithTimeout(v.ctx, 30*time.Second)
		defer cancel()
		res, err := fn(ctx)
		if v.ctx.Err() != nil {
			return // the window is closing
		}
		fyne.DoAndWait(func() {
			v.uiMu.Lock()
			defer v.uiMu.Unlock()
			done(res, err)
		})
	}()
}

// heading is a section title.
func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// note is a wrapped explanatory line.
func note(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}
