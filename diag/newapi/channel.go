package newapi

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// Options shape how channels become endpoints.
type Options struct {
	All      bool                // include disabled channels (status 2 and 3)
	WithKeys bool                // put the channel's (first) key in Endpoint.Key
	Getenv   func(string) string // environment as new-api would see it (nil = os.Getenv)
	Timeout  time.Duration       // bound on opening and reading (0 = DefaultTimeout)
}

// DefaultTimeout bounds opening and reading a database or the admin API.
const DefaultTimeout = 10 * time.Second

func (o Options) timeout() time.Duration {
	if o.Timeout > 0 {
		return o.Timeout
	}
	return DefaultTimeout
}

// Channel status values (new-api common/constants.go; one-api agrees).
const (
	StatusEnabled      = 1
	StatusManuallyOff  = 2
	StatusAutoDisabled = 3
)

// channelRow is one channel as read from a database or the admin API. Every
// column is optional: the two forks and their versions differ.
type channelRow struct {
	ID          int
	Type        int
	Key         string
	Status      int
	Name        string
	BaseURL     string
	Other       string
	OtherInfo   string
	Setting     string // new-api: JSON, {"proxy": …}
	Config      string // one-api: JSON, {"region": …}
	TestModel   string
	Group       string
	Models      string
	Priority    string
	Tag         string
	ChannelInfo string
}

func statusName(s int) string {
	switch s {
	case StatusEnabled:
		return "enabled"
	case StatusManuallyOff:
		return "manually-disabled"
	case StatusAutoDisabled:
		return "auto-disabled"
	}
	return "status-" + strconv.Itoa(s)
}

// toEndpoint turns a channel into the endpoint new-api would call. source is
// "db" or "api". A channel whose URL cannot be determined is still returned,
// with an Extra "note", so the runner reports it instead of it vanishing.
func toEndpoint(f Fork, r channelRow, source string, o Options, getenv func(string) string) diag.Endpoint {
	ct, known := lookupType(f, r.Type)
	ep := diag.Endpoint{
		Name:   "#" + strconv.Itoa(r.ID) + " " + r.Name,
		Source: source + ":#" + strconv.Itoa(r.ID),
		Extra: map[string]string{
			"channel_id":     strconv.Itoa(r.ID),
			"type":           strconv.Itoa(r.Type),
			"type_name":      ct.Name,
			"fork":           string(f),
			diag.ExtraStatus: statusName(r.Status),
		},
	}
	put := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			ep.Extra[k] = v
		}
	}
	put("test_model", r.TestModel)
	put("group", r.Group)
	put("tag", r.Tag)
	if p := strings.TrimSpace(r.Priority); p != "" && p != "0" {
		ep.Extra["priority"] = p
	}
	var notes []string
	if !known {
		notes = append(notes, "unknown channel type "+strconv.Itoa(r.Type)+" for "+string(f)+"; probed as OpenAI-compatible")
	}
	if r.Status == StatusAutoDisabled || r.OtherInfo != "" {
		var oi map[string]any
		if json.Unmarshal([]byte(r.OtherInfo), &oi) == nil {
			if s, ok := oi["status_reason"].(string); ok {
				put(diag.ExtraStatusReason, s)
			}
			if t, ok := oi["status_time"].(float64); ok && t > 0 {
				ep.Extra[diag.ExtraStatusTime] = time.Unix(int64(t), 0).UTC().Format(time.RFC3339)
			}
		}
	}

	base, from, note := channelBaseURL(f, ct, r)
	if note != "" {
		notes = append(notes, note)
	}
	ep.URL = base
	if from != "" {
		ep.Extra["url_from"] = from
	}

	// Proxy: new-api's setting.proxy replaces the environment entirely; absent
	// means the environment (HTTP(S)_PROXY / NO_PROXY). one-api has no
	// per-channel proxy but routes every relay through RELAY_PROXY when set.
	switch f {
	case ForkNewAPI:
		if strings.TrimSpace(r.Setting) != "" {
			var st struct {
				Proxy string `json:"proxy"`
			}
			if err := json.Unmarshal([]byte(r.Setting), &st); err != nil {
				notes = append(notes, "setting is not valid JSON; new-api ignores it (environment proxy applies)")
			} else {
				ep.Proxy = st.Proxy
			}
		}
	case ForkOneAPI:
		if p := getenv("RELAY_PROXY"); p != "" {
			ep.Proxy = p
			ep.Extra["proxy_from"] = "env:RELAY_PROXY"
		}
	}

	// Probe path: new-api requests base URL + path, so mirror it.
	if u, err := url.Parse(base); err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") {
		ep.ProbePath = probePath(ct)
		if ct.Path == "" {
			// new-api calls a Custom channel's URL as it is: probe exactly that path.
			ep.Extra["base_url"] = base
			ep.Extra[diag.ExtraFullURL] = "true"
			ep.URL = (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
			ep.ProbePath = u.EscapedPath()
			if ep.ProbePath == "" {
				ep.ProbePath = "/"
			}
		}
		if ct.Provider != "" && (from == "type default" || ct.Provider == "anthropic" || ct.Provider == "gemini" || ct.Provider == "azure") {
			ep.Provider = ct.Provider
		}
		if ct.Path == pathRootOnly {
			// Any HTTP answer proves the path works; the runner should not read a 404 here as a wrong base URL.
			ep.Extra[diag.ExtraReachabilityOnly] = "true"
			notes = append(notes, ct.Name+" does not speak the OpenAI protocol: reachability of the host only")
		}
		if ct.Path == pathAzure {
			// Azure answers 404 without an api-version; new-api keeps it in 'other'.
			v := strings.TrimSpace(r.Other)
			if f == ForkOneAPI && jsonField(r.Config, "api_version") != "" {
				v = jsonField(r.Config, "api_version") // one-api ≥ 0.6 keeps it in config
			}
			if !validAPIVersion(v) {
				v = defaultAzureVersion
			}
			ep.ProbePath += "?api-version=" + v
		}
	} else if base != "" {
		notes = append(notes, "base URL "+strconv.Quote(base)+" is not an http(s) URL new-api can call")
	}

	// A key only where the probe can send it: a usable URL speaking a keyed protocol.
	if o.WithKeys && ep.ProbePath != "" && ct.Path != pathRootOnly {
		ep.Key = firstKey(f, r.Key)
	}
	if len(notes) > 0 {
		ep.Extra[diag.ExtraNote] = strings.Join(notes, "; ")
	}
	return ep
}

// channelBaseURL returns the upstream base URL new-api would use, where it
// came from, and a note when there is none.
func channelBaseURL(f Fork, ct chanType, r channelRow) (base, from, note string) {
	base = strings.TrimSpace(r.BaseURL)
	from = "base_url"
	bedrock, vertex := nTypeBedrock, nTypeVertex
	if f == ForkOneAPI {
		bedrock, vertex = oTypeBedrock, oTypeVertex
	}
	switch {
	case r.Type == bedrock:
		// The AWS SDK builds the host from the region; new-api keeps the
		// region as the key's last "|" field (AK|SK|region or APIKEY|region),
		// one-api in config.region. The region is not secret.
		region := ""
		if f == ForkOneAPI {
			region = jsonField(r.Config, "region")
		} else if parts := strings.Split(strings.TrimSpace(firstKey(f, r.Key)), "|"); len(parts) >= 2 {
			region = strings.TrimSpace(parts[len(parts)-1])
		}
		if region == "" {
			region = regionFromOther(r.Other)
		}
		if !validRegion(region) {
			return "", "", "AWS Bedrock channel without a usable region (new-api reads it from the key's last |-separated field)"
		}
		return "https://bedrock-runtime." + region + ".amazonaws.com", "region " + region, ""
	case r.Type == vertex:
		region := regionFromOther(r.Other)
		if f == ForkOneAPI {
			region = jsonField(r.Config, "region")
		}
		if region == "global" {
			return "https://aiplatform.googleapis.com", "region global", ""
		}
		if validRegion(region) {
			return "https://" + region + "-aiplatform.googleapis.com", "region " + region, ""
		}
		if base != "" {
			return base, from, ""
		}
		return "", "", "Vertex AI channel without a region in its 'other' field"
	case f == ForkNewAPI && r.Type == 18 && base == "":
		return "https://spark-api.xf-yun.com", "type default", ""
	}
	if base == "" {
		if ct.BaseURL == "" {
			return "", "", ct.Name + " channel has no base_url and its type has no default host"
		}
		return ct.BaseURL, "type default", ""
	}
	if f == ForkNewAPI && r.Type == typeCustom {
		// new-api calls a Custom channel's base_url as the full URL, {model} replaced.
		m := strings.TrimSpace(r.TestModel)
		if m == "" {
			m, _, _ = strings.Cut(strings.Trim(r.Models, ","), ",")
		}
		base = strings.ReplaceAll(base, "{model}", strings.TrimSpace(m))
	}
	return base, from, ""
}

// probePath is the suffix diag appends to the URL's path, as new-api appends
// its request paths to a base URL ("" never: diag would pick its own).
func probePath(ct chanType) string {
	if ct.Path == "" || ct.Path == pathRootOnly {
		return "/"
	}
	return ct.Path
}

// defaultAzureVersion is used when a channel's 'other' holds no API version.
const defaultAzureVersion = diag.AzureAPIVersion

func validAPIVersion(v string) bool { return validToken(v, "-.") }

// regionFromOther reads new-api's 'other' for Vertex: a region name, or JSON
// {"default": "us-central1", …}.
func regionFromOther(other string) string {
	other = strings.TrimSpace(other)
	if strings.HasPrefix(other, "{") {
		return jsonField(other, "default")
	}
	return other
}

func jsonField(js, field string) string {
	var m map[string]any
	if json.Unmarshal([]byte(js), &m) != nil {
		return ""
	}
	s, _ := m[field].(string)
	return strings.TrimSpace(s)
}

// validRegion accepts cloud region names (letters, digits, '-') so a garbage
// field cannot smuggle a different host into the URL.
func validRegion(r string) bool { return validToken(r, "-") }

// validToken: 1–40 of lower-case letters, digits and the extra characters.
func validToken(s, extra string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune(extra, c)) {
			return false
		}
	}
	return true
}

// firstKey returns the key new-api would use first: new-api keeps several
// keys newline-separated or as a JSON array (Vertex service accounts).
func firstKey(f Fork, key string) string {
	t := strings.TrimSpace(key)
	if t == "" {
		return ""
	}
	if f == ForkNewAPI && strings.HasPrefix(t, "[") {
		var arr []json.RawMessage
		if json.Unmarshal([]byte(t), &arr) == nil {
			if len(arr) == 0 {
				return ""
			}
			var s string
			if json.Unmarshal(arr[0], &s) == nil {
				return strings.TrimSpace(s)
			}
			return string(arr[0])
		}
	}
	first, _, _ := strings.Cut(strings.Trim(t, "\n"), "\n")
	return strings.TrimSpace(first)
}
