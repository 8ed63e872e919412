package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/newapi"
	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// loadNewAPISources reads channels from new-api's database or admin API. The
// gateway itself is checked too: the --from-api URL, else --gateway, else
// new-api's own address on this machine (PORT, default 3000: a guess).
func loadNewAPISources(ctx context.Context, f *Factory, so *sourceOptions) ([]diag.Endpoint, error) {
	o := newapi.Options{All: so.All, WithKeys: so.WithKeys, Getenv: f.Getenv}
	if so.FromAPI != "" {
		token, user := so.Token, so.User
		if token == "" {
			token = f.Getenv("NEWAPI_TOKEN")
		}
		if user == "" {
			user = f.Getenv("NEWAPI_USER")
		}
		// The token is a secret from the moment it is read.
		f.Redactor().AddSecret(token)
		eps, info, err := newapi.LoadFromAPI(ctx, so.FromAPI, token, user, o)
		if err != nil {
			return nil, err
		}
		l := f.Lang()
		line := l.Sprintf("read %d channels from admin API %s; %s", info.Channels, info.URL, disabledWord(l, info.Disabled, info.Skipped, so.All))
		if info.KeysOmitted {
			line += l.T("; ") + l.T(newapi.NoKeysNote)
		}
		sourceHeader(f, line)
		return append([]diag.Endpoint{newapi.GatewayEndpoint(so.FromAPI)}, eps...), nil
	}
	dsn := so.FromDB
	if dsn == fromDBAuto {
		dsn = ""
	}
	eps, info, err := newapi.LoadFromDB(ctx, dsn, o)
	if err != nil {
		return nil, err
	}
	if info != nil {
		// Which database was read matters when new-api's own rules chose it.
		l := f.Lang()
		sourceHeader(f, l.Sprintf("read %d channels from %s %s (%s, via %s); %s",
			info.Channels, info.Kind, info.Display, info.Fork, info.Source, disabledWord(l, info.Disabled, info.Skipped, so.All)))
	}
	return append([]diag.Endpoint{gatewayOf(f, so)}, eps...), nil
}

// sourceHeader prints what a new-api source read, for a person (text only:
// the other formats are documents).
func sourceHeader(f *Factory, line string) {
	if f.Format == "text" {
		fmt.Fprintln(f.IO.ErrOut, f.RedactString(line))
	}
}

// disabledWord: "2 disabled skipped (--all to include)", or with --all
// "2 disabled included (--all)".
func disabledWord(l i18n.Lang, disabled, skipped int, all bool) string {
	if all {
		return l.Sprintf("%d disabled included (--all)", disabled)
	}
	return l.Sprintf("%d disabled skipped (--all to include)", skipped)
}

// gatewayOf is the new-api that owns the database: --gateway, else
// 127.0.0.1:$PORT as new-api reads it. Without PORT, 3000 is new-api's
// default and only a guess: nothing answering there warns, never fails.
func gatewayOf(f *Factory, so *sourceOptions) diag.Endpoint {
	if so.Gateway != "" {
		return newapi.GatewayEndpoint(so.Gateway)
	}
	if port := f.Getenv("PORT"); port != "" {
		return newapi.GatewayEndpoint("http://127.0.0.1:" + port)
	}
	ep := newapi.GatewayEndpoint("http://127.0.0.1:3000")
	ep.Extra[diag.ExtraPortGuess] = "PORT is not set here; 3000 is new-api's default"
	return ep
}

// checkGateway validates --gateway: an http(s) URL of the new-api server,
// given with --from-db only (--from-api's URL is the gateway already).
func (so *sourceOptions) checkGateway() error {
	if so.Gateway == "" {
		return nil
	}
	if so.FromDB == "" {
		return usageError("--gateway goes with --from-db (with --from-api, the API's URL is the gateway)")
	}
	u, err := url.Parse(so.Gateway)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
		return usageError("--gateway: want the new-api server's URL, e.g. http://127.0.0.1:3000")
	}
	return nil
}
