// Package license reads the license picture (teams, directory users,
// subscriptions, seat assignments) from the CSV files of docs/import.md, checking
// every cell so that an import either stores a whole file or nothing.
package license

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"teamlens/shared/catalog"
	"teamlens/shared/journal"
)

// DateLayout is the layout of every date of the license picture.
const DateLayout = "2006-01-02"

// Kinds of CSV file, as named by `collector import --kind`.
const (
	KindTeams         = "teams"
	KindUsers         = "users"
	KindSubscriptions = "subscriptions"
	KindAssignments   = "assignments"
)

// Headers are the exact CSV headers of each kind (contract).
var headers = map[string][]string{
	KindTeams:         {"team", "name", "plan", "user_management"},
	KindUsers:         {"email", "login", "name"},
	KindSubscriptions: {"subscription", "team", "product", "type", "seats", "channel", "start", "end"},
	KindAssignments:   {"subscription", "email", "assigned_on"},
}

// optional are the columns a kind may have after its header's, in any
// order (License money): files without them import as before.
var optional = map[string][]string{
	KindUsers:         {"department"},
	KindSubscriptions: {"price", "currency", "term"},
}

// Terms a subscription's price may be for, and the years each lasts.
var Terms = map[string]float64{"monthly": 1.0 / 12, "annual": 1, "3-year": 3}

// Header returns the CSV header of a kind, or nil for an unknown kind.
func Header(kind string) []string { return append([]string(nil), headers[kind]...) }

// Team is a row of teams.csv.
type Team struct {
	Line           int
	Team           string
	Name           string
	Plan           string // standard | premium
	UserManagement string // named | classic
}

// User is a row of users.csv. Emails are kept lower-case so assignments
// match whatever case the export used.
type User struct {
	Line       int
	Email      string
	Login      string
	Name       string
	Department string // "" none
}

// LoginKey is the form a login is matched in.
func (u User) LoginKey() string { return LoginKey(u.Login) }

// LoginKey lower-cases a login and drops a DOMAIN\ prefix, so "CORP\JDoe"
// and "jdoe" are the same person.
func LoginKey(login string) string {
	if i := strings.LastIndexByte(login, '\\'); i >= 0 {
		login = login[i+1:]
	}
	return strings.ToLower(login)
}

// Subscription is a row of subscriptions.csv.
type Subscription struct {
	Line         int
	Subscription string
	Team         string
	Product      string // canonical catalog spelling
	Type         string // single-user | flex | multi-user
	Seats        int64
	Channel      string // online | reseller
	Start, End   string // YYYY-MM-DD, inclusive
	// The price of one seat for one term, in thousandths of Currency;
	// PriceMilli < 0 is unpriced.
	PriceMilli int64
	Currency   string // ISO 4217
	Term       string // monthly | annual | 3-year
}

// Priced reports whether the subscription has a price.
func (s Subscription) Priced() bool { return s.PriceMilli >= 0 && s.Currency != "" }

// SeatYearlyMilli is what one seat costs a year, in thousandths.
func (s Subscription) SeatYearlyMilli() float64 {
	years := Terms[s.Term]
	if years == 0 {
		years = 1
	}
	return float64(s.PriceMilli) / years
}

// ActiveOn reports whether the subscription runs on day (YYYY-MM-DD).
func (s Subscription) ActiveOn(day string) bool { return s.Start <= day && day <= s.End }

// Assignment is a row of assignments.csv: a seat of a subscription given to
// a user.
type Assignment struct {
	Line         int
	Subscription string
	Email        string
	AssignedOn   string
}

// File is one parsed CSV file; exactly one slice is set, per Kind.
type File struct {
	Kind string
	// Columns lists the optional columns the file has: an import sets
	// only those, so a file without prices keeps the prices stored.
	Columns       map[string]bool
	Teams         []Team
	Users         []User
	Subscriptions []Subscription
	Assignments   []Assignment
}

// Len returns the number of rows.
func (f *File) Len() int {
	return len(f.Teams) + len(f.Users) + len(f.Subscriptions) + len(f.Assignments)
}

// CellError names the line (1-based, the header is line 1) and column of a
// bad cell.
type CellError struct {
	Line   int
	Column string
	Err    error
}

func (e *CellError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d, column %s: %v", e.Line, e.Column, e.Err)
}

func (e *CellError) Unwrap() error { return e.Err }

// Parse reads a whole CSV file of kind; products are checked against cat.
// The first bad cell fails the file.
func Parse(kind string, r io.Reader, cat *catalog.Catalog) (*File, error) {
	want, ok := headers[kind]
	if !ok {
		return nil, fmt.Errorf("unknown kind %q (want teams, users, subscriptions or assignments)", kind)
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // a wrong header is reported as such below
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("file is empty: want header " + strings.Join(want, ","))
	}
	if err != nil {
		return nil, csvError(err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	f := &File{Kind: kind, Columns: map[string]bool{}}
	cols := append([]string(nil), want...)
	badHeader := &CellError{Line: 1, Err: fmt.Errorf("header is %q, want %q (optional after it: %s)",
		strings.Join(head, ","), strings.Join(want, ","), strings.Join(optional[kind], ","))}
	if len(head) < len(want) {
		return nil, badHeader
	}
	for i, h := range head {
		h = strings.TrimSpace(h)
		switch {
		case i < len(want) && h != want[i]:
			return nil, badHeader
		case i >= len(want) && (!slices.Contains(optional[kind], h) || f.Columns[h]):
			return nil, badHeader
		case i >= len(want):
			f.Columns[h] = true
			cols = append(cols, h)
		}
	}
	cr.FieldsPerRecord = len(cols)
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		row := rowReader{line: line, cols: cols, rec: rec}
		key, err := f.add(&row, cat)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[key]; dup {
			return nil, &CellError{Line: line, Column: want[0], Err: fmt.Errorf("%q repeats line %d", key, prev)}
		}
		seen[key] = line
	}
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &CellError{Line: pe.Line, Err: pe.Err}
	}
	return fmt.Errorf("read csv: %w", err)
}

// add parses one record into f and returns its key within the file.
func (f *File) add(r *rowReader, cat *catalog.Catalog) (string, error) {
	switch f.Kind {
	case KindTeams:
		t := Team{Line: r.line, Team: r.name("team"), Name: r.text("name"),
			Plan: r.oneOf("plan", "standard", "premium"), UserManagement: r.oneOf("user_management", "named", "classic")}
		f.Teams = append(f.Teams, t)
		return t.Team, r.err
	case KindUsers:
		u := User{Line: r.line, Email: r.email("email"), Login: r.login("login"), Name: r.text("name"), Department: r.text("department")}
		f.Users = append(f.Users, u)
		return u.Email, r.err
	case KindSubscriptions:
		s := Subscription{Line: r.line, Subscription: r.name("subscription"), Team: r.name("team"),
			Product: r.product("product", cat), Type: r.oneOf("type", "single-user", "flex", "multi-user"),
			Seats: r.whole("seats"), Channel: r.oneOf("channel", "online", "reseller"),
			Start: r.date("start"), End: r.date("end")}
		if r.err == nil && s.End < s.Start {
			r.fail("end", fmt.Errorf("%s is before start %s", s.End, s.Start))
		}
		s.PriceMilli, s.Currency, s.Term = r.price()
		f.Subscriptions = append(f.Subscriptions, s)
		return s.Subscription, r.err
	case KindAssignments:
		a := Assignment{Line: r.line, Subscription: r.name("subscription"), Email: r.email("email"), AssignedOn: r.date("assigned_on")}
		f.Assignments = append(f.Assignments, a)
		return a.Subscription + " " + a.Email, r.err
	}
	return "", fmt.Errorf("unknown kind %q", f.Kind)
}

// rowReader reads typed cells of one record, keeping the first error.
type rowReader struct {
	line int
	cols []string
	rec  []string
	err  error
}

func (r *rowReader) fail(col string, err error) {
	if r.err == nil {
		r.err = &CellError{Line: r.line, Column: col, Err: err}
	}
}

// cell is the value of col; an optional column the file lacks is "".
func (r *rowReader) cell(col string) string {
	for i, c := range r.cols {
		if c == col {
			return strings.TrimSpace(r.rec[i])
		}
	}
	return ""
}

// price reads the price, currency and term of a subscription row: an
// empty price is unpriced, a price needs a currency.
func (r *rowReader) price() (milli int64, currency, term string) {
	term = r.cell("term")
	if term == "" {
		term = "annual"
	} else if _, ok := Terms[term]; !ok {
		r.fail("term", fmt.Errorf("%q is not one of monthly, annual, 3-year", term))
	}
	v, currency := r.cell("price"), r.cell("currency")
	if v == "" {
		return -1, "", term
	}
	milli, err := ParseMoney(v)
	if err != nil {
		r.fail("price", err)
	}
	if !ValidCurrency(currency) {
		r.fail("currency", fmt.Errorf("%q is not an ISO 4217 code such as EUR (a price needs one)", currency))
	}
	return milli, currency, term
}

// ValidCurrency reports whether c looks like an ISO 4217 code: three
// capital letters.
func ValidCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, ch := range c {
		if ch < 'A' || ch > 'Z' {
			return false
		}
	}
	return true
}

// ParseMoney reads a decimal amount such as 1234.5 into thousandths.
func ParseMoney(v string) (int64, error) {
	whole, frac, _ := strings.Cut(v, ".")
	bad := fmt.Errorf("%q is not an amount such as 1234.50", v)
	if whole == "" || len(frac) > 3 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return 0, bad
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || n > 1e12 {
		return 0, bad
	}
	f, _ := strconv.ParseInt((frac + "000")[:3], 10, 64)
	return n*1000 + f, nil
}

// text is free text for people to read (names); control characters are
// refused so a cell cannot forge lines in an export.
func (r *rowReader) text(col string) string {
	v := r.cell(col)
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		r.fail(col, fmt.Errorf("%q has a control character", v))
	}
	return v
}

// name is an identifier such as a team or subscription id.
func (r *rowReader) name(col string) string {
	v := r.text(col)
	if v == "" {
		r.fail(col, errors.New("is empty"))
	}
	return v
}

func (r *rowReader) oneOf(col string, allowed ...string) string {
	v := r.cell(col)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(col, fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", ")))
	return v
}

func (r *rowReader) whole(col string) int64 {
	v := r.cell(col)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		r.fail(col, fmt.Errorf("%q is not a whole number", v))
	}
	return n
}

func (r *rowReader) date(col string) string {
	v := r.cell(col)
	if _, err := time.Parse(DateLayout, v); err != nil {
		r.fail(col, fmt.Errorf("%q is not a date YYYY-MM-DD", v))
	}
	return v
}

func (r *rowReader) email(col string) string {
	v := strings.ToLower(r.text(col))
	if err := CheckEmail(v); err != nil {
		r.fail(col, err)
	}
	return v
}

// CheckEmail accepts what can be a user's email address: one "@" with text
// on both sides, and no space or CSV separator.
func CheckEmail(v string) error {
	at := strings.IndexByte(v, '@')
	if at <= 0 || at == len(v)-1 || strings.Count(v, "@") != 1 || strings.ContainsAny(v, " ,;\"<>\t") {
		return fmt.Errorf("%q is not an email address", v)
	}
	return nil
}

func (r *rowReader) login(col string) string {
	v := r.cell(col)
	if !journal.ValidUser(v) {
		r.fail(col, fmt.Errorf("%q is not a valid login", v))
	}
	return v
}

func (r *rowReader) product(col string, cat *catalog.Catalog) string {
	v := r.cell(col)
	p, ok := cat.Lookup(v)
	if !ok {
		r.fail(col, fmt.Errorf("%q is not a product of the catalog", v))
		return v
	}
	return p.Name
}
