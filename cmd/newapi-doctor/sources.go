package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// sourceOptions say where endpoints come from; check, bundle and serve share them.
type sourceOptions struct {
	Config   string
	FromDB   string
	FromAPI  string
	Token    string
	User     string
	All      bool
	WithKeys bool
	Gateway  string

	Timeouts diag.Timeouts
	Resolver string

	flags *pflag.FlagSet // to tell an empty value given from no flag
}

// fromDBAuto is --from-db given without a value (or =auto): new-api's own
// choice of database. Printable, because pflag shows it in --help; a SQLite
// file named "auto" is still reachable as ./auto.
const fromDBAuto = "auto"

func (so *sourceOptions) addFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	so.flags = fl
	fl.StringVar(&so.Config, "config", "", "config file (default ./newapi-doctor.yaml, then the user config dir)")
	fl.StringVar(&so.FromDB, "from-db", "", "read channels from new-api's database: a DSN or SQLite path (alone or =auto: as new-api chooses, from SQL_DSN/SQLITE_PATH)")
	fl.Lookup("from-db").NoOptDefVal = fromDBAuto
	fl.StringVar(&so.FromAPI, "from-api", "", "read channels from a new-api admin API base URL (with --token/--user or NEWAPI_TOKEN/NEWAPI_USER)")
	fl.StringVar(&so.Token, "token", "", "new-api access token for --from-api (prefer NEWAPI_TOKEN: flags show in ps)")
	fl.StringVar(&so.User, "user", "", "new-api user id for --from-api (or NEWAPI_USER)")
	fl.BoolVar(&so.All, "all", false, "with --from-db/--from-api: also disabled channels")
	fl.BoolVar(&so.WithKeys, "with-keys", false, "with --from-db/--from-api: send the channels' keys (never printed; the admin API lists none)")
	fl.StringVar(&so.Gateway, "gateway", "", "with --from-db: the new-api server's URL (default http://127.0.0.1:$PORT, PORT defaulting to 3000)")
	addProbeFlags(fl, &so.Timeouts, &so.Resolver)
}

// load gathers the endpoints: positional URLs, else the database or admin
// API, else the config file, else the embedded defaults. Every source's
// secrets and hosts are registered with the redactor before anything prints.
func (so *sourceOptions) load(ctx context.Context, f *Factory, args []string) ([]diag.Endpoint, diag.Timeouts, error) {
	var (
		eps []diag.Endpoint
		t   diag.Timeouts
	)
	switch {
	case len(args) > 0:
		// Names key --require, JUnit test cases and metric labels: a URL
		// given twice is checked once, and two URLs with one name
		// (http:// and https:// of a host) get "#2".
		seenURL, names := map[string]bool{}, map[string]int{}
		for _, a := range args {
			ep, err := diag.EndpointFromArg(a)
			if err != nil {
				return nil, t, err
			}
			if seenURL[ep.URL] {
				continue
			}
			seenURL[ep.URL] = true
			if names[ep.Name]++; names[ep.Name] > 1 {
				ep.Name = fmt.Sprintf("%s#%d", ep.Name, names[ep.Name])
			}
			eps = append(eps, ep)
		}
	case so.FromDB != "" || so.FromAPI != "":
		var err error
		eps, err = loadNewAPISources(ctx, f, so)
		if err != nil {
			return nil, t, err
		}
	default:
		path, err := diag.FindConfig(so.Config)
		if err != nil {
			return nil, t, err
		}
		var cfg *diag.Config
		if path == "" {
			cfg = diag.DefaultConfig()
		} else if cfg, err = diag.LoadConfig(path, f.Getenv); err != nil {
			return nil, t, err
		}
		eps, t = cfg.Endpoints, cfg.Timeouts
	}
	for _, d := range []struct {
		flag time.Duration
		dst  *time.Duration
		name string
	}{{so.Timeouts.DNS, &t.DNS, "dns"}, {so.Timeouts.Connect, &t.Connect, "connect"}, {so.Timeouts.TLS, &t.TLS, "tls"}, {so.Timeouts.HTTP, &t.HTTP, "http"}} {
		if d.flag < 0 {
			return nil, t, usageError("--%s-timeout must be positive, got %s", d.name, d.flag)
		}
		if d.flag > 0 {
			*d.dst = d.flag
		}
	}
	if len(eps) == 0 {
		return nil, t, usageError("no endpoints to check")
	}
	f.RegisterEndpoints(eps)
	return eps, t, nil
}

func (so *sourceOptions) checkExclusive(args []string) error {
	// An empty value (an unset shell variable, "--from-api=$URL") must not
	// quietly fall back to the embedded provider list.
	for _, name := range []string{"config", "from-db", "from-api", "token", "user", "resolver", "gateway"} {
		if so.flags != nil && so.flags.Changed(name) && strings.TrimSpace(so.flags.Lookup(name).Value.String()) == "" {
			return usageError("--%s: empty value", name)
		}
	}
	if so.Resolver != "" {
		if err := checkResolver("--resolver", &so.Resolver); err != nil {
			return err
		}
	}
	n := 0
	for _, set := range []bool{len(args) > 0, so.FromDB != "", so.FromAPI != "", so.Config != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return usageError("give endpoints one way: URLs, --config, --from-db or --from-api")
	}
	return so.checkGateway()
}

func quoteList(ss []string) string { return fmt.Sprintf("%q", ss) }
