// Package pgdriver is a small database/sql driver over a pgx connection that
// accepts SQLite-style `?` placeholders, so the collector runs the same SQL
// text on both engines.
//
// It exists instead of github.com/jackc/pgx/v5/stdlib because that package
// links pgxpool and with it github.com/jackc/puddle/v2, which the module's
// go.sum does not carry; database/sql already pools connections.
package pgdriver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Open returns a pooled *sql.DB for a postgres:// URL.
func Open(url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres url: %w", err)
	}
	return sql.OpenDB(&connector{cfg: cfg}), nil
}

// Rebind turns `?` placeholders into `$1`, `$2`, ... leaving quoted text
// alone.
func Rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

type connector struct{ cfg *pgx.ConnConfig }

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	pc, err := pgx.ConnectConfig(ctx, c.cfg)
	if err != nil {
		return nil, err
	}
	return &conn{pc: pc}, nil
}

func (c *connector) Driver() driver.Driver { return drv{} }

type drv struct{}

func (drv) Open(name string) (driver.Conn, error) {
	cfg, err := pgx.ParseConfig(name)
	if err != nil {
		return nil, err
	}
	return (&connector{cfg: cfg}).Connect(context.Background())
}

type conn struct {
	pc *pgx.Conn
	tx pgx.Tx
}

var (
	_ driver.ConnBeginTx      = (*conn)(nil)
	_ driver.ExecerContext    = (*conn)(nil)
	_ driver.QueryerContext   = (*conn)(nil)
	_ driver.Pinger           = (*conn)(nil)
	_ driver.SessionResetter  = (*conn)(nil)
	_ driver.Validator        = (*conn)(nil)
	_ driver.StmtExecContext  = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
)

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return &stmt{c: c, query: query}, nil
}

func (c *conn) Close() error { return c.pc.Close(context.Background()) }

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	var o pgx.TxOptions
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault:
	case sql.LevelSerializable:
		o.IsoLevel = pgx.Serializable
	case sql.LevelRepeatableRead, sql.LevelSnapshot:
		o.IsoLevel = pgx.RepeatableRead
	case sql.LevelReadCommitted:
		o.IsoLevel = pgx.ReadCommitted
	default:
		return nil, fmt.Errorf("isolation level %d is not supported", opts.Isolation)
	}
	if opts.ReadOnly {
		o.AccessMode = pgx.ReadOnly
	}
	tx, err := c.pc.BeginTx(ctx, o)
	if err != nil {
		return nil, err
	}
	c.tx = tx
	return c, nil
}

// Commit and Rollback make conn its own driver.Tx: pgx runs a transaction's
// statements on the connection itself.
func (c *conn) Commit() error {
	tx := c.tx
	c.tx = nil
	if tx == nil {
		return errors.New("commit without a transaction")
	}
	return tx.Commit(context.Background())
}

func (c *conn) Rollback() error {
	tx := c.tx
	c.tx = nil
	if tx == nil {
		return errors.New("rollback without a transaction")
	}
	return tx.Rollback(context.Background())
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	tag, err := c.pc.Exec(ctx, Rebind(query), values(args)...)
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	r, err := c.pc.Query(ctx, Rebind(query), values(args)...)
	if err != nil {
		return nil, err
	}
	return &rows{r: r}, nil
}

func (c *conn) Ping(ctx context.Context) error {
	if err := c.pc.Ping(ctx); err != nil {
		return driver.ErrBadConn
	}
	return nil
}

func (c *conn) ResetSession(ctx context.Context) error {
	if c.pc.IsClosed() {
		return driver.ErrBadConn
	}
	return nil
}

func (c *conn) IsValid() bool { return !c.pc.IsClosed() }

func values(args []driver.NamedValue) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}

type stmt struct {
	c     *conn
	query string
}

func (s *stmt) Close() error  { return nil }
func (s *stmt) NumInput() int { return -1 }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.c.ExecContext(ctx, s.query, args)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.c.QueryContext(ctx, s.query, args)
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

type rows struct {
	r    pgx.Rows
	cols []string
}

func (r *rows) Columns() []string {
	if r.cols == nil {
		for _, f := range r.r.FieldDescriptions() {
			r.cols = append(r.cols, f.Name)
		}
	}
	return r.cols
}

func (r *rows) Close() error {
	r.r.Close()
	return r.r.Err()
}

func (r *rows) Next(dest []driver.Value) error {
	if !r.r.Next() {
		if err := r.r.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	vals, err := r.r.Values()
	if err != nil {
		return err
	}
	for i, v := range vals {
		dest[i], err = toDriver(v)
		if err != nil {
			return fmt.Errorf("column %s: %w", r.Columns()[i], err)
		}
	}
	return nil
}

// toDriver narrows pgx's decoded values to the types database/sql scans
// from. Sums of bigint come back as numeric, hence the Numeric case.
func toDriver(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil, int64, float64, bool, []byte, string, time.Time:
		return x, nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case pgtype.Numeric:
		if !x.Valid {
			return nil, nil
		}
		if x.Exp >= 0 {
			if i, err := x.Int64Value(); err == nil && i.Valid {
				return i.Int64, nil
			}
		}
		f, err := x.Float64Value()
		if err != nil {
			return nil, err
		}
		return f.Float64, nil
	default:
		return nil, fmt.Errorf("unsupported value type %T", v)
	}
}
