package store

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
)

// accumulator sums usage aggregates per login and product: rows of the
// aggregate queries, or digests. Logins, products, versions and commands
// are interned, and a pair's versions and commands are kept with it, so a
// site of 100,000 users costs one hash lookup per pair and digest.
type accumulator struct {
	ids   map[string]int32
	names []string
	pairs map[pairKey]int32 // index into sums
	sums  []pairSums
	keys  []pairKey // of sums, in the order they came
}

type pairKey struct{ login, product int32 }

type pairSums struct {
	days                 int64
	lastUsed             string
	startupSum, startupN float64
	saveSum, saveN       float64
	versions             counts // days per version
	commands             counts // completed per command
}

// counts adds up counts per name: a short list, or a map once it grows.
type counts struct {
	list []nameCount
	big  map[int32]int64
}

type nameCount struct {
	name int32
	n    int64
}

const countsListMax = 32

func (c *counts) add(name int32, n int64) {
	if c.big != nil {
		c.big[name] += n
		return
	}
	for i := range c.list {
		if c.list[i].name == name {
			c.list[i].n += n
			return
		}
	}
	if len(c.list) < countsListMax {
		c.list = append(c.list, nameCount{name, n})
		return
	}
	c.big = make(map[int32]int64, 2*countsListMax)
	for _, x := range c.list {
		c.big[x.name] = x.n
	}
	c.list = nil
	c.big[name] += n
}

func (c *counts) has(name int32) bool {
	if c.big != nil {
		_, ok := c.big[name]
		return ok
	}
	for _, x := range c.list {
		if x.name == name {
			return true
		}
	}
	return false
}

func (c *counts) len() int { return len(c.list) + len(c.big) }

func (c *counts) each(fn func(name int32, n int64)) {
	for _, x := range c.list {
		fn(x.name, x.n)
	}
	for name, n := range c.big {
		fn(name, n)
	}
}

func newAccumulator() *accumulator {
	return &accumulator{ids: map[string]int32{}, pairs: map[pairKey]int32{}}
}

func (a *accumulator) id(s string) int32 {
	if id, ok := a.ids[s]; ok {
		return id
	}
	id := int32(len(a.names))
	s = strings.Clone(s) // not a part of a longer string kept alive
	a.ids[s] = id
	a.names = append(a.names, s)
	return id
}

// idOf is id of a string in b, allocating only for a new one.
func (a *accumulator) idOf(b []byte) int32 {
	if id, ok := a.ids[string(b)]; ok {
		return id
	}
	return a.id(string(b))
}

func (a *accumulator) pair(login, product string) *pairSums {
	return a.pairOf(pairKey{a.id(login), a.id(product)})
}

func (a *accumulator) pairOf(k pairKey) *pairSums {
	i, ok := a.pairs[k]
	if !ok {
		i = int32(len(a.sums))
		a.pairs[k] = i
		a.sums = append(a.sums, pairSums{})
		a.keys = append(a.keys, k)
	}
	return &a.sums[i]
}

// used reports whether login used product on a day of the sums.
func (a *accumulator) used(login, product string) bool {
	l, ok1 := a.ids[login]
	p, ok2 := a.ids[product]
	if !ok1 || !ok2 {
		return false
	}
	i, ok := a.pairs[pairKey{l, p}]
	return ok && a.sums[i].days > 0
}

func (p *pairSums) addStats(startupSum, startupN, saveSum, saveN float64) {
	p.startupSum += startupSum
	p.startupN += startupN
	p.saveSum += saveSum
	p.saveN += saveN
}

// A digest is an accumulator written out: its strings, then per pair its
// login and product, days, stat sums, and its version and command counts,
// names being indexes into the strings. Whole numbers are varints; a stat
// sum is a varint of twice its value, or 1 followed by the 8 bytes of a
// float that is not a whole number below 2^53.
const digestFormat = 2

var errDigest = errors.New("digest is corrupt")

// digestCurrent reports whether body is of this collector's format.
func digestCurrent(body []byte) bool {
	v, n := binary.Uvarint(body)
	return n > 0 && v == digestFormat
}

func (a *accumulator) encode() []byte {
	b := make([]byte, 0, 64+16*len(a.names)+40*len(a.sums))
	b = binary.AppendUvarint(b, digestFormat)
	b = binary.AppendUvarint(b, uint64(len(a.names)))
	for _, s := range a.names {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	// Pairs in login and product order, the same in every digest: the
	// window's sums fill in that order, and later digests walk them
	// through memory in sequence rather than at random.
	// A day's rows come in that order already: sorted only if not.
	order := func(x, y int32) int {
		kx, ky := a.keys[x], a.keys[y]
		if c := strings.Compare(a.names[kx.login], a.names[ky.login]); c != 0 {
			return c
		}
		return strings.Compare(a.names[kx.product], a.names[ky.product])
	}
	idx := make([]int32, len(a.keys))
	for i := range idx {
		idx[i] = int32(i)
	}
	if !slices.IsSortedFunc(idx, order) {
		slices.SortFunc(idx, order)
	}
	b = binary.AppendUvarint(b, uint64(len(idx)))
	for _, i := range idx {
		k, x := a.keys[i], &a.sums[i]
		b = binary.AppendUvarint(b, uint64(k.login))
		b = binary.AppendUvarint(b, uint64(k.product))
		b = binary.AppendVarint(b, x.days)
		for _, f := range []float64{x.startupSum, x.startupN, x.saveSum, x.saveN} {
			b = appendFloat(b, f)
		}
		for _, c := range []*counts{&x.versions, &x.commands} {
			b = binary.AppendUvarint(b, uint64(c.len()))
			c.each(func(name int32, n int64) {
				b = binary.AppendUvarint(b, uint64(name))
				b = binary.AppendVarint(b, n)
			})
		}
	}
	return b
}

func appendFloat(b []byte, f float64) []byte {
	if f >= 0 && f < 1<<53 && f == math.Trunc(f) {
		return binary.AppendUvarint(b, uint64(f)<<1)
	}
	b = binary.AppendUvarint(b, 1)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// digestReader reads a digest, remembering the first error.
type digestReader struct {
	b   []byte
	err error
}

func (r *digestReader) uvarint() uint64 { return readVarint(r, binary.Uvarint) }

func (r *digestReader) varint() int64 { return readVarint(r, binary.Varint) }

func readVarint[T int64 | uint64](r *digestReader, decode func([]byte) (T, int)) T {
	v, n := decode(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *digestReader) float() float64 {
	v := r.uvarint()
	if v != 1 {
		return float64(v >> 1)
	}
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return f
}

// count reads a number of entries, each at least min bytes long.
func (r *digestReader) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/min) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *digestReader) fail() {
	r.err = errDigest
	r.b = nil
}

// checkDigest reads a digest through without adding it anywhere: whether
// it is whole, of this collector's format.
func checkDigest(body []byte) error { return (*accumulator)(nil).add(body) }

// add adds a digest into the accumulator; a nil one only reads it.
func (a *accumulator) add(body []byte) error {
	r := &digestReader{b: body}
	if r.uvarint() != digestFormat {
		return errDigest
	}
	ids := make([]int32, r.count(1))
	for i := range ids {
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.fail()
			break
		}
		if a != nil {
			ids[i] = a.idOf(r.b[:n])
		}
		r.b = r.b[n:]
	}
	str := func() int32 {
		i := r.uvarint()
		if i >= uint64(len(ids)) {
			r.fail()
			return 0
		}
		return ids[i]
	}
	n := r.count(9)
	if a != nil && len(a.pairs) == 0 { // the first digest sizes the table
		a.pairs = make(map[pairKey]int32, n)
		a.sums = make([]pairSums, 0, n)
		a.keys = make([]pairKey, 0, n)
	}
	var scratch pairSums
	for ; n > 0 && r.err == nil; n-- {
		k, p := pairKey{str(), str()}, &scratch
		if a != nil {
			p = a.pairOf(k)
		}
		p.days += r.varint()
		p.addStats(r.float(), r.float(), r.float(), r.float())
		for _, c := range []*counts{&p.versions, &p.commands} {
			for m := r.count(2); m > 0 && r.err == nil; m-- {
				name, n := str(), r.varint()
				if a != nil {
					c.add(name, n)
				}
			}
		}
	}
	if r.err == nil && len(r.b) > 0 {
		r.fail()
	}
	return r.err
}

// window expands the per-login sums to the directory users each login
// matches; usage of no known user is left out.
func (a *accumulator) window(emails map[string][]string) *Window {
	var products, versions, commands int
	for k, i := range a.pairs {
		n := len(emails[a.names[k.login]])
		products += n
		versions += n * a.sums[i].versions.len()
		commands += n * a.sums[i].commands.len()
	}
	w := &Window{Products: make([]UserProduct, 0, products), Versions: make([]UserVersion, 0, versions),
		Commands: make([]UserCommand, 0, commands)}
	for k, i := range a.pairs {
		x := &a.sums[i]
		product := a.names[k.product]
		for _, e := range emails[a.names[k.login]] {
			w.Products = append(w.Products, UserProduct{Email: e, Product: product, Days: x.days, LastUsed: x.lastUsed,
				StartupSum: x.startupSum, StartupCount: x.startupN, SaveSum: x.saveSum, SaveCount: x.saveN})
			x.versions.each(func(v int32, n int64) {
				w.Versions = append(w.Versions, UserVersion{Email: e, Product: product, Version: a.names[v], Days: n})
			})
			x.commands.each(func(c int32, n int64) {
				w.Commands = append(w.Commands, UserCommand{Email: e, Product: product, Command: a.names[c], Completed: n})
			})
		}
	}
	return w
}

// eachDigestPair calls fn with the login and product of each pair of a
// digest with days of use, reading nothing else into memory.
func eachDigestPair(body []byte, fn func(login, product []byte)) error {
	r := &digestReader{b: body}
	if r.uvarint() != digestFormat {
		return errDigest
	}
	names := make([][]byte, r.count(1))
	for i := range names {
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.fail()
			break
		}
		names[i], r.b = r.b[:n], r.b[n:]
	}
	str := func() []byte {
		i := r.uvarint()
		if i >= uint64(len(names)) {
			r.fail()
			return nil
		}
		return names[i]
	}
	for n := r.count(9); n > 0 && r.err == nil; n-- {
		login, product := str(), str()
		days := r.varint()
		for i := 0; i < 4; i++ {
			r.float()
		}
		for i := 0; i < 2; i++ {
			for m := r.count(2); m > 0 && r.err == nil; m-- {
				r.uvarint()
				r.varint()
			}
		}
		if r.err == nil && days > 0 {
			fn(login, product)
		}
	}
	return r.err
}
