package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"teamlens/collector/internal/license"
	"teamlens/shared/wire"
)

// blockDays is the span of a block digest. A 90-day window adds about 11
// block digests and up to 14 day digests, whatever the number of users.
const blockDays = 8

// stats is the select list of a group's startup and save sums, leaving
// out rows that break the wire contract, as every read does.
var stats = statSums("startup", wire.MaxTimeMS, "1 = 1") + `, ` + statSums("save", wire.MaxTimeMS, "1 = 1")

// Window is the usage of a window of days, per matched directory user.
type Window struct {
	Products []UserProduct // LastUsed is set where Days is 0
	Versions []UserVersion
	Commands []UserCommand
}

// Uncached returns a view of the store, for reads only, that reads every
// window from usage rows alone: the reference the digests are tested
// against.
func (s *Store) Uncached() *Store {
	return &Store{db: s.db, postgres: s.postgres, uncached: true}
}

// Window aggregates the usage of [from, to] from digests: one per whole
// block inside the window, one per day at either end. A digest missing, or
// older than the uploads of its days, is computed first and kept.
func (s *Store) Window(ctx context.Context, from, to string) (*Window, error) {
	f, err := dayNumber(from)
	if err != nil {
		return nil, err
	}
	t, err := dayNumber(to)
	if err != nil {
		return nil, err
	}
	acc := newAccumulator()
	if s.uncached {
		if err := s.aggregate(ctx, acc, from, to); err != nil {
			return nil, fmt.Errorf("window: %w", err)
		}
	} else {
		spans := cover(f, t)
		d, err := s.digests(ctx, from, to)
		if err == nil {
			err = d.computeDays(ctx, spans)
		}
		if err != nil {
			return nil, fmt.Errorf("window digests: %w", err)
		}
		for _, sp := range spans {
			if err := d.addTo(ctx, acc, sp); err != nil {
				return nil, fmt.Errorf("window digest %s to %s: %w", dayString(sp.first), dayString(sp.last), err)
			}
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

// aggregate adds the usage rows of [from, to] into acc.
func (s *Store) aggregate(ctx context.Context, acc *accumulator, from, to string) error {
	args := []any{from, to}
	err := s.each(ctx, `SELECT login, product, COUNT(DISTINCT day), `+stats+`
		FROM usage_days WHERE day >= ? AND day <= ? GROUP BY login, product`, args, func(r *sql.Rows) error {
		var login, product string
		var x pairSums
		if err := r.Scan(&login, &product, &x.days, &x.startupSum, &x.startupN, &x.saveSum, &x.saveN); err != nil {
			return err
		}
		p := acc.pair(login, product)
		p.days += x.days
		p.addStats(x.startupSum, x.startupN, x.saveSum, x.saveN)
		return nil
	})
	if err == nil {
		err = s.each(ctx, `SELECT login, product, version, COUNT(DISTINCT day)
			FROM usage_days WHERE day >= ? AND day <= ? GROUP BY login, product, version`, args, func(r *sql.Rows) error {
			var login, product, version string
			var n int64
			if err := r.Scan(&login, &product, &version, &n); err != nil {
				return err
			}
			acc.pair(login, product).versions.add(acc.id(version), n)
			return nil
		})
	}
	if err != nil {
		return err
	}
	return s.addCommands(ctx, acc, "day >= ? AND day <= ?", args)
}

// addCommands adds the completed commands of the usage rows whose day
// meets cond.
func (s *Store) addCommands(ctx context.Context, acc *accumulator, cond string, args []any) error {
	return s.each(ctx, `SELECT login, product, commands FROM usage_days WHERE `+cond+` AND commands IS NOT NULL`, args, func(r *sql.Rows) error {
		var login, product, commands string
		if err := r.Scan(&login, &product, &commands); err != nil {
			return err
		}
		p := acc.pair(login, product)
		eachCommand(commands, func(name string, n int64) {
			p.commands.add(acc.id(name), n)
		})
		return nil
	})
}

// aggregateDay adds one day's usage rows into acc, a fresh one, as
// aggregate would, in one read of the day's rows in the order of its index
// (day, login, product): no sort, no second pass for the commands.
func (s *Store) aggregateDay(ctx context.Context, acc *accumulator, day string) error {
	var cur *pairSums
	var curLogin, curProduct string
	return s.each(ctx, `SELECT login, product, version, startup_count, startup_sum, save_count, save_sum, commands
		FROM usage_days WHERE day = ? ORDER BY login, product`, []any{day}, func(r *sql.Rows) error {
		var login, product, version string
		var startupN, startupSum, saveN, saveSum sql.NullInt64
		var commands sql.NullString
		if err := r.Scan(&login, &product, &version, &startupN, &startupSum, &saveN, &saveSum, &commands); err != nil {
			return err
		}
		if cur == nil || login != curLogin || product != curProduct {
			cur, curLogin, curProduct = acc.pair(login, product), login, product
		}
		cur.days = 1
		ss, sn := validStat(startupSum, startupN)
		vs, vn := validStat(saveSum, saveN)
		cur.addStats(ss, sn, vs, vn)
		if v := acc.id(version); !cur.versions.has(v) {
			cur.versions.add(v, 1) // a day per version
		}
		if commands.Valid {
			eachCommand(commands.String, func(name string, n int64) { cur.commands.add(acc.id(name), n) })
		}
		return nil
	})
}

// validStat is a row's stat as every read counts it (statSums): a sum and
// count within the wire contract, or nothing.
func validStat(sum, count sql.NullInt64) (float64, float64) {
	if !sum.Valid || !count.Valid || count.Int64 < 1 || sum.Int64 < 0 || sum.Int64/wire.MaxTimeMS > count.Int64 {
		return 0, 0
	}
	return float64(sum.Int64), float64(count.Int64)
}

// span is a range of day numbers a digest covers: one day, or a block of
// blockDays starting on a multiple of blockDays.
type span struct{ first, last int64 }

// cover splits [f, t] into the blocks wholly inside it and single days.
func cover(f, t int64) []span {
	var out []span
	for d := f; d <= t; {
		if d%blockDays == 0 && d+blockDays-1 <= t {
			out = append(out, span{d, d + blockDays - 1})
			d += blockDays
			continue
		}
		out = append(out, span{d, d})
		d++
	}
	return out
}

// digestSet knows the generations of a window's days and of the digests
// kept for it, read before any digest is computed: an upload committed
// meanwhile makes the digest computed from it out of date, never wrongly
// current.
type digestSet struct {
	s    *Store
	gens map[int64]int64 // day -> generation
	kept map[span]int64  // digest -> generation it was computed at
}

func (s *Store) digests(ctx context.Context, from, to string) (*digestSet, error) {
	d := &digestSet{s: s, gens: map[int64]int64{}, kept: map[span]int64{}}
	err := s.each(ctx, `SELECT day, gen FROM usage_generations WHERE day >= ? AND day <= ?`, []any{from, to}, func(r *sql.Rows) error {
		var day string
		var gen int64
		if err := r.Scan(&day, &gen); err != nil {
			return err
		}
		n, err := dayNumber(day)
		d.gens[n] = gen
		return err
	})
	if err != nil {
		return nil, err
	}
	err = s.each(ctx, `SELECT first_day, last_day, gen FROM usage_digests WHERE first_day >= ? AND first_day <= ?`, []any{from, to}, func(r *sql.Rows) error {
		var first, last string
		var gen int64
		if err := r.Scan(&first, &last, &gen); err != nil {
			return err
		}
		f, err := dayNumber(first)
		if err != nil {
			return err
		}
		l, err := dayNumber(last)
		d.kept[span{f, l}] = gen
		return err
	})
	return d, err
}

// gen is the generation of a span: the sum of its days', which grows with
// every upload to any of them.
func (d *digestSet) gen(sp span) int64 {
	var g int64
	for day := sp.first; day <= sp.last; day++ {
		g += d.gens[day]
	}
	return g
}

// addTo adds the digest of sp into acc, computing and keeping it first if
// needed.
func (d *digestSet) addTo(ctx context.Context, acc *accumulator, sp span) error {
	gen := d.gen(sp)
	if g, ok := d.kept[sp]; ok && g == gen {
		done, err := d.addKept(ctx, acc, sp)
		if done || err != nil {
			return err
		}
	}
	// A block from the digests of its days, a day from its usage rows.
	if sp.first == sp.last {
		body, err := d.computeDay(ctx, sp.first, gen)
		if err != nil {
			return err
		}
		d.kept[sp] = gen
		return acc.add(body)
	}
	fresh := newAccumulator()
	for day := sp.first; day <= sp.last; day++ {
		if err := d.addTo(ctx, fresh, span{day, day}); err != nil {
			return err
		}
	}
	body := fresh.encode()
	if err := d.s.putDigest(ctx, sp, gen, body); err != nil {
		return err
	}
	d.kept[sp] = gen
	return acc.add(body)
}

// computeDays computes first, as many at once as there are processors,
// the missing or stale digests of the days the cover needs, directly or
// for a block: each reads a day of usage rows, most of a daily run's work.
func (d *digestSet) computeDays(ctx context.Context, cover []span) error {
	stale := func(sp span) bool {
		g, ok := d.kept[sp]
		return !ok || g != d.gen(sp)
	}
	var days []int64
	for _, sp := range cover {
		for day := sp.first; day <= sp.last && stale(sp); day++ {
			if stale(span{day, day}) {
				days = append(days, day)
			}
		}
	}
	gens := make([]int64, len(days))
	for i, day := range days {
		gens[i] = d.gen(span{day, day})
	}
	errs := make([]error, len(days))
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, day := range days {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			_, errs[i] = d.computeDay(ctx, day, gens[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for i, day := range days {
		d.kept[span{day, day}] = gens[i]
	}
	return nil
}

// computeDay computes and keeps the digest of a day from its usage rows.
// It may run concurrently with others: it only reads d.
func (d *digestSet) computeDay(ctx context.Context, day, gen int64) ([]byte, error) {
	acc := newAccumulator()
	if err := d.s.aggregateDay(ctx, acc, dayString(day)); err != nil {
		return nil, err
	}
	body := acc.encode()
	return body, d.s.putDigest(ctx, span{day, day}, gen, body)
}

// putDigest stores the digest of sp, computed at generation gen.
func (s *Store) putDigest(ctx context.Context, sp span, gen int64, body []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO usage_digests (first_day, last_day, gen, body) VALUES (?, ?, ?, ?)
		ON CONFLICT (first_day, last_day) DO UPDATE SET gen = excluded.gen, body = excluded.body`,
		dayString(sp.first), dayString(sp.last), gen, body)
	return err
}

// addKept adds the kept digest of sp into acc, and says whether there was
// one, whole and of this collector's format.
func (d *digestSet) addKept(ctx context.Context, acc *accumulator, sp span) (bool, error) {
	first, last := dayString(sp.first), dayString(sp.last)
	rows, err := d.s.db.QueryContext(ctx, `SELECT body FROM usage_digests WHERE first_day = ? AND last_day = ?`, first, last)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	var body sql.RawBytes // read in place: a digest can be megabytes
	if err := rows.Scan(&body); err != nil {
		return false, err
	}
	// Written by an older collector, or damaged: computed again.
	if !digestCurrent(body) || checkDigest(body) != nil {
		return false, nil
	}
	return true, acc.add(body)
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
		if acc.used(k[0], k[1]) {
			return nil
		}
		if last > to {
			later = append(later, k)
			return nil
		}
		acc.pair(k[0], k[1]).lastUsed = last
		return nil
	})
	for _, k := range later {
		if err != nil {
			break
		}
		var last sql.NullString
		err = s.db.QueryRowContext(ctx, `SELECT MAX(day) FROM usage_days WHERE login = ? AND product = ? AND day < ?`, k[0], k[1], from).Scan(&last)
		if last.Valid {
			acc.pair(k[0], k[1]).lastUsed = last.String
		}
	}
	if err != nil {
		return fmt.Errorf("last used: %w", err)
	}
	return nil
}

// UsageGeneration is a number that grows whenever usage of a day up to
// upTo is stored or removed: a snapshot of upTo computed at one generation
// is out of date at a higher one.
func (s *Store) UsageGeneration(ctx context.Context, upTo string) (int64, error) {
	var gen int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(gen), 0) FROM usage_generations WHERE day <= ?`, upTo).Scan(&gen)
	if err != nil {
		return 0, fmt.Errorf("usage generation: %w", err)
	}
	return gen, nil
}

// touchAggregates records, in an upload's transaction, that its days
// changed and how far each login's use of a product reaches.
func touchAggregates(ctx context.Context, tx *preparedTx, days []wire.Day) error {
	dates := map[string]bool{}
	reach := map[[2]string][2]string{} // login, product -> first, last day
	for _, d := range days {
		dates[d.Date] = true
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
	for _, k := range sortedKeys(dates, func(a, b string) bool { return a < b }) {
		gens = append(gens, k, int64(1))
	}
	err := tx.execRows(ctx, `INSERT INTO usage_generations (day, gen)`, 2,
		`ON CONFLICT (day) DO UPDATE SET gen = usage_generations.gen + 1`, gens)
	if err != nil {
		return err
	}
	var pairs []any
	for _, k := range sortedKeys(reach, func(a, b [2]string) bool { return a[0] < b[0] || a[0] == b[0] && a[1] < b[1] }) {
		pairs = append(pairs, k[0], k[1], reach[k][0], reach[k][1])
	}
	return tx.execRows(ctx, `INSERT INTO login_products (login, product, first_day, last_day)`, 4, `
		ON CONFLICT (login, product) DO UPDATE SET
		first_day = CASE WHEN excluded.first_day < login_products.first_day THEN excluded.first_day ELSE login_products.first_day END,
		last_day = CASE WHEN excluded.last_day > login_products.last_day THEN excluded.last_day ELSE login_products.last_day END`, pairs)
}

// forgetAggregates prepares the removal of a device's usage rows, the one
// change that takes days away: the digests of its days are computed again
// at the next read, and the reach of the logins it reported is marked for
// rebuildReach.
func forgetAggregates(ctx context.Context, tx *sql.Tx, device string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE usage_generations SET gen = gen + 1
		WHERE day IN (SELECT DISTINCT day FROM usage_days WHERE device_id = ?)`, device); err != nil {
		return err
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
