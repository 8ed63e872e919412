package main

import (
	"context"
	"fmt"

	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/diag/newapi"
)

// loadNewAPISources reads channels from new-api's database or admin API. The
// gateway itself is added as an endpoint when its address is known (--from-api).
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
		eps, err := newapi.LoadFromAPI(ctx, so.FromAPI, token, user, o)
		if err != nil {
			return nil, err
		}
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
	if info != nil && f.Format == "text" {
		// Which database was read matters when new-api's own rules chose it.
		fmt.Fprintln(f.IO.ErrOut, f.RedactString(fmt.Sprintf("read %d channels from %s %s (%s, via %s); %d disabled skipped (--all to include)",
			info.Channels, info.Kind, info.Display, info.Fork, info.Source, info.Skipped)))
	}
	// The gateway that owns this database is checked too, on new-api's port
	// (PORT, default 3000) on this machine.
	port := f.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	return append([]diag.Endpoint{newapi.GatewayEndpoint("http://127.0.0.1:" + port)}, eps...), nil
}
