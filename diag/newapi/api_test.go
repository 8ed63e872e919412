package newapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// fakeNewAPI answers /api/channel/ like new-api: auth by Authorization +
// New-Api-User, failures as HTTP 200 {"success":false}, pages either in the
// current {items,total} shape counted from 1 or the old bare array counted
// from 0 with a fixed page size.
type fakeNewAPI struct {
	channels []apiChannel
	legacy   bool
	maxPage  int // page size cap
	requests atomic.Int32
}

func (f *fakeNewAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/api/status" {
		fmt.Fprint(w, `{"success":true,"message":"","data":{"version":"v0.9.1","system_name":"New API"}}`)
		return
	}
	if r.URL.Path != "/api/channel/" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "tok-123456" {
		fmt.Fprint(w, `{"success":false,"message":"无权进行此操作，未登录且未提供 access token"}`)
		return
	}
	if r.Header.Get("New-Api-User") != "1" {
		fmt.Fprint(w, `{"success":false,"message":"无权进行此操作，New-Api-User 与登录用户不匹配"}`)
		return
	}
	p, _ := strconv.Atoi(r.URL.Query().Get("p"))
	size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
	if size <= 0 || size > f.maxPage {
		size = f.maxPage
	}
	start := p * size
	if !f.legacy {
		if p < 1 {
			p = 1
		}
		start = (p - 1) * size
	}
	if start > len(f.channels) {
		start = len(f.channels)
	}
	end := min(start+size, len(f.channels))
	page := f.channels[start:end]
	var data any = page
	if !f.legacy {
		data = map[string]any{"items": page, "total": len(f.channels), "page": p, "page_size": size}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "message": "", "data": data})
}

func manyChannels(n int) []apiChannel {
	var out []apiChannel
	for i := 1; i <= n; i++ {
		c := apiChannel{ID: i, Type: 1, Status: 1, Name: fmt.Sprintf("ch%d", i)}
		if i%10 == 0 {
			c.Status = 3
		}
		if i == 7 {
			c.Type = 24
			c.Setting = `{"proxy":"socks5h://127.0.0.1:1080"}`
		}
		out = append(out, c)
	}
	return out
}

func TestLoadFromAPI(t *testing.T) {
	cases := []struct {
		name    string
		legacy  bool
		maxPage int
		n       int
		all     bool
		want    int
	}{
		{"current shape, several pages", false, 20, 95, false, 86},
		{"current shape, all", false, 100, 250, true, 250},
		{"legacy array from page 0, 10 a page", true, 10, 35, true, 35},
		{"legacy array, enabled", true, 10, 35, false, 32},
		{"no channels", false, 20, 0, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeNewAPI{channels: manyChannels(c.n), legacy: c.legacy, maxPage: c.maxPage}
			srv := httptest.NewServer(f)
			defer srv.Close()
			eps, info, err := LoadFromAPI(context.Background(), srv.URL+"/", "tok-123456", "1", Options{All: c.all, Getenv: noEnv})
			if err != nil {
				t.Fatalf("LoadFromAPI: %v", err)
			}
			if len(eps) != c.want {
				t.Fatalf("got %d endpoints, want %d", len(eps), c.want)
			}
			// Every tenth channel is disabled: the header's counts.
			disabled, skipped := c.n/10, 0
			if !c.all {
				skipped = disabled
			}
			if info.Channels != c.n || info.Returned != c.want || info.Disabled != disabled || info.Skipped != skipped || info.KeysOmitted {
				t.Errorf("info %+v: want %d channels, %d returned, %d disabled, %d skipped", *info, c.n, c.want, disabled, skipped)
			}
			ids := map[string]bool{}
			for _, ep := range eps {
				if ids[ep.Name] {
					t.Fatalf("duplicate %s", ep.Name)
				}
				ids[ep.Name] = true
				if !strings.HasPrefix(ep.Source, "api:#") {
					t.Errorf("source %q", ep.Source)
				}
				if ep.Name == "#7 ch7" && (ep.Proxy != "socks5h://127.0.0.1:1080" || ep.ProbePath != "/v1beta/models") {
					t.Errorf("#7: proxy %q probe %q", ep.Proxy, ep.ProbePath)
				}
			}
			if max := int32(c.n/c.maxPage + 3); f.requests.Load() > max {
				t.Errorf("%d requests for %d channels", f.requests.Load(), c.n)
			}
		})
	}
}

// TestLenientChannelJSON: forks serialise setting as an object, priority as
// a number, base_url as null; one odd field must not lose the whole list.
func TestLenientChannelJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"success":true,"data":{"total":2,"items":[
			{"id":1,"type":14,"status":1,"name":"obj","base_url":null,"setting":{"proxy":"http://10.0.0.1:3128"},"priority":5,"other_info":{"status_reason":"x"}},
			{"id":2,"type":1,"status":1,"name":"str","base_url":"https://relay.example.com","setting":"{\"proxy\":\"socks5://10.0.0.2:1080\"}","tag":null}]}}`)
	}))
	defer srv.Close()
	eps, _, err := LoadFromAPI(context.Background(), srv.URL, "t", "1", Options{Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 2 || eps[0].Proxy != "http://10.0.0.1:3128" || eps[0].URL != "https://api.anthropic.com" || eps[0].Extra["priority"] != "5" ||
		eps[1].Proxy != "socks5://10.0.0.2:1080" || eps[1].URL != "https://relay.example.com" {
		t.Errorf("got %+v", eps)
	}
}

func TestLoadFromAPIErrors(t *testing.T) {
	f := &fakeNewAPI{channels: manyChannels(3), maxPage: 10}
	srv := httptest.NewServer(f)
	defer srv.Close()
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html>login</html>")
	}))
	defer html.Close()
	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"success":false,"message":"access token 无效"}`)
	}))
	defer denied.Close()
	cases := []struct {
		name, url, token, user string
		auth                   bool
		want                   string
	}{
		{"wrong token is 200 success:false", srv.URL, "tok-wrongSECRET", "1", true, "未提供 access token"},
		{"wrong user", srv.URL, "tok-123456", "2", true, "New-Api-User"},
		{"401", denied.URL, "tok-wrongSECRET", "1", true, "HTTP 401"},
		{"no token", srv.URL, "", "1", true, "NEWAPI_TOKEN"},
		{"no user", srv.URL, "tok-123456", "", true, "NEWAPI_USER"},
		{"not new-api", html.URL, "tok-wrongSECRET", "1", false, "new-api"},
		{"bad url", "ftp://x", "tok-wrongSECRET", "1", false, "http(s)"},
		{"nothing listens", "http://127.0.0.1:1", "tok-wrongSECRET", "1", false, "refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := LoadFromAPI(context.Background(), c.url, c.token, c.user, Options{Getenv: noEnv})
			var se *SourceError
			if err == nil || !IsSourceError(err) {
				t.Fatalf("err = %v, want a SourceError", err)
			}
			se = err.(*SourceError)
			if se.Auth != c.auth {
				t.Errorf("Auth = %v, want %v (%v)", se.Auth, c.auth, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %q does not say %q", err, c.want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("token leaked into %q", err)
			}
		})
	}
}

func TestGatewayEndpoint(t *testing.T) {
	cases := []struct{ in, url, probe string }{
		{"http://127.0.0.1:3000", "http://127.0.0.1:3000", "/api/status"},
		{"127.0.0.1:3000/", "http://127.0.0.1:3000", "/api/status"},
		{"https://gw.example.com/newapi/api/", "https://gw.example.com/newapi", "/api/status"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			ep := GatewayEndpoint(c.in)
			if ep.URL != c.url || ep.ProbePath != c.probe || ep.Provider != "newapi" {
				t.Errorf("got %+v", ep)
			}
		})
	}
	if ep := GatewayEndpoint("::bad"); ep.Extra["note"] == "" {
		t.Error("bad URL has no note")
	}
}

// TestLoadFromAPIWithKeys: the admin API lists no keys, so --with-keys
// sends none; every endpoint says so and the info tells the header
// (issue 9.5). No endpoint carries a key.
func TestLoadFromAPIWithKeys(t *testing.T) {
	f := &fakeNewAPI{channels: manyChannels(3), maxPage: 20}
	srv := httptest.NewServer(f)
	defer srv.Close()
	eps, info, err := LoadFromAPI(context.Background(), srv.URL, "tok-123456", "1", Options{WithKeys: true, Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if !info.KeysOmitted || len(eps) != 3 {
		t.Fatalf("info %+v, %d endpoints", *info, len(eps))
	}
	for _, ep := range eps {
		if ep.Key != "" || !strings.Contains(ep.Extra[diag.ExtraNote], "no key was sent") || ep.Extra[diag.ExtraKeyUnavailable] != "true" {
			t.Errorf("%s: key set %v, note %q", ep.Name, ep.Key != "", ep.Extra[diag.ExtraNote])
		}
	}
}
