package newapi

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Driver kinds, as new-api names its databases.
const (
	KindSQLite   = "sqlite"
	KindMySQL    = "mysql"
	KindPostgres = "postgres"
)

// Target is a resolved database to open.
type Target struct {
	Kind string // KindSQLite, KindMySQL, KindPostgres
	// DSN is what the driver receives: a file path for SQLite (query stripped),
	// a go-sql-driver DSN for MySQL, a postgres:// URL for PostgreSQL.
	DSN string
	// Source says where the choice came from: "argument", "env:SQL_DSN",
	// "env:SQLITE_PATH", "default", "docker", "desktop".
	Source string
}

// Display is the target for messages: passwords stripped.
func (t Target) Display() string {
	if t.Kind == KindSQLite {
		return t.DSN
	}
	return StripPassword(t.DSN)
}

// DBInfo describes the database channels were read from.
type DBInfo struct {
	Kind     string `json:"kind"`
	Display  string `json:"display"` // path or DSN without password
	Source   string `json:"source"`
	Fork     Fork   `json:"fork"`
	Channels int    `json:"channels"` // rows in the table
	Returned int    `json:"returned"` // endpoints returned (enabled only unless All)
	Skipped  int    `json:"skipped"`  // disabled channels left out
	Disabled int    `json:"disabled"` // disabled channels, skipped or (All) included
}

// ParseDSN classifies an explicit DSN or path the way new-api classifies
// SQL_DSN: postgres:// or postgresql:// → PostgreSQL; "local…" → SQLite at
// SQLITE_PATH; a MySQL DSN (user:pass@tcp(host)/db) → MySQL. Because an
// explicit argument may also be a plain file, anything that is not
// recognisably a MySQL DSN is taken as a SQLite path.
func ParseDSN(s string, getenv func(string) string) (Target, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Target{}, errors.New("empty database DSN or path")
	}
	if strings.ContainsAny(s, "\x00\n\r") {
		return Target{}, errors.New("database DSN or path contains a control character")
	}
	low := strings.ToLower(s)
	switch {
	case strings.HasPrefix(low, "postgres://") || strings.HasPrefix(low, "postgresql://"):
		if _, err := url.Parse(s); err != nil {
			return Target{}, fmt.Errorf("PostgreSQL DSN %s is not a valid URL", StripPassword(s))
		}
		return Target{Kind: KindPostgres, DSN: s, Source: "argument"}, nil
	case strings.HasPrefix(low, "local"):
		p := sqlitePathFromEnv(getenv)
		return Target{Kind: KindSQLite, DSN: p, Source: "argument"}, nil
	case strings.HasPrefix(low, "file:"):
		return Target{Kind: KindSQLite, DSN: stripSQLiteQuery(strings.TrimPrefix(strings.TrimPrefix(s, s[:5]), "//")), Source: "argument"}, nil
	case strings.HasPrefix(low, "mysql://"):
		// Not a form new-api accepts, but people write it; convert rather than guess.
		d, err := mysqlURLToDSN(s)
		if err != nil {
			return Target{}, err
		}
		return Target{Kind: KindMySQL, DSN: d, Source: "argument"}, nil
	case looksLikeMySQL(s):
		return Target{Kind: KindMySQL, DSN: s, Source: "argument"}, nil
	}
	return Target{Kind: KindSQLite, DSN: stripSQLiteQuery(s), Source: "argument"}, nil
}

// looksLikeMySQL recognises go-sql-driver DSNs: [user[:pass]@][proto[(addr)]]/db[?params].
func looksLikeMySQL(s string) bool {
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return strings.HasPrefix(s, "tcp(") || strings.HasPrefix(s, "unix(")
	}
	rest := s[at+1:]
	return strings.HasPrefix(rest, "tcp(") || strings.HasPrefix(rest, "unix(") || strings.HasPrefix(rest, "/")
}

func mysqlURLToDSN(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("MySQL URL %s is not valid: want mysql://user:pass@host:3306/db", StripPassword(s))
	}
	var b strings.Builder
	if u.User != nil {
		b.WriteString(u.User.Username())
		if p, ok := u.User.Password(); ok {
			b.WriteString(":" + p)
		}
		b.WriteString("@")
	}
	host := u.Host
	if u.Port() == "" {
		host += ":3306"
	}
	b.WriteString("tcp(" + host + ")" + u.EscapedPath())
	if u.RawQuery != "" {
		b.WriteString("?" + u.RawQuery)
	}
	return b.String(), nil
}

// sqlitePathFromEnv is new-api's common.SQLitePath: SQLITE_PATH or one-api.db.
func sqlitePathFromEnv(getenv func(string) string) string {
	if p := getenv("SQLITE_PATH"); p != "" {
		return stripSQLiteQuery(p)
	}
	return "one-api.db"
}

// stripSQLiteQuery drops new-api's "?_busy_timeout=30000"-style suffix: we
// open the file with our own read-only parameters.
func stripSQLiteQuery(p string) string {
	if i := strings.Index(p, "?"); i >= 0 {
		p = p[:i]
	}
	return p
}

// Resolve picks the database exactly as new-api would: explicit argument,
// else SQL_DSN, else SQLITE_PATH, else one-api.db in the working directory,
// then the Docker image's /data and the desktop app's data folder.
func Resolve(arg string, getenv func(string) string) (Target, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if arg != "" {
		return ParseDSN(arg, getenv)
	}
	if dsn := getenv("SQL_DSN"); dsn != "" {
		low := strings.ToLower(dsn)
		switch {
		case strings.HasPrefix(low, "postgres://") || strings.HasPrefix(low, "postgresql://"):
			return Target{Kind: KindPostgres, DSN: dsn, Source: "env:SQL_DSN"}, nil
		case strings.HasPrefix(low, "local"):
			return Target{Kind: KindSQLite, DSN: sqlitePathFromEnv(getenv), Source: "env:SQL_DSN"}, nil
		default:
			// new-api treats every other value as MySQL.
			return Target{Kind: KindMySQL, DSN: dsn, Source: "env:SQL_DSN"}, nil
		}
	}
	if p := getenv("SQLITE_PATH"); p != "" {
		return Target{Kind: KindSQLite, DSN: stripSQLiteQuery(p), Source: "env:SQLITE_PATH"}, nil
	}
	tried := []string{}
	for _, c := range defaultSQLitePlaces(getenv) {
		tried = append(tried, c.DSN)
		if fi, err := os.Stat(c.DSN); err == nil && !fi.IsDir() {
			return c, nil
		}
	}
	return Target{}, &SourceError{Source: "new-api database", Err: fmt.Errorf(
		"no database found: SQL_DSN and SQLITE_PATH are unset and none of %s exists; pass the path or DSN (check --from-db PATH-or-DSN)",
		strings.Join(tried, ", "))}
}

// defaultSQLitePlaces lists where new-api's SQLite file lives when nothing is
// configured: its working directory, the Docker image's /data, the desktop app.
func defaultSQLitePlaces(getenv func(string) string) []Target {
	out := []Target{{Kind: KindSQLite, DSN: "one-api.db", Source: "default"}}
	if runtime.GOOS != "windows" {
		out = append(out, Target{Kind: KindSQLite, DSN: "/data/one-api.db", Source: "docker"})
	}
	for _, dir := range desktopDataDirs(getenv) {
		out = append(out, Target{Kind: KindSQLite, DSN: filepath.Join(dir, "data", "new-api.db"), Source: "desktop"})
	}
	return out
}

// desktopDataDirs are Electron's userData folders of the desktop app
// (product name "New API", earlier "New-API-App").
func desktopDataDirs(getenv func(string) string) []string {
	var base string
	switch runtime.GOOS {
	case "windows":
		base = getenv("APPDATA")
	case "darwin":
		if h := getenv("HOME"); h != "" {
			base = filepath.Join(h, "Library", "Application Support")
		}
	default:
		if x := getenv("XDG_CONFIG_HOME"); x != "" {
			base = x
		} else if h := getenv("HOME"); h != "" {
			base = filepath.Join(h, ".config")
		}
	}
	if base == "" {
		return nil
	}
	return []string{filepath.Join(base, "New API"), filepath.Join(base, "New-API-App")}
}

// StripPassword hides the password of a URL- or MySQL-style DSN.
func StripPassword(dsn string) string {
	if strings.Contains(dsn, "://") {
		if u, err := url.Parse(dsn); err == nil {
			if u.User != nil {
				if _, ok := u.User.Password(); ok {
					u.User = url.UserPassword(u.User.Username(), "xxxxx")
				}
			}
			q := u.Query()
			if q.Has("password") {
				q.Set("password", "xxxxx")
				u.RawQuery = q.Encode()
			}
			return strings.Replace(u.String(), "xxxxx", "[REDACTED]", -1)
		}
		// Unparsable URL: cut everything between scheme and '@'.
		i := strings.Index(dsn, "://")
		if at := strings.LastIndex(dsn, "@"); at > i {
			return dsn[:i+3] + "[REDACTED]" + dsn[at:]
		}
		return dsn
	}
	// MySQL: user:pass@proto(addr)/db — the password may itself hold '@' or ':'.
	if at := strings.LastIndex(dsn, "@"); at >= 0 {
		cred := dsn[:at]
		if c := strings.Index(cred, ":"); c >= 0 {
			return cred[:c] + ":[REDACTED]" + dsn[at:]
		}
	}
	return dsn
}
