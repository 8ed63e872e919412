package newapi

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	_ "github.com/go-sql-driver/mysql" // MySQL/MariaDB
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL, as driver "pgx"
	_ "modernc.org/sqlite"             // pure-Go SQLite: no cgo, simple Windows builds

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// LoadFromDB reads new-api's (or one-api's) channels table. dsnOrPath ""
// lets new-api's own rules choose (SQL_DSN, SQLITE_PATH, one-api.db, …).
// The database is opened read-only and never written.
func LoadFromDB(ctx context.Context, dsnOrPath string, o Options) ([]diag.Endpoint, *DBInfo, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	t, err := Resolve(dsnOrPath, getenv)
	if err != nil {
		var se *SourceError
		if errors.As(err, &se) {
			return nil, nil, err
		}
		return nil, nil, &SourceError{Source: "database " + strconv.Quote(StripPassword(dsnOrPath)), Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout())
	defer cancel()

	db, err := openTarget(ctx, t, o)
	if err != nil {
		return nil, nil, srcErr(t, err)
	}
	defer db.Close()

	rows, fork, err := readChannels(ctx, db, t.Kind)
	if err != nil {
		return nil, nil, srcErr(t, err)
	}
	info := &DBInfo{Kind: t.Kind, Display: t.Display(), Source: t.Source, Fork: fork, Channels: len(rows)}
	eps := make([]diag.Endpoint, 0, len(rows))
	for _, r := range rows {
		if r.Status != StatusEnabled {
			info.Disabled++
			if !o.All {
				info.Skipped++
				continue
			}
		}
		eps = append(eps, toEndpoint(fork, r, "db", o, getenv))
	}
	info.Returned = len(eps)
	return eps, info, nil
}

func srcErr(t Target, err error) error {
	var se *SourceError
	if errors.As(err, &se) {
		return err
	}
	what := map[string]string{KindSQLite: "SQLite database", KindMySQL: "MySQL database", KindPostgres: "PostgreSQL database"}[t.Kind]
	return &SourceError{Source: what + " " + strconv.Quote(t.Display()), Err: scrub(err, t)}
}

// scrub removes the DSN's password from a driver error, should a driver ever quote it.
func scrub(err error, t Target) error {
	msg := err.Error()
	if t.Kind == KindSQLite {
		return err
	}
	if pw := dsnPassword(t); len(pw) >= 3 && strings.Contains(msg, pw) {
		return errors.New(strings.ReplaceAll(msg, pw, "[REDACTED]"))
	}
	return err
}

func dsnPassword(t Target) string {
	if t.Kind == KindPostgres {
		if u, err := url.Parse(t.DSN); err == nil && u.User != nil {
			p, _ := u.User.Password()
			return p
		}
		return ""
	}
	if at := strings.LastIndex(t.DSN, "@"); at >= 0 {
		if _, p, ok := strings.Cut(t.DSN[:at], ":"); ok {
			return p
		}
	}
	return ""
}

var sqliteMagic = []byte("SQLite format 3\x00")

// openTarget opens the database read-only with short timeouts and checks
// that it answers.
func openTarget(ctx context.Context, t Target, o Options) (*sql.DB, error) {
	var db *sql.DB
	var err error
	switch t.Kind {
	case KindSQLite:
		if err := checkSQLiteFile(t.DSN); err != nil {
			return nil, err
		}
		db, err = sql.Open("sqlite", sqliteURI(t.DSN, false))
	case KindMySQL:
		db, err = sql.Open("mysql", mysqlReadOnlyDSN(t.DSN, o))
	case KindPostgres:
		db, err = sql.Open("pgx", pgDSN(t.DSN, o))
	default:
		return nil, fmt.Errorf("unknown database kind %q", t.Kind)
	}
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if t.Kind == KindSQLite {
			// mode=ro still needs the -shm file of a WAL database to be
			// writable; immutable=1 reads a read-only copy without it.
			db2, err2 := sql.Open("sqlite", sqliteURI(t.DSN, true))
			if err2 == nil && db2.PingContext(ctx) == nil {
				db2.SetMaxOpenConns(1)
				return db2, nil
			}
			if db2 != nil {
				db2.Close()
			}
		}
		return nil, fmt.Errorf("cannot connect: %w", err)
	}
	return db, nil
}

func checkSQLiteFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return errors.New("no such file (new-api creates it on first start; pass the path of the one it uses)")
		}
		return err
	}
	if fi.IsDir() {
		return errors.New("is a directory, not a SQLite database file")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteMagic) {
		if fi.Size() == 0 {
			return errors.New("is empty, not a SQLite database")
		}
		return errors.New("is not a SQLite database (bad header)")
	}
	return nil
}

// sqliteURI builds a read-only file: URI for modernc's driver.
func sqliteURI(path string, immutable bool) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	p := filepath.ToSlash(abs)
	if runtime.GOOS == "windows" && !strings.HasPrefix(p, "/") {
		p = "/" + p // file:///C:/…
	}
	u := url.URL{Scheme: "file", Path: p}
	q := "mode=ro&_pragma=busy_timeout(3000)&_pragma=query_only(1)"
	if immutable {
		q += "&immutable=1"
	}
	return "file://" + u.EscapedPath() + "?" + q
}

func mysqlReadOnlyDSN(dsn string, o Options) string {
	secs := strconv.Itoa(int(o.timeout().Seconds()) + 1)
	add := []string{"timeout=" + secs + "s", "readTimeout=" + secs + "s", "parseTime=true"}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	var extra []string
	for _, a := range add {
		k, _, _ := strings.Cut(a, "=")
		if !strings.Contains(dsn, k+"=") {
			extra = append(extra, a)
		}
	}
	if len(extra) == 0 {
		return dsn
	}
	return dsn + sep + strings.Join(extra, "&")
}

func pgDSN(dsn string, o Options) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("connect_timeout") == "" {
		q.Set("connect_timeout", strconv.Itoa(int(o.timeout().Seconds())+1))
	}
	// Belt and braces with the read-only transaction below.
	if q.Get("default_transaction_read_only") == "" {
		q.Set("default_transaction_read_only", "on")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// wanted columns, in select order. "group" and "key" are reserved words.
var wantedCols = []string{"id", "type", "key", "status", "name", "base_url", "other", "other_info",
	"setting", "config", "test_model", "group", "models", "priority", "tag", "channel_info"}

// readChannels detects the fork from the table's columns and reads every row
// inside a read-only transaction.
func readChannels(ctx context.Context, db *sql.DB, kind string) ([]channelRow, Fork, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil && kind == KindSQLite {
		// modernc rejects ReadOnly tx options on some versions; the URI is read-only anyway.
		tx, err = db.BeginTx(ctx, nil)
	}
	if err != nil {
		return nil, "", fmt.Errorf("cannot start a read-only transaction: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to commit

	cols, err := tableColumns(ctx, tx, kind)
	if err != nil {
		return nil, "", err
	}
	if len(cols) == 0 {
		return nil, "", errors.New("has no 'channels' table: not a new-api or one-api database")
	}
	for _, c := range []string{"id", "type", "base_url"} {
		if !cols[c] {
			return nil, "", fmt.Errorf("table 'channels' has no %q column: not a new-api or one-api database", c)
		}
	}
	fork := detectFork(cols)

	var sel []string
	var present []string
	for _, c := range wantedCols {
		if cols[c] {
			sel = append(sel, quoteIdent(kind, c))
			present = append(present, c)
		}
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM channels ORDER BY id"
	rs, err := tx.QueryContext(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("reading channels: %w", err)
	}
	defer rs.Close()
	var out []channelRow
	vals := make([]sql.NullString, len(present))
	ptrs := make([]any, len(present))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return nil, "", fmt.Errorf("reading channel row %d: %w", len(out)+1, err)
		}
		var r channelRow
		for i, c := range present {
			v := vals[i].String
			switch c {
			case "id":
				r.ID = atoi(v)
			case "type":
				r.Type = atoi(v)
			case "key":
				r.Key = v
			case "status":
				r.Status = atoi(v)
			case "name":
				r.Name = v
			case "base_url":
				r.BaseURL = v
			case "other":
				r.Other = v
			case "other_info":
				r.OtherInfo = v
			case "setting":
				r.Setting = v
			case "config":
				r.Config = v
			case "test_model":
				r.TestModel = v
			case "group":
				r.Group = v
			case "models":
				r.Models = v
			case "priority":
				r.Priority = v
			case "tag":
				r.Tag = v
			case "channel_info":
				r.ChannelInfo = v
			}
		}
		if !cols["status"] {
			r.Status = StatusEnabled
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, "", fmt.Errorf("reading channels: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, fork, nil
}

// detectFork tells new-api from one-api by columns: one-api has config and
// system_prompt, new-api has setting / tag / channel_info. An old new-api
// without those still numbers types like new-api.
func detectFork(cols map[string]bool) Fork {
	if cols["setting"] || cols["channel_info"] || cols["tag"] || cols["settings"] {
		return ForkNewAPI
	}
	if cols["config"] || cols["system_prompt"] {
		return ForkOneAPI
	}
	return ForkNewAPI
}

func tableColumns(ctx context.Context, tx *sql.Tx, kind string) (map[string]bool, error) {
	var q string
	switch kind {
	case KindSQLite:
		q = "SELECT name FROM pragma_table_info('channels')"
	case KindMySQL:
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'channels'"
	case KindPostgres:
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'channels'"
	}
	rs, err := tx.QueryContext(ctx, q)
	if err != nil {
		if kind == KindSQLite && strings.Contains(err.Error(), "not a database") {
			return nil, errors.New("is corrupt or not a SQLite database (file is not a database)")
		}
		return nil, fmt.Errorf("listing the channels table's columns: %w", err)
	}
	defer rs.Close()
	cols := map[string]bool{}
	for rs.Next() {
		var c string
		if err := rs.Scan(&c); err != nil {
			return nil, err
		}
		cols[strings.ToLower(c)] = true
	}
	return cols, rs.Err()
}

func quoteIdent(kind, c string) string {
	if kind == KindMySQL {
		return "`" + c + "`"
	}
	return `"` + c + `"`
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		// Some drivers hand back floats ("1.0") or booleans for small ints.
		if f, ferr := strconv.ParseFloat(strings.TrimSpace(s), 64); ferr == nil {
			return int(f)
		}
		return 0
	}
	return n
}
