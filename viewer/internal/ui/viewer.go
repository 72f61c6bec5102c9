// Package ui is the My Insights window: every Fyne widget of the viewer
// lives here. It reads the agent only through the localclient, in
// goroutines, and touches widgets only through fyne.Do, so a slow agent
// never freezes the window.
package ui

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"teamlens/shared/brand"
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

	// me is the last answer of the agent about the user, nil while the
	// agent is not reachable; UI thread only.
	me *localclient.Me

	who      *widget.Label
	status   *widget.Label
	tabs     *container.AppTabs
	down     *fyne.Container
	downText *widget.Label
	overview *overviewTab
	perf     *performanceTab
	commands *commandsTab
	drawings *drawingsTab
	privacy  *privacyTab
}

// New builds the window's content into win; ctx bounds every load. Call
// Reload to fetch the data.
func New(ctx context.Context, win fyne.Window, client *localclient.Client, opt Options) *Viewer {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	v := &Viewer{ctx: ctx, win: win, client: client, opt: opt}
	if icon, err := windowIcon(); err == nil {
		win.SetIcon(icon)
	} else {
		opt.Log.Warn("no window icon", "err", err)
	}
	v.overview = newOverviewTab(v)
	v.perf = newPerformanceTab(v)
	v.commands = newCommandsTab(v)
	v.drawings = newDrawingsTab(v)
	v.privacy = newPrivacyTab(v)
	v.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Overview", theme.HomeIcon(), v.overview.content),
		container.NewTabItemWithIcon("Performance", theme.MediaFastForwardIcon(), v.perf.content),
		container.NewTabItemWithIcon("Commands", theme.ListIcon(), v.commands.content),
		container.NewTabItemWithIcon("My drawings", theme.DocumentIcon(), v.drawings.content),
		container.NewTabItemWithIcon("Privacy", theme.VisibilityIcon(), v.privacy.content),
	)
	title := widget.NewLabelWithStyle("My Insights", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	v.who = widget.NewLabel("Connecting to the Teamlens agent…")
	v.status = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	refresh := widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), v.Reload)
	header := container.NewBorder(nil, nil,
		container.NewVBox(title, container.NewHBox(v.who, v.status)), container.NewCenter(refresh))
	v.downText = note("")
	v.down = container.NewPadded(widget.NewCard("", "", container.NewBorder(nil, nil,
		container.NewVBox(widget.NewIcon(theme.WarningIcon())), nil,
		container.NewVBox(heading("My Insights cannot reach the Teamlens agent"), v.downText))))
	v.down.Hide()
	body := container.NewStack(v.tabs, container.NewVBox(v.down))
	win.SetContent(container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil, body))
	return v
}

// Reload asks the agent who the user is and what they chose, then fetches
// every tab: the tabs read that answer, so the header and the tabs never
// disagree about analytics being on.
func (v *Viewer) Reload() {
	load(v, v.client.Me, func(me localclient.Me, err error) {
		if err != nil {
			v.opt.Log.Warn("viewer: agent not reachable", "err", err)
			v.showDown(err)
			return
		}
		v.me = &me
		v.down.Hide()
		v.tabs.Show()
		v.who.SetText("Signed in as " + me.User)
		switch {
		case !me.Policy.AnalyticsAllowed():
			v.status.Importance = widget.MediumImportance
			v.status.SetText("·  Analytics disabled by your administrator: usage time only")
		case me.Consent:
			v.status.Importance = widget.SuccessImportance
			v.status.SetText("·  Analytics on")
		default:
			v.status.Importance = widget.WarningImportance
			v.status.SetText("·  Analytics off: usage time only")
		}
		v.privacy.show(&me)
		v.overview.reload()
		v.perf.reload()
		v.commands.setProducts(me.Products)
		v.drawings.setProducts(me.Products)
	})
}

// showDown replaces every tab with one state saying what is wrong and
// what to do, so no tab shows a stale figure or a raw error beside it.
func (v *Viewer) showDown(err error) {
	v.me = nil
	v.who.SetText("Not connected")
	v.status.SetText("")
	v.privacy.show(nil)
	var api *localclient.Error
	if errors.As(err, &api) {
		v.downText.SetText("The agent" + v.socketHint() + " answered but refused: " + api.Message +
			". Ask your IT administrator to check the Teamlens agent service, then press Refresh.")
	} else {
		v.downText.SetText("The Teamlens agent is not reachable" + v.socketHint() +
			", so there is nothing to show: its service is stopped or not installed. " +
			"To fix it, start the Teamlens agent service (on Linux: sudo systemctl start teamlens-agent) " +
			"or ask your IT administrator, then press Refresh. Your data stays on this computer meanwhile.")
	}
	v.tabs.Hide()
	v.down.Show()
}

// problem says in words why a load failed, without Go's error text.
func (v *Viewer) problem(what string, err error) string {
	var api *localclient.Error
	if errors.As(err, &api) {
		return "Could not load " + what + ": the agent answered " + api.Message + ". Press Refresh to try again."
	}
	return "Could not load " + what + ": the Teamlens agent stopped answering. Press Refresh to try again."
}

func (v *Viewer) socketHint() string {
	if v.opt.Socket == "" {
		return ""
	}
	return " at " + v.opt.Socket
}

// relayout lays the window out again from the top once a load or an event
// changed what it shows: texts grow, parts show and hide, so the sizes of
// their containers change too.
func (v *Viewer) relayout() {
	if c := v.win.Content(); c != nil {
		c.Refresh()
	}
}

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
			v.relayout()
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

// windowIcon is Teamlens' icon drawn for the window's title bar and the
// taskbar.
func windowIcon() (fyne.Resource, error) {
	img, err := brand.Image(256)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return fyne.NewStaticResource("teamlens.png", b.Bytes()), nil
}
