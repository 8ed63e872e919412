package newapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// apiPageSize asks for large pages; new-api caps page_size itself.
const apiPageSize = 100

// maxAPIPages stops a server that ignores the page parameter from looping us.
const maxAPIPages = 1000

// apiBodyLimit bounds one page's body.
const apiBodyLimit = 32 << 20

// HTTPClient lets tests substitute the transport; nil = a client honouring
// the environment's proxy like any other request of ours.
var HTTPClient *http.Client

// APIInfo describes the admin API channels were read from.
type APIInfo struct {
	URL      string `json:"url"`      // the base URL, without credentials
	Channels int    `json:"channels"` // channels listed
	Returned int    `json:"returned"` // endpoints returned (enabled only unless All)
	Skipped  int    `json:"skipped"`  // disabled channels left out
	Disabled int    `json:"disabled"` // disabled channels, skipped or (All) included
	// KeysOmitted: WithKeys was asked, but the API lists no keys.
	KeysOmitted bool `json:"keys_omitted,omitempty"`
}

// NoKeysNote is what an endpoint from the admin API says under WithKeys:
// the key is neither sent nor checked (issue 9.5).
const NoKeysNote = "--with-keys: new-api's admin API does not return keys, so no key was sent and the key is not checked; read the database (--from-db --with-keys) to check keys"

// LoadFromAPI lists channels through new-api's admin API (GET /api/channel/,
// paginated) with Authorization: <access token> and New-Api-User: <user id>.
// The API omits keys, so WithKeys cannot be honoured from here: every
// endpoint says so in a note, and APIInfo.KeysOmitted is set.
func LoadFromAPI(ctx context.Context, baseURL, token, user string, o Options) ([]diag.Endpoint, *APIInfo, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	base, err := normalizeBase(baseURL)
	if err != nil {
		return nil, nil, &SourceError{Source: "admin API " + strconv.Quote(StripPassword(baseURL)), Err: err}
	}
	src := "admin API " + base
	if strings.TrimSpace(token) == "" {
		return nil, nil, &SourceError{Source: src, Auth: true, Err: errors.New("no access token: pass --token or set NEWAPI_TOKEN (new-api: Personal settings → Generate access token)")}
	}
	if strings.TrimSpace(user) == "" {
		return nil, nil, &SourceError{Source: src, Auth: true, Err: errors.New("no user id: pass --user or set NEWAPI_USER (the numeric id of the admin the token belongs to)")}
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout())
	defer cancel()

	client := HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	seen := map[int]bool{}
	var rows []channelRow
	// p=0 first: new-api ≥ 0.9 counts pages from 1 and clamps 0 to 1; older
	// versions count from 0. The answer's shape tells which one answered.
	page := 0
	for n := 0; n < maxAPIPages; n++ {
		items, total, paged, err := fetchPage(ctx, client, base, token, user, page)
		if err != nil {
			return nil, nil, &SourceError{Source: src, Err: err, Auth: isAuth(err)}
		}
		if n == 0 && paged && page == 0 {
			page = 1 // the clamped p=0 was page 1
		}
		fresh := 0
		for _, it := range items {
			if !seen[it.ID] {
				seen[it.ID] = true
				rows = append(rows, it)
				fresh++
			}
		}
		// Old versions ignore page_size (one-api serves 10 a page): only an
		// empty or repeated page ends an unpaged listing.
		if len(items) == 0 || fresh == 0 || (paged && len(rows) >= total) {
			break
		}
		page++
	}
	info := &APIInfo{URL: base, Channels: len(rows), KeysOmitted: o.WithKeys}
	eps := make([]diag.Endpoint, 0, len(rows))
	for _, r := range rows {
		if r.Status != StatusEnabled {
			info.Disabled++
			if !o.All {
				info.Skipped++
				continue
			}
		}
		ep := toEndpoint(ForkNewAPI, r, "api", o, getenv)
		if o.WithKeys {
			appendNote(&ep, NoKeysNote)
			ep.Extra[diag.ExtraKeyUnavailable] = "true"
		}
		eps = append(eps, ep)
	}
	info.Returned = len(eps)
	return eps, info, nil
}

func appendNote(ep *diag.Endpoint, n string) {
	if ep.Extra == nil {
		ep.Extra = map[string]string{}
	}
	if old := ep.Extra[diag.ExtraNote]; old != "" {
		n = old + "; " + n
	}
	ep.Extra[diag.ExtraNote] = n
}

type authError struct{ msg string }

func (e *authError) Error() string { return e.msg }

func isAuth(err error) bool {
	var ae *authError
	return errors.As(err, &ae)
}

// apiChannel is a channel as the admin API serialises it (model.Channel).
// Fields are lenient: forks serialise some as objects or numbers.
type apiChannel struct {
	ID        int        `json:"id"`
	Type      int        `json:"type"`
	Status    int        `json:"status"`
	Name      string     `json:"name"`
	BaseURL   flexString `json:"base_url"`
	Other     flexString `json:"other"`
	OtherInfo flexString `json:"other_info"`
	Setting   flexString `json:"setting"`
	TestModel flexString `json:"test_model"`
	Group     flexString `json:"group"`
	Models    flexString `json:"models"`
	Priority  flexString `json:"priority"`
	Tag       flexString `json:"tag"`
}

// flexString takes a JSON string as is, null as "", and any other value
// (object, number) as its JSON text.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	switch {
	case string(b) == "null":
		*f = ""
	case json.Unmarshal(b, &s) == nil:
		*f = flexString(s)
	default:
		*f = flexString(b)
	}
	return nil
}

func (c apiChannel) row() channelRow {
	return channelRow{ID: c.ID, Type: c.Type, Status: c.Status, Name: c.Name, BaseURL: string(c.BaseURL),
		Other: string(c.Other), OtherInfo: string(c.OtherInfo), Setting: string(c.Setting), TestModel: string(c.TestModel),
		Group: string(c.Group), Models: string(c.Models), Priority: string(c.Priority), Tag: string(c.Tag)}
}

// fetchPage gets one page. paged reports the newer {items,total} shape.
func fetchPage(ctx context.Context, client *http.Client, base, token, user string, page int) (items []channelRow, total int, paged bool, err error) {
	u := base + "/api/channel/?p=" + strconv.Itoa(page) + "&page_size=" + strconv.Itoa(apiPageSize)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, false, err
	}
	req.Header.Set("Authorization", token)
	req.Header.Set("New-Api-User", user)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, false, fmt.Errorf("GET /api/channel/: %w", stripURLErr(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, apiBodyLimit))
	if err != nil {
		return nil, 0, false, fmt.Errorf("reading /api/channel/: %w", err)
	}
	var env struct {
		Success *bool           `json:"success"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	jerr := json.Unmarshal(body, &env)
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, 0, false, &authError{fmt.Sprintf("HTTP %d: the token or user id was rejected%s", resp.StatusCode, serverSays(env.Message))}
	case resp.StatusCode != http.StatusOK:
		return nil, 0, false, fmt.Errorf("GET /api/channel/ answered HTTP %d%s", resp.StatusCode, serverSays(env.Message))
	case jerr != nil || env.Success == nil:
		return nil, 0, false, errors.New("GET /api/channel/ did not answer new-api's JSON ({\"success\":…}): is this a new-api admin URL?")
	case !*env.Success:
		// new-api reports auth failures as HTTP 200 with success:false.
		return nil, 0, false, &authError{"the admin API refused the request" + serverSays(env.Message) + " (check the access token and New-Api-User id; the user must be an admin)"}
	}
	var list []apiChannel
	d := strings.TrimSpace(string(env.Data))
	switch {
	case strings.HasPrefix(d, "["):
		if err := json.Unmarshal(env.Data, &list); err != nil {
			return nil, 0, false, fmt.Errorf("channel list: %w", err)
		}
	case strings.HasPrefix(d, "{"):
		var pg struct {
			Items []apiChannel `json:"items"`
			Total int          `json:"total"`
		}
		if err := json.Unmarshal(env.Data, &pg); err != nil {
			return nil, 0, false, fmt.Errorf("channel page: %w", err)
		}
		list, total, paged = pg.Items, pg.Total, true
	case d == "" || d == "null":
	default:
		return nil, 0, false, errors.New("channel list: unexpected data shape")
	}
	for _, c := range list {
		items = append(items, c.row())
	}
	return items, total, paged, nil
}

func serverSays(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return ""
	}
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return " (server: " + strconv.Quote(msg) + ")"
}

// stripURLErr drops the URL (with its query) from a transport error: the
// message then names only the failure.
func stripURLErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func normalizeBase(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("empty URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", errors.New("not an http(s) URL of the new-api server (e.g. http://127.0.0.1:3000)")
	}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	u.Path = strings.TrimSuffix(u.Path, "/api")
	return u.String(), nil
}

// GatewayEndpoint is the new-api server itself, probed at its public
// /api/status.
func GatewayEndpoint(baseURL string) diag.Endpoint {
	base, err := normalizeBase(baseURL)
	ep := diag.Endpoint{
		Name:     "new-api gateway",
		URL:      base,
		Provider: "newapi",
		Source:   "gateway",
		Extra:    map[string]string{"role": "gateway"},
	}
	if err != nil {
		ep.URL = baseURL
		ep.Extra[diag.ExtraNote] = err.Error()
		return ep
	}
	ep.ProbePath = "/api/status" // appended to the URL's path by diag
	return ep
}
