package store

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
)

// accumulator sums usage aggregates per login: rows of the aggregate
// queries, or digests of days. Logins, products, versions and commands are
// interned, so a site of 100,000 users costs small integer keys rather
// than strings per entry.
type accumulator struct {
	ids      map[string]int32
	names    []string
	products map[pairKey]int32 // index into sums
	sums     []productSums
	versions map[nameKey]int64
	commands map[nameKey]int64
}

type pairKey struct{ login, product int32 }

// nameKey is a login's product and a version or a command of it.
type nameKey struct{ login, product, name int32 }

type productSums struct {
	days                 int64
	lastUsed             string
	startupSum, startupN float64
	saveSum, saveN       float64
}

func newAccumulator() *accumulator {
	return &accumulator{ids: map[string]int32{}, products: map[pairKey]int32{},
		versions: map[nameKey]int64{}, commands: map[nameKey]int64{}}
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

func (a *accumulator) product(k pairKey) *productSums {
	i, ok := a.products[k]
	if !ok {
		i = int32(len(a.sums))
		a.products[k] = i
		a.sums = append(a.sums, productSums{})
	}
	return &a.sums[i]
}

func (a *accumulator) addProduct(k pairKey, x productSums) {
	p := a.product(k)
	p.days += x.days
	p.startupSum += x.startupSum
	p.startupN += x.startupN
	p.saveSum += x.saveSum
	p.saveN += x.saveN
}

// A digest is an accumulator written out: its strings, then its product
// sums, version days and command counts, keyed by indexes into the
// strings. Whole numbers are varints; a stat sum is a varint of twice its
// value, or 1 followed by the 8 bytes of a float that is not a whole
// number below 2^53.
const digestFormat = 1

var errDigest = errors.New("digest is corrupt")

func (a *accumulator) encode() []byte {
	b := make([]byte, 0, 64+16*len(a.names)+24*len(a.sums)+8*(len(a.versions)+len(a.commands)))
	b = binary.AppendUvarint(b, digestFormat)
	b = binary.AppendUvarint(b, uint64(len(a.names)))
	for _, s := range a.names {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(a.products)))
	for k, i := range a.products {
		x := a.sums[i]
		b = binary.AppendUvarint(b, uint64(k.login))
		b = binary.AppendUvarint(b, uint64(k.product))
		b = binary.AppendVarint(b, x.days)
		for _, f := range []float64{x.startupSum, x.startupN, x.saveSum, x.saveN} {
			b = appendFloat(b, f)
		}
	}
	for _, m := range []map[nameKey]int64{a.versions, a.commands} {
		b = binary.AppendUvarint(b, uint64(len(m)))
		for k, n := range m {
			b = binary.AppendUvarint(b, uint64(k.login))
			b = binary.AppendUvarint(b, uint64(k.product))
			b = binary.AppendUvarint(b, uint64(k.name))
			b = binary.AppendVarint(b, n)
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

func (r *digestReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *digestReader) varint() int64 {
	v, n := binary.Varint(r.b)
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

// add adds a digest into the accumulator.
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
		ids[i] = a.idOf(r.b[:n])
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
	n := r.count(7)
	if len(a.products) == 0 { // the first digest sizes the maps
		a.products = make(map[pairKey]int32, n)
		a.sums = make([]productSums, 0, n)
	}
	for ; n > 0 && r.err == nil; n-- {
		k := pairKey{str(), str()}
		x := productSums{days: r.varint()}
		x.startupSum, x.startupN, x.saveSum, x.saveN = r.float(), r.float(), r.float(), r.float()
		a.addProduct(k, x)
	}
	for _, m := range []*map[nameKey]int64{&a.versions, &a.commands} {
		n := r.count(4)
		if len(*m) == 0 {
			*m = make(map[nameKey]int64, n)
		}
		for ; n > 0 && r.err == nil; n-- {
			k := nameKey{str(), str(), str()}
			(*m)[k] += r.varint()
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
	w := &Window{}
	for k, i := range a.products {
		x := a.sums[i]
		for _, e := range emails[a.names[k.login]] {
			w.Products = append(w.Products, UserProduct{Email: e, Product: a.names[k.product], Days: x.days, LastUsed: x.lastUsed,
				StartupSum: x.startupSum, StartupCount: x.startupN, SaveSum: x.saveSum, SaveCount: x.saveN})
		}
	}
	for k, n := range a.versions {
		for _, e := range emails[a.names[k.login]] {
			w.Versions = append(w.Versions, UserVersion{Email: e, Product: a.names[k.product], Version: a.names[k.name], Days: n})
		}
	}
	for k, n := range a.commands {
		for _, e := range emails[a.names[k.login]] {
			w.Commands = append(w.Commands, UserCommand{Email: e, Product: a.names[k.product], Command: a.names[k.name], Completed: n})
		}
	}
	return w
}
