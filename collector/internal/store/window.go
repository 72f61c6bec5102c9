package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/shared/wire"
)

// blockDays is the length of an aggregate block (migration 004). With 8, a
// 90-day window reads about 11 block rows and 7 edge days per user instead
// of 90 days.
const blockDays = 8

// The aggregates of a range of days, from usage rows: the same select list
// fills a block's aggregates and reads a window's edge days. Stat and
// command sums leave out rows that break the wire contract, as every read
// does.
var (
	productsOfDays = `SELECT login, product, COUNT(DISTINCT day), ` + statSums("startup", wire.MaxTimeMS, "1 = 1") + `, ` +
		statSums("save", wire.MaxTimeMS, "1 = 1") + `
		FROM usage_days WHERE day >= ? AND day <= ? GROUP BY login, product`
	versionsOfDays = `SELECT login, product, version, COUNT(DISTINCT day)
		FROM usage_days WHERE day >= ? AND day <= ? GROUP BY login, product, version`
	commandsOfDays = `SELECT login, product, command, ` + completedSum + `
		FROM usage_commands WHERE day >= ? AND day <= ? GROUP BY login, product, command`
	// A count outside the contract's daily bound is a row stored before the
	// bound existed: it counts as nothing.
	completedSum = `SUM(CASE WHEN completed BETWEEN 0 AND ` + strconv.Itoa(wire.MaxCommandOutcomes) + ` THEN completed ELSE 0 END)`
)

// aggregate is one kind of window aggregate: its block table and columns,
// the query of a range of usage rows, and how a row adds into a window.
type aggregate struct {
	table, columns, ofDays string
}

var aggregates = []aggregate{
	{"agg_products", "login, product, days, startup_sum, startup_count, save_sum, save_count", productsOfDays},
	{"agg_versions", "login, product, version, days", versionsOfDays},
	{"agg_commands", "login, product, command, completed", commandsOfDays},
}

// Window is the usage of a window of days, per matched directory user.
type Window struct {
	Products []UserProduct // LastUsed is set where Days is 0
	Versions []UserVersion
	Commands []UserCommand
}

// Uncached returns a view of the store, for reads only, that reads every
// window from usage rows alone: the reference the block aggregates are
// tested against.
func (s *Store) Uncached() *Store {
	return &Store{db: s.db, postgres: s.postgres, uncached: true}
}

// Window aggregates the usage of [from, to]: whole blocks from their
// aggregates (computed first where missing or stale), the days at either
// end from usage rows.
func (s *Store) Window(ctx context.Context, from, to string) (*Window, error) {
	f, err := dayNumber(from)
	if err != nil {
		return nil, err
	}
	t, err := dayNumber(to)
	if err != nil {
		return nil, err
	}
	k1, k2 := -floorDiv(-f, blockDays), floorDiv(t+1, blockDays)-1 // whole blocks inside
	edges := [][2]string{{from, to}}
	if s.uncached || k1 > k2 {
		k1, k2 = 1, 0
	} else {
		if err := s.ensureBlocks(ctx, k1, k2); err != nil {
			return nil, fmt.Errorf("window aggregates: %w", err)
		}
		edges = edges[:0]
		if f < k1*blockDays {
			edges = append(edges, [2]string{from, dayString(k1*blockDays - 1)})
		}
		if (k2+1)*blockDays <= t {
			edges = append(edges, [2]string{dayString((k2 + 1) * blockDays), to})
		}
	}
	acc := newAccumulator()
	for i, a := range aggregates {
		add := acc.adders[i]
		if k1 <= k2 {
			err = s.each(ctx, `SELECT `+a.columns+` FROM `+a.table+` WHERE block >= ? AND block <= ?`, []any{k1, k2}, add)
		}
		for _, e := range edges {
			if err == nil {
				err = s.each(ctx, a.ofDays, []any{e[0], e[1]}, add)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("window %s: %w", a.table, err)
		}
	}
	if err := s.lastUsed(ctx, acc, from, to); err != nil {
		return nil, err
	}
	emails, err := s.loginEmails(ctx)
	if err != nil {
		return nil, fmt.Errorf("window: %w", err)
	}
	return acc.window(emails), nil
}

// lastUsed adds the pairs used before the window and not in it, with their
// last day on or before to: inactive_user's last_used.
func (s *Store) lastUsed(ctx context.Context, acc *accumulator, from, to string) error {
	var later [][2]string // used after to as well: the bound says nothing
	err := s.each(ctx, `SELECT login, product, last_day FROM login_products WHERE first_day <= ?`, []any{to}, func(r *sql.Rows) error {
		var k [2]string
		var last string
		if err := r.Scan(&k[0], &k[1], &last); err != nil {
			return err
		}
		if p := acc.products[k]; p != nil && p.Days > 0 {
			return nil
		}
		if last > to {
			later = append(later, k)
			return nil
		}
		acc.product(k).LastUsed = last
		return nil
	})
	for _, k := range later {
		if err != nil {
			break
		}
		var last sql.NullString
		err = s.db.QueryRowContext(ctx, `SELECT MAX(day) FROM usage_days WHERE login = ? AND product = ? AND day < ?`, k[0], k[1], from).Scan(&last)
		if last.Valid {
			acc.product(k).LastUsed = last.String
		}
	}
	if err != nil {
		return fmt.Errorf("last used: %w", err)
	}
	return nil
}

// accumulator sums aggregate rows of blocks and edge days per login.
type accumulator struct {
	products map[[2]string]*UserProduct
	versions map[[3]string]int64
	commands map[[3]string]int64
	adders   []func(*sql.Rows) error // in the order of aggregates
}

func newAccumulator() *accumulator {
	a := &accumulator{products: map[[2]string]*UserProduct{}, versions: map[[3]string]int64{}, commands: map[[3]string]int64{}}
	a.adders = []func(*sql.Rows) error{
		func(r *sql.Rows) error {
			var k [2]string
			var x UserProduct
			if err := r.Scan(&k[0], &k[1], &x.Days, &x.StartupSum, &x.StartupCount, &x.SaveSum, &x.SaveCount); err != nil {
				return err
			}
			p := a.product(k)
			p.Days += x.Days
			p.StartupSum += x.StartupSum
			p.StartupCount += x.StartupCount
			p.SaveSum += x.SaveSum
			p.SaveCount += x.SaveCount
			return nil
		},
		counter(a.versions), counter(a.commands),
	}
	return a
}

func counter(m map[[3]string]int64) func(*sql.Rows) error {
	return func(r *sql.Rows) error {
		var k [3]string
		var n int64
		if err := r.Scan(&k[0], &k[1], &k[2], &n); err != nil {
			return err
		}
		m[k] += n
		return nil
	}
}

func (a *accumulator) product(k [2]string) *UserProduct {
	p := a.products[k]
	if p == nil {
		p = &UserProduct{Product: k[1]}
		a.products[k] = p
	}
	return p
}

// window expands the per-login sums to the directory users each login
// matches; usage of no known user is left out.
func (a *accumulator) window(emails map[string][]string) *Window {
	w := &Window{}
	for k, p := range a.products {
		for _, e := range emails[k[0]] {
			x := *p
			x.Email = e
			w.Products = append(w.Products, x)
		}
	}
	for k, n := range a.versions {
		for _, e := range emails[k[0]] {
			w.Versions = append(w.Versions, UserVersion{Email: e, Product: k[1], Version: k[2], Days: n})
		}
	}
	for k, n := range a.commands {
		for _, e := range emails[k[0]] {
			w.Commands = append(w.Commands, UserCommand{Email: e, Product: k[1], Command: k[2], Completed: n})
		}
	}
	return w
}

// UsageGeneration is a number that grows whenever usage of a day up to
// upTo's block is stored or removed: a snapshot of upTo computed at one
// generation is out of date at a higher one.
func (s *Store) UsageGeneration(ctx context.Context, upTo string) (int64, error) {
	n, err := dayNumber(upTo)
	if err != nil {
		return 0, err
	}
	var gen int64
	err = s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(gen), 0) FROM agg_generations WHERE block <= ?`, floorDiv(n, blockDays)).Scan(&gen)
	if err != nil {
		return 0, fmt.Errorf("usage generation: %w", err)
	}
	return gen, nil
}

// ensureBlocks computes the aggregates of every block in [k1, k2] that has
// none, or whose days were written since.
func (s *Store) ensureBlocks(ctx context.Context, k1, k2 int64) error {
	gens, done := map[int64]int64{}, map[int64]int64{}
	for table, m := range map[string]map[int64]int64{"agg_generations": gens, "agg_blocks": done} {
		err := s.each(ctx, `SELECT block, gen FROM `+table+` WHERE block >= ? AND block <= ?`, []any{k1, k2}, func(r *sql.Rows) error {
			var k, g int64
			if err := r.Scan(&k, &g); err != nil {
				return err
			}
			m[k] = g
			return nil
		})
		if err != nil {
			return err
		}
	}
	for k := k1; k <= k2; k++ {
		if g, ok := done[k]; ok && g == gens[k] {
			continue
		}
		if err := s.computeBlock(ctx, k, gens[k]); err != nil {
			return fmt.Errorf("block %d: %w", k, err)
		}
	}
	return nil
}

// computeBlock replaces block k's aggregates and records them as of
// generation gen, read before: an upload committed meanwhile bumped the
// generation, so the block is computed again at the next read.
func (s *Store) computeBlock(ctx context.Context, k, gen int64) error {
	first, last := dayString(k*blockDays), dayString(k*blockDays+blockDays-1)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, a := range aggregates {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+a.table+` WHERE block = ?`, k); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+a.table+` (block, `+a.columns+`) SELECT CAST(? AS BIGINT), * FROM (`+a.ofDays+`) AS x`,
				k, first, last); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO agg_blocks (block, gen) VALUES (?, ?)
			ON CONFLICT (block) DO UPDATE SET gen = excluded.gen`, k, gen)
		return err
	})
}

// touchAggregates records, in an upload's transaction, that the blocks of
// its days changed and how far each login's use of a product reaches.
func touchAggregates(ctx context.Context, tx *sql.Tx, days []wire.Day) error {
	blocks := map[int64]bool{}
	reach := map[[2]string][2]string{} // login, product -> first, last day
	for _, d := range days {
		n, err := dayNumber(d.Date)
		if err != nil {
			return err
		}
		blocks[floorDiv(n, blockDays)] = true
		k := [2]string{license.LoginKey(d.User), d.Product}
		r, ok := reach[k]
		if !ok || d.Date < r[0] {
			r[0] = d.Date
		}
		if !ok || d.Date > r[1] {
			r[1] = d.Date
		}
		reach[k] = r
	}
	// Rows in key order, so concurrent uploads lock them in the same order.
	var gens []any
	for _, k := range sortedKeys(blocks, func(a, b int64) bool { return a < b }) {
		gens = append(gens, k)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agg_generations (block, gen) VALUES `+groups("(?, 1)", len(gens))+` ON CONFLICT (block) DO UPDATE SET gen = agg_generations.gen + 1`, gens...); err != nil {
		return err
	}
	var pairs []any
	for _, k := range sortedKeys(reach, func(a, b [2]string) bool { return a[0] < b[0] || a[0] == b[0] && a[1] < b[1] }) {
		pairs = append(pairs, k[0], k[1], reach[k][0], reach[k][1])
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO login_products (login, product, first_day, last_day) VALUES `+placeholders(4, len(pairs)/4)+`
		ON CONFLICT (login, product) DO UPDATE SET
		first_day = CASE WHEN excluded.first_day < login_products.first_day THEN excluded.first_day ELSE login_products.first_day END,
		last_day = CASE WHEN excluded.last_day > login_products.last_day THEN excluded.last_day ELSE login_products.last_day END`, pairs...)
	return err
}

// forgetAggregates prepares the removal of a device's usage rows, the one
// change that takes days away: every block's aggregates are recomputed at
// the next read (a rare, whole-history cost), and the reach of the logins
// it reported is marked for rebuildReach.
func forgetAggregates(ctx context.Context, tx *sql.Tx, device string) error {
	for _, q := range []string{`DELETE FROM agg_blocks`, `UPDATE agg_generations SET gen = gen + 1`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE login_products SET first_day = '', last_day = ''
		WHERE login IN (SELECT DISTINCT login FROM usage_days WHERE device_id = ?)`, device)
	return err
}

// rebuildReach recomputes, from the usage rows left, the reach of the
// logins forgetAggregates marked.
func rebuildReach(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_products WHERE first_day = '' AND NOT EXISTS
		(SELECT 1 FROM usage_days u WHERE u.login = login_products.login AND u.product = login_products.product)`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE login_products SET
		first_day = (SELECT MIN(day) FROM usage_days u WHERE u.login = login_products.login AND u.product = login_products.product),
		last_day = (SELECT MAX(day) FROM usage_days u WHERE u.login = login_products.login AND u.product = login_products.product)
		WHERE first_day = ''`)
	return err
}

func sortedKeys[K comparable, V any](m map[K]V, less func(a, b K) bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

// groups repeats a group of placeholders n times, comma-separated.
func groups(group string, n int) string {
	out := make([]byte, 0, n*(len(group)+2))
	for i := 0; i < n; i++ {
		if i > 0 {
			out = append(out, ", "...)
		}
		out = append(out, group...)
	}
	return string(out)
}

func dayNumber(day string) (int64, error) {
	t, err := time.Parse(license.DateLayout, day)
	if err != nil {
		return 0, fmt.Errorf("day %q is not YYYY-MM-DD", day)
	}
	return floorDiv(t.Unix(), 86400), nil
}

func dayString(n int64) string {
	return time.Unix(n*86400, 0).UTC().Format(license.DateLayout)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
