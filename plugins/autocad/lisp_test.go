package autocad_test

// A reader for AutoLISP source and an evaluator for the subset the
// bundle's pure functions and reactor callbacks use. AutoCAD cannot run
// here; this is what lets the tests run the plug-in's own code. Semantics
// follow AutoLISP: symbols are case-insensitive, integers are 32-bit (an
// overflow is an error here, where AutoCAD would wrap silently), integer
// division truncates, variables are dynamically scoped, nil is the empty
// list.

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

type sym string

type pair struct{ car, cdr any }

var tSym = sym("T")

// readAll reads every form of src; an unbalanced parenthesis or an
// unterminated string or comment is an error naming its line.
func readAll(src string) ([]any, error) {
	r := &lreader{src: src, line: 1}
	var forms []any
	for {
		r.skip()
		if r.pos >= len(r.src) {
			return forms, nil
		}
		f, err := r.form()
		if err != nil {
			return nil, err
		}
		forms = append(forms, f)
	}
}

type lreader struct {
	src  string
	pos  int
	line int
}

func (r *lreader) errf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", r.line, fmt.Sprintf(format, args...))
}

// skip passes white space and comments (; to the end of the line, ;| ... |;).
func (r *lreader) skip() error {
	for r.pos < len(r.src) {
		c := r.src[r.pos]
		switch {
		case c == '\n':
			r.line++
			r.pos++
		case c == ' ' || c == '\t' || c == '\r':
			r.pos++
		case strings.HasPrefix(r.src[r.pos:], ";|"):
			end := strings.Index(r.src[r.pos+2:], "|;")
			if end < 0 {
				return r.errf("unterminated ;| comment")
			}
			r.line += strings.Count(r.src[r.pos:r.pos+2+end], "\n")
			r.pos += end + 4
		case c == ';':
			for r.pos < len(r.src) && r.src[r.pos] != '\n' {
				r.pos++
			}
		default:
			return nil
		}
	}
	return nil
}

func (r *lreader) form() (any, error) {
	if err := r.skip(); err != nil {
		return nil, err
	}
	if r.pos >= len(r.src) {
		return nil, r.errf("unexpected end of file: a form is not closed")
	}
	switch c := r.src[r.pos]; c {
	case '(':
		start := r.line
		r.pos++
		var items []any
		for {
			if err := r.skip(); err != nil {
				return nil, err
			}
			if r.pos >= len(r.src) {
				return nil, fmt.Errorf("line %d: ( never closed", start)
			}
			if r.src[r.pos] == ')' {
				r.pos++
				if items == nil {
					return nil, nil
				}
				return items, nil
			}
			if r.src[r.pos] == '.' && r.pos+1 < len(r.src) && strings.ContainsRune(" \t\r\n", rune(r.src[r.pos+1])) {
				r.pos++
				cdr, err := r.form()
				if err != nil {
					return nil, err
				}
				if err := r.skip(); err != nil {
					return nil, err
				}
				if len(items) != 1 || r.pos >= len(r.src) || r.src[r.pos] != ')' {
					return nil, r.errf("bad dotted pair")
				}
				r.pos++
				return pair{items[0], cdr}, nil
			}
			f, err := r.form()
			if err != nil {
				return nil, err
			}
			items = append(items, f)
		}
	case ')':
		return nil, r.errf("unexpected )")
	case '\'':
		r.pos++
		f, err := r.form()
		if err != nil {
			return nil, err
		}
		return []any{sym("QUOTE"), f}, nil
	case '"':
		r.pos++
		var b strings.Builder
		for {
			if r.pos >= len(r.src) {
				return nil, r.errf("unterminated string")
			}
			c := r.src[r.pos]
			r.pos++
			switch c {
			case '"':
				return b.String(), nil
			case '\n':
				r.line++
				b.WriteByte(c)
			case '\\':
				if r.pos >= len(r.src) {
					return nil, r.errf("unterminated string")
				}
				e := r.src[r.pos]
				r.pos++
				switch e {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				case 'r':
					b.WriteByte('\r')
				case 'e':
					b.WriteByte(27)
				case '"', '\\':
					b.WriteByte(e)
				default:
					return nil, r.errf("unknown escape \\%c", e)
				}
			default:
				b.WriteByte(c)
			}
		}
	default:
		start := r.pos
		for r.pos < len(r.src) && !strings.ContainsRune(" \t\r\n()'\";", rune(r.src[r.pos])) {
			r.pos++
		}
		tok := r.src[start:r.pos]
		if i, err := strconv.ParseInt(tok, 10, 32); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(tok, 64); err == nil && strings.ContainsAny(tok, ".eE") {
			return f, nil
		}
		if strings.EqualFold(tok, "nil") {
			return nil, nil
		}
		return sym(strings.ToUpper(tok)), nil
	}
}

// interp evaluates forms. Funcs are the defuns; builtins are Go.
type interp struct {
	vars     map[sym]any
	funcs    map[sym]*lfunc
	builtins map[sym]func(args []any) (any, error)
	depth    int
}

type lfunc struct {
	params, locals []sym
	body           []any
}

func truthy(v any) bool {
	if v == nil {
		return false
	}
	if l, ok := v.([]any); ok && len(l) == 0 {
		return false
	}
	return true
}

func lbool(b bool) any {
	if b {
		return tSym
	}
	return nil
}

func (in *interp) eval(x any) (any, error) {
	switch v := x.(type) {
	case nil, int64, float64, string, pair:
		return v, nil
	case sym:
		if v == tSym {
			return tSym, nil
		}
		return in.vars[v], nil
	case []any:
		head, ok := v[0].(sym)
		if !ok {
			return nil, fmt.Errorf("not a function: %v", v[0])
		}
		if sp, ok := in.special(head, v[1:]); ok {
			return sp()
		}
		args := make([]any, len(v)-1)
		for i, a := range v[1:] {
			r, err := in.eval(a)
			if err != nil {
				return nil, err
			}
			args[i] = r
		}
		return in.call(head, args)
	}
	return nil, fmt.Errorf("cannot evaluate %T", x)
}

func (in *interp) call(name sym, args []any) (any, error) {
	if f, ok := in.funcs[name]; ok {
		if len(args) != len(f.params) {
			return nil, fmt.Errorf("%s: %d arguments, want %d", name, len(args), len(f.params))
		}
		in.depth++
		defer func() { in.depth-- }()
		if in.depth > 200 {
			return nil, errors.New("recursion too deep")
		}
		// Dynamic scope: parameters and locals shadow, then are restored.
		names := append(append([]sym{}, f.params...), f.locals...)
		saved := make([]any, len(names))
		had := make([]bool, len(names))
		for i, n := range names {
			saved[i], had[i] = in.vars[n]
		}
		defer func() {
			for i, n := range names {
				if had[i] {
					in.vars[n] = saved[i]
				} else {
					delete(in.vars, n)
				}
			}
		}()
		for i, n := range f.locals {
			_ = i
			in.vars[n] = nil
		}
		for i, n := range f.params {
			in.vars[n] = args[i]
		}
		return in.progn(f.body)
	}
	if b, ok := in.builtins[name]; ok {
		r, err := b(args)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return r, nil
	}
	return nil, fmt.Errorf("no function %s", name)
}

func (in *interp) progn(body []any) (any, error) {
	var r any
	for _, f := range body {
		var err error
		if r, err = in.eval(f); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// special returns the evaluation of a special form.
func (in *interp) special(head sym, rest []any) (func() (any, error), bool) {
	switch head {
	case "QUOTE", "FUNCTION":
		return func() (any, error) { return rest[0], nil }, true
	case "SETQ":
		return func() (any, error) {
			var r any
			for i := 0; i+1 < len(rest); i += 2 {
				v, err := in.eval(rest[i+1])
				if err != nil {
					return nil, err
				}
				in.vars[rest[i].(sym)], r = v, v
			}
			return r, nil
		}, true
	case "DEFUN":
		return func() (any, error) {
			name := rest[0].(sym)
			f := &lfunc{body: rest[2:]}
			params, _ := rest[1].([]any)
			local := false
			for _, p := range params {
				s := p.(sym)
				if s == "/" {
					local = true
				} else if local {
					f.locals = append(f.locals, s)
				} else {
					f.params = append(f.params, s)
				}
			}
			in.funcs[name] = f
			return name, nil
		}, true
	case "IF":
		return func() (any, error) {
			c, err := in.eval(rest[0])
			if err != nil {
				return nil, err
			}
			if truthy(c) {
				return in.eval(rest[1])
			}
			if len(rest) > 2 {
				return in.eval(rest[2])
			}
			return nil, nil
		}, true
	case "COND":
		return func() (any, error) {
			for _, cl := range rest {
				clause := cl.([]any)
				c, err := in.eval(clause[0])
				if err != nil {
					return nil, err
				}
				if truthy(c) {
					if len(clause) == 1 {
						return c, nil
					}
					return in.progn(clause[1:])
				}
			}
			return nil, nil
		}, true
	case "WHILE":
		return func() (any, error) {
			var r any
			for n := 0; ; n++ {
				if n > 1e6 {
					return nil, errors.New("while: endless loop")
				}
				c, err := in.eval(rest[0])
				if err != nil {
					return nil, err
				}
				if !truthy(c) {
					return r, nil
				}
				if r, err = in.progn(rest[1:]); err != nil {
					return nil, err
				}
			}
		}, true
	case "REPEAT":
		return func() (any, error) {
			n, err := in.eval(rest[0])
			if err != nil {
				return nil, err
			}
			var r any
			for i := int64(0); i < n.(int64); i++ {
				if r, err = in.progn(rest[1:]); err != nil {
					return nil, err
				}
			}
			return r, nil
		}, true
	case "FOREACH":
		return func() (any, error) {
			l, err := in.eval(rest[1])
			if err != nil {
				return nil, err
			}
			name := rest[0].(sym)
			old, had := in.vars[name]
			defer func() {
				if had {
					in.vars[name] = old
				} else {
					delete(in.vars, name)
				}
			}()
			items, _ := l.([]any)
			var r any
			for _, it := range items {
				in.vars[name] = it
				if r, err = in.progn(rest[2:]); err != nil {
					return nil, err
				}
			}
			return r, nil
		}, true
	case "PROGN":
		return func() (any, error) { return in.progn(rest) }, true
	case "AND":
		return func() (any, error) {
			for _, f := range rest {
				v, err := in.eval(f)
				if err != nil || !truthy(v) {
					return nil, err
				}
			}
			return tSym, nil
		}, true
	case "OR":
		return func() (any, error) {
			for _, f := range rest {
				v, err := in.eval(f)
				if err != nil {
					return nil, err
				}
				if truthy(v) {
					return tSym, nil
				}
			}
			return nil, nil
		}, true
	}
	return nil, false
}

func num(v any) (float64, bool, error) {
	switch n := v.(type) {
	case int64:
		return float64(n), false, nil
	case float64:
		return n, true, nil
	}
	return 0, false, fmt.Errorf("not a number: %#v", v)
}

func int32Checked(v int64) (any, error) {
	if v > math.MaxInt32 || v < math.MinInt32 {
		return nil, fmt.Errorf("integer overflow: %d (AutoLISP integers are 32-bit)", v)
	}
	return v, nil
}

// arith folds + - * / over integers (32-bit, truncating) or reals.
func arith(op byte) func(args []any) (any, error) {
	return func(args []any) (any, error) {
		if len(args) == 0 {
			return int64(0), nil
		}
		isReal := false
		for _, a := range args {
			if _, r, err := num(a); err != nil {
				return nil, err
			} else if r {
				isReal = true
			}
		}
		if len(args) == 1 && op == '-' {
			args = append([]any{int64(0)}, args...)
		}
		if isReal {
			acc, _, _ := num(args[0])
			for _, a := range args[1:] {
				x, _, _ := num(a)
				switch op {
				case '+':
					acc += x
				case '-':
					acc -= x
				case '*':
					acc *= x
				case '/':
					if x == 0 {
						return nil, errors.New("divide by zero")
					}
					acc /= x
				}
			}
			return acc, nil
		}
		acc := args[0].(int64)
		for _, a := range args[1:] {
			x := a.(int64)
			switch op {
			case '+':
				acc += x
			case '-':
				acc -= x
			case '*':
				acc *= x
			case '/':
				if x == 0 {
					return nil, errors.New("divide by zero")
				}
				acc /= x
			}
			if _, err := int32Checked(acc); err != nil {
				return nil, err
			}
		}
		return acc, nil
	}
}

func compare(ok func(c int) bool) func(args []any) (any, error) {
	return func(args []any) (any, error) {
		for i := 0; i+1 < len(args); i++ {
			var c int
			_, n1, e1 := num(args[i])
			_, n2, e2 := num(args[i+1])
			_, s1 := args[i].(string)
			_, s2 := args[i+1].(string)
			_, _ = n1, n2
			if (e1 != nil && !s1) || (e2 != nil && !s2) {
				// Symbols, nil, lists: = compares them as eq does.
				if !equal(args[i], args[i+1]) {
					c = 1
				}
			} else if a, isStr := args[i].(string); isStr {
				b, isStr := args[i+1].(string)
				if !isStr {
					return nil, fmt.Errorf("comparing a string with %#v", args[i+1])
				}
				c = strings.Compare(a, b)
			} else {
				a, _, err := num(args[i])
				if err != nil {
					return nil, err
				}
				b, _, err := num(args[i+1])
				if err != nil {
					return nil, err
				}
				switch {
				case a < b:
					c = -1
				case a > b:
					c = 1
				}
			}
			if !ok(c) {
				return nil, nil
			}
		}
		return tSym, nil
	}
}

func equal(a, b any) bool { return fmt.Sprintf("%#v", a) == fmt.Sprintf("%#v", b) }

func car(v any) (any, error) {
	switch l := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return l[0], nil
	case pair:
		return l.car, nil
	}
	return nil, fmt.Errorf("car of %#v", v)
}

func cdr(v any) (any, error) {
	switch l := v.(type) {
	case nil:
		return nil, nil
	case []any:
		if len(l) == 1 {
			return nil, nil
		}
		return l[1:], nil
	case pair:
		return l.cdr, nil
	}
	return nil, fmt.Errorf("cdr of %#v", v)
}

func newInterp() *interp {
	in := &interp{vars: map[sym]any{}, funcs: map[sym]*lfunc{}}
	str := func(v any) (string, error) {
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("not a string: %#v", v)
		}
		return s, nil
	}
	in.builtins = map[sym]func([]any) (any, error){
		"+": arith('+'), "-": arith('-'), "*": arith('*'), "/": arith('/'),
		"1+": func(a []any) (any, error) { return arith('+')([]any{a[0], int64(1)}) },
		"=":  compare(func(c int) bool { return c == 0 }),
		"/=": compare(func(c int) bool { return c != 0 }),
		"<":  compare(func(c int) bool { return c < 0 }),
		">":  compare(func(c int) bool { return c > 0 }),
		"<=": compare(func(c int) bool { return c <= 0 }),
		">=": compare(func(c int) bool { return c >= 0 }),
		"MIN": func(a []any) (any, error) {
			best := a[0]
			for _, x := range a[1:] {
				if lt, _ := compare(func(c int) bool { return c < 0 })([]any{x, best}); lt != nil {
					best = x
				}
			}
			return best, nil
		},
		"ABS": func(a []any) (any, error) {
			switch n := a[0].(type) {
			case int64:
				if n < 0 {
					return -n, nil
				}
				return n, nil
			case float64:
				return math.Abs(n), nil
			}
			return nil, errors.New("not a number")
		},
		"REM": func(a []any) (any, error) {
			x, y := a[0].(int64), a[1].(int64)
			return x % y, nil
		},
		"FIX": func(a []any) (any, error) {
			f, _, err := num(a[0])
			if err != nil {
				return nil, err
			}
			return int32Checked(int64(math.Trunc(f)))
		},
		"FLOAT": func(a []any) (any, error) {
			f, _, err := num(a[0])
			return f, err
		},
		"STRCAT": func(a []any) (any, error) {
			var b strings.Builder
			for _, x := range a {
				s, err := str(x)
				if err != nil {
					return nil, err
				}
				b.WriteString(s)
			}
			return b.String(), nil
		},
		"STRLEN": func(a []any) (any, error) {
			s, err := str(a[0])
			return int64(len(s)), err
		},
		"SUBSTR": func(a []any) (any, error) {
			s, err := str(a[0])
			if err != nil {
				return nil, err
			}
			start := int(a[1].(int64)) - 1
			if start < 0 {
				return nil, errors.New("start below 1")
			}
			if start >= len(s) {
				return "", nil
			}
			end := len(s)
			if len(a) > 2 {
				end = min(start+int(a[2].(int64)), len(s))
			}
			return s[start:end], nil
		},
		"STRCASE": func(a []any) (any, error) {
			s, err := str(a[0])
			if len(a) > 1 && truthy(a[1]) {
				return strings.ToLower(s), err
			}
			return strings.ToUpper(s), err
		},
		"ITOA": func(a []any) (any, error) {
			n, ok := a[0].(int64)
			if !ok {
				return nil, fmt.Errorf("not an integer: %#v", a[0])
			}
			return strconv.FormatInt(n, 10), nil
		},
		"ATOI": func(a []any) (any, error) {
			s, _ := str(a[0])
			n, _ := strconv.ParseInt(strings.TrimLeft(s, "0"), 10, 32)
			return n, nil
		},
		"ATOF": func(a []any) (any, error) {
			s, _ := str(a[0])
			f, _ := strconv.ParseFloat(s, 64)
			return f, nil
		},
		"ASCII": func(a []any) (any, error) {
			s, err := str(a[0])
			if err != nil || s == "" {
				return int64(0), err
			}
			return int64(s[0]), nil
		},
		"LIST": func(a []any) (any, error) {
			if len(a) == 0 {
				return nil, nil
			}
			return append([]any{}, a...), nil
		},
		"CONS": func(a []any) (any, error) {
			switch l := a[1].(type) {
			case nil:
				return []any{a[0]}, nil
			case []any:
				return append([]any{a[0]}, l...), nil
			}
			return pair{a[0], a[1]}, nil
		},
		"CAR": func(a []any) (any, error) { return car(a[0]) },
		"CDR": func(a []any) (any, error) { return cdr(a[0]) },
		"CADR": func(a []any) (any, error) {
			d, err := cdr(a[0])
			if err != nil {
				return nil, err
			}
			return car(d)
		},
		"CADDR": func(a []any) (any, error) {
			d, err := cdr(a[0])
			if err != nil {
				return nil, err
			}
			if d, err = cdr(d); err != nil {
				return nil, err
			}
			return car(d)
		},
		"ASSOC": func(a []any) (any, error) {
			l, _ := a[1].([]any)
			for _, it := range l {
				if k, err := car(it); err == nil && equal(k, a[0]) {
					return it, nil
				}
			}
			return nil, nil
		},
		"MEMBER": func(a []any) (any, error) {
			l, _ := a[1].([]any)
			for i, it := range l {
				if equal(it, a[0]) {
					return l[i:], nil
				}
			}
			return nil, nil
		},
		"NULL":    func(a []any) (any, error) { return lbool(!truthy(a[0])), nil },
		"NOT":     func(a []any) (any, error) { return lbool(!truthy(a[0])), nil },
		"NUMBERP": func(a []any) (any, error) { _, _, err := num(a[0]); return lbool(err == nil), nil },
		"TYPE": func(a []any) (any, error) {
			switch a[0].(type) {
			case nil:
				return nil, nil
			case int64:
				return sym("INT"), nil
			case float64:
				return sym("REAL"), nil
			case string:
				return sym("STR"), nil
			case sym:
				return sym("SYM"), nil
			}
			return sym("LIST"), nil
		},
	}
	return in
}
