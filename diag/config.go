package diag

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is a parsed newapi-doctor.yaml.
type Config struct {
	Path      string // the file it came from ("" for the embedded default)
	Endpoints []Endpoint
	Timeouts  Timeouts // zero fields: the defaults
}

// ConfigError is a bad config or argument, located as precisely as known.
// The CLI exits 2 on it. Msg never holds a key or a proxy password.
type ConfigError struct {
	File string // config path, or "argument" for a positional URL
	Line int    // 1-based; 0 when unknown
	Col  int    // 1-based; 0 when unknown
	Msg  string
}

func (e *ConfigError) Error() string {
	loc := e.File
	if loc == "" {
		loc = "config"
	}
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
		if e.Col > 0 {
			loc += ":" + strconv.Itoa(e.Col)
		}
	}
	return loc + ": " + e.Msg
}

// ConfigFileName is the config looked for in the working directory.
const ConfigFileName = "newapi-doctor.yaml"

// maxConfigSize bounds what LoadConfig reads: a config is a few KiB.
const maxConfigSize = 4 << 20

// Timeouts beyond this are typos (a minute-long DNS wait is not a setting)
// and would overflow the run deadline arithmetic.
const maxLayerTimeout = 10 * time.Minute

// FindConfig picks the config file: explicit (which must exist), else
// ./newapi-doctor.yaml, else newapi-doctor/config.yaml (then
// newapi-doctor/newapi-doctor.yaml) under os.UserConfigDir(). "" when none.
func FindConfig(explicit string) (string, error) {
	return findConfig(explicit, os.UserConfigDir)
}

func findConfig(explicit string, userConfigDir func() (string, error)) (string, error) {
	if explicit != "" {
		st, err := os.Stat(explicit)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", &ConfigError{File: explicit, Msg: "config file does not exist"}
		case err != nil:
			return "", &ConfigError{File: explicit, Msg: "cannot read config file: " + pathErrText(err)}
		case st.IsDir():
			return "", &ConfigError{File: explicit, Msg: "is a directory, not a config file"}
		case st.Mode()&(fs.ModeNamedPipe|fs.ModeSocket) != 0:
			// Opening a FIFO blocks until a writer comes, deaf to Ctrl-C.
			return "", &ConfigError{File: explicit, Msg: "is a named pipe or socket, not a config file"}
		}
		return explicit, nil
	}
	candidates := []string{ConfigFileName}
	if dir, err := userConfigDir(); err == nil && dir != "" {
		candidates = append(candidates,
			filepath.Join(dir, "newapi-doctor", "config.yaml"),
			filepath.Join(dir, "newapi-doctor", ConfigFileName))
	}
	for _, c := range candidates {
		st, err := os.Stat(c)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && st.IsDir()) {
			continue
		}
		// An unreadable file is still the user's config: LoadConfig says why.
		return c, nil
	}
	return "", nil
}

// pathErrText drops the path from an *fs.PathError (the caller names it).
func pathErrText(err error) string {
	// The same words on every OS (Windows says "The system cannot find the
	// file specified.", in the UI language): errors are read and grepped.
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// LoadConfig reads and parses a config file.
func LoadConfig(path string, getenv func(string) string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ConfigError{File: path, Msg: "cannot read config file: " + pathErrText(err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, &ConfigError{File: path, Msg: "cannot read config file: " + pathErrText(err)}
	}
	if len(data) > maxConfigSize {
		return nil, &ConfigError{File: path, Msg: fmt.Sprintf("config file is larger than %d MiB", maxConfigSize>>20)}
	}
	cfg, err := ParseConfig(path, data, getenv)
	if err != nil {
		return nil, err
	}
	cfg.Path = path
	return cfg, nil
}

// ParseConfig parses a config. name is the file's path: errors name it, and
// relative ca_file paths resolve against its directory. getenv reads key_env
// variables (nil = os.Getenv). Every error is a *ConfigError.
func ParseConfig(name string, data []byte, getenv func(string) string) (cfg *Config, err error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	p := &cfgParser{file: name, dir: filepath.Dir(name), getenv: getenv, data: data}
	defer func() {
		// yaml.v3 has panicked on hostile input before; a config error is the
		// honest answer, never a crash.
		if r := recover(); r != nil {
			cfg, err = nil, &ConfigError{File: name, Msg: "the YAML parser failed on this file"}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, p.yamlErr(err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, p.errAt(&next, "several YAML documents (---): put all endpoints in one")
	case !errors.Is(err, io.EOF):
		return nil, p.yamlErr(err)
	}
	return p.config(&doc)
}

type cfgParser struct {
	data   []byte
	file   string
	dir    string
	getenv func(string) string
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlErr turns a yaml.v3 syntax error ("yaml: line 3: msg") into a
// ConfigError. yaml.v3's syntax messages name tokens, never scalar values.
func (p *cfgParser) yamlErr(err error) *ConfigError {
	msg := err.Error()
	e := &ConfigError{File: p.file}
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if l := firstFailingLine(p.data, msg); l > 0 {
		e.Line = l
	}
	e.Msg = "invalid YAML: " + msg
	return e
}

// firstFailingLine finds the first line after which the document fails with
// the same message. yaml.v3 reports the line where the enclosing block
// starts (or none), which sends people to the wrong line. Only small files
// are searched: this parses once per line.
func firstFailingLine(data []byte, msg string) int {
	if len(data) > 64<<10 {
		return 0
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 500 {
		return 0
	}
	var prefix []byte
	for i, l := range lines {
		prefix = append(prefix, l...)
		var n yaml.Node
		err := yaml.Unmarshal(prefix, &n)
		if err == nil {
			continue
		}
		m := yamlLineRe.ReplaceAllString(err.Error(), "")
		if strings.TrimPrefix(m, "yaml: ") == msg {
			return i + 1
		}
	}
	return 0
}

func (p *cfgParser) errAt(n *yaml.Node, format string, args ...any) *ConfigError {
	e := &ConfigError{File: p.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	return e
}

// resolve follows aliases (*anchor) to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

type keyVal struct{ k, v *yaml.Node }

// pairs lists a mapping's entries with merge keys (<<: *base) expanded:
// explicit keys win over merged ones, earlier merges over later ones.
// Duplicate explicit keys are errors.
func (p *cfgParser) pairs(m *yaml.Node, depth int) ([]keyVal, error) {
	return p.mergePairs(m, depth, map[*yaml.Node]bool{})
}

// mergePairs does pairs' work; seen holds the mappings already merged, so a
// mapping merged twice (or a merge bomb) costs nothing: the first merge wins.
func (p *cfgParser) mergePairs(m *yaml.Node, depth int, seen map[*yaml.Node]bool) ([]keyVal, error) {
	if depth > 8 {
		return nil, p.errAt(m, "merge keys (<<) nest too deep")
	}
	seen[m] = true
	var explicit, merged []keyVal
	first := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolve(m.Content[i]), resolve(m.Content[i+1])
		if k == nil || v == nil {
			return nil, p.errAt(m.Content[i], "unresolvable alias")
		}
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			srcs := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, s := range srcs {
				s = resolve(s)
				if s == nil || s.Kind != yaml.MappingNode {
					return nil, p.errAt(k, "<< must merge a mapping (<<: *anchor)")
				}
				if seen[s] {
					continue
				}
				kvs, err := p.mergePairs(s, depth+1, seen)
				if err != nil {
					return nil, err
				}
				merged = append(merged, kvs...)
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, p.errAt(k, "a key must be a plain word, not a list or mapping")
		}
		if line, dup := first[k.Value]; dup {
			return nil, p.errAt(k, "duplicate key %s (first at line %d)", safeToken(k.Value), line)
		}
		first[k.Value] = k.Line
		explicit = append(explicit, keyVal{k, v})
	}
	for _, kv := range merged {
		if _, ok := first[kv.k.Value]; !ok {
			first[kv.k.Value] = kv.k.Line
			explicit = append(explicit, kv)
		}
	}
	return explicit, nil
}

// str reads a scalar as a trimmed string; null is "".
func (p *cfgParser) str(n *yaml.Node, field string) (string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "", nil
		}
		return strings.TrimSpace(n.Value), nil
	case yaml.SequenceNode:
		return "", p.errAt(n, "%s must be a single value, not a list", field)
	default:
		return "", p.errAt(n, "%s must be a single value, not a mapping", field)
	}
}

var (
	topKeys      = []string{"endpoints", "timeouts"}
	endpointKeys = []string{"name", "url", "proxy", "key", "key_env", "provider", "ca_file", "probe_path"}
	timeoutKeys  = []string{"dns", "connect", "tls", "http"}
	// Names people bring from new-api, one-api or other tools.
	keyAliases = map[string]string{
		"base_url": "url", "baseurl": "url", "endpoint": "url", "api_base": "url",
		"api_key": "key", "apikey": "key", "token": "key", "secret": "key",
		"api_key_env": "key_env", "env": "key_env",
		"type": "provider", "proxy_url": "proxy", "ca": "ca_file", "ca_cert": "ca_file",
		"path": "probe_path", "timeout": "timeouts", "channels": "endpoints",
	}
)

// unknownKey names the valid keys and a likely intended one.
func (p *cfgParser) unknownKey(k *yaml.Node, where string, valid []string) *ConfigError {
	list := strings.Join(valid, ", ")
	if where == "at the top level" {
		list += ", and x- keys for &anchors"
	}
	msg := fmt.Sprintf("unknown key %s %s (valid: %s)", safeToken(k.Value), where, list)
	if s := suggest(k.Value, valid); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", s)
	}
	return p.errAt(k, "%s", msg)
}

func suggest(got string, valid []string) string {
	g := strings.ToLower(strings.TrimSpace(got))
	if a, ok := keyAliases[g]; ok {
		for _, v := range valid {
			if v == a {
				return v
			}
		}
	}
	best, bestD := "", 3
	for _, v := range valid {
		if d := editDistance(g, v); d < bestD {
			best, bestD = v, d
		}
	}
	return best
}

// editDistance is Levenshtein's, for short key names only.
func editDistance(a, b string) int {
	if len(a) > 32 || len(b) > 32 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (p *cfgParser) config(doc *yaml.Node) (*Config, error) {
	cfg := &Config{}
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, p.errAt(nil, "no endpoints defined (the file is empty; add an endpoints: list)")
		}
		root = resolve(root.Content[0])
	}
	if root == nil || root.Kind == 0 || (root.Kind == yaml.ScalarNode && root.Tag == "!!null") {
		return nil, p.errAt(nil, "no endpoints defined (the file is empty; add an endpoints: list)")
	}
	if root.Kind != yaml.MappingNode {
		return nil, p.errAt(root, "the top level must be a mapping with endpoints: (and optionally timeouts:)")
	}
	kvs, err := p.pairs(root, 0)
	if err != nil {
		return nil, err
	}
	var epsNode *yaml.Node
	for _, kv := range kvs {
		switch kv.k.Value {
		case "endpoints":
			epsNode = kv.v
		case "timeouts":
			if cfg.Timeouts, err = p.timeouts(kv.v); err != nil {
				return nil, err
			}
		default:
			// Compose's convention: x- keys hold anchors for merges.
			if strings.HasPrefix(kv.k.Value, "x-") {
				continue
			}
			return nil, p.unknownKey(kv.k, "at the top level", topKeys)
		}
	}
	if epsNode == nil {
		return nil, p.errAt(root, "no endpoints defined (add an endpoints: list)")
	}
	if epsNode.Kind == yaml.ScalarNode && epsNode.Tag == "!!null" {
		return nil, p.errAt(epsNode, "endpoints is empty")
	}
	if epsNode.Kind != yaml.SequenceNode {
		return nil, p.errAt(epsNode, "endpoints must be a list (each item starts with -)")
	}
	if len(epsNode.Content) == 0 {
		return nil, p.errAt(epsNode, "endpoints is empty")
	}
	names := map[string]int{}
	for _, item := range epsNode.Content {
		ep, nameNode, err := p.endpoint(resolve(item))
		if err != nil {
			return nil, err
		}
		if line, dup := names[ep.Name]; dup {
			return nil, p.errAt(nameNode, "duplicate endpoint name %q (first at line %d): names must be unique", ep.Name, line)
		}
		names[ep.Name] = nameNode.Line
		cfg.Endpoints = append(cfg.Endpoints, ep)
	}
	return cfg, nil
}

func (p *cfgParser) timeouts(n *yaml.Node) (Timeouts, error) {
	var t Timeouts
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return t, nil
	}
	if n.Kind != yaml.MappingNode {
		return t, p.errAt(n, "timeouts must be a mapping, e.g. {dns: 3s, connect: 5s, tls: 5s, http: 10s}")
	}
	kvs, err := p.pairs(n, 0)
	if err != nil {
		return t, err
	}
	for _, kv := range kvs {
		var dst *time.Duration
		switch kv.k.Value {
		case "dns":
			dst = &t.DNS
		case "connect":
			dst = &t.Connect
		case "tls":
			dst = &t.TLS
		case "http":
			dst = &t.HTTP
		default:
			return t, p.unknownKey(kv.k, "in timeouts", timeoutKeys)
		}
		field := "timeouts." + kv.k.Value
		s, err := p.str(kv.v, field)
		if err != nil {
			return t, err
		}
		d, err := time.ParseDuration(s)
		switch {
		case s == "":
			return t, p.errAt(kv.v, "%s is empty (write a duration such as 5s)", field)
		case err != nil && isDigits(s):
			return t, p.errAt(kv.v, "%s: %s has no unit (write %ss)", field, s, s)
		case err != nil:
			return t, p.errAt(kv.v, "%s: %s is not a duration (write e.g. 500ms, 5s, 1m)", field, safeToken(s))
		case d <= 0:
			return t, p.errAt(kv.v, "%s must be greater than 0", field)
		case d > maxLayerTimeout:
			return t, p.errAt(kv.v, "%s must be at most %s", field, maxLayerTimeout)
		}
		*dst = d
	}
	return t, nil
}

func isDigits(s string) bool {
	if len(s) == 0 || len(s) > 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Environment variable names as people write them; anything else in key_env
// is likely the key itself, which an error must not repeat.
var envNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
var conventionalEnvRe = regexp.MustCompile(`^[A-Z_][A-Z0-9_]{0,63}$`)

// endpoint parses one list item; it returns the name's node for duplicate
// reports.
func (p *cfgParser) endpoint(n *yaml.Node) (Endpoint, *yaml.Node, error) {
	var ep Endpoint
	if n == nil || n.Kind != yaml.MappingNode {
		return ep, nil, p.errAt(n, "each endpoint must be a mapping with at least name: and url:")
	}
	kvs, err := p.pairs(n, 0)
	if err != nil {
		return ep, nil, err
	}
	nodes := map[string]*yaml.Node{}
	vals := map[string]string{}
	for _, kv := range kvs {
		k := kv.k.Value
		if !contains(endpointKeys, k) {
			return ep, nil, p.unknownKey(kv.k, "in an endpoint", endpointKeys)
		}
		v, err := p.str(kv.v, k)
		if err != nil {
			return ep, nil, err
		}
		nodes[k], vals[k] = kv.v, v
	}
	at := func(k string) *yaml.Node {
		if nd := nodes[k]; nd != nil {
			return nd
		}
		return n
	}

	ep.Name = vals["name"]
	if ep.Name == "" {
		return ep, nil, p.errAt(at("name"), "endpoint has no name: every endpoint needs a unique name")
	}
	if hasControl(ep.Name) {
		return ep, nil, p.errAt(at("name"), "endpoint name contains control or invisible characters (bidi overrides, zero-width spaces)")
	}
	ep.Source = filepath.Base(p.file) + ":" + strconv.Itoa(n.Line)

	ep.URL = vals["url"]
	if ep.URL == "" {
		return ep, nil, p.errAt(at("url"), "endpoint %q has no url", ep.Name)
	}
	u, err := parseEndpointURL(ep.URL)
	if err != nil {
		return ep, nil, p.errAt(at("url"), "endpoint %q: %s", ep.Name, err.Error())
	}

	if raw := vals["proxy"]; raw != "" {
		switch strings.ToLower(raw) {
		case "none", "no", "off", "false", "disabled":
			return ep, nil, p.errAt(at("proxy"), "endpoint %q: proxy %q: write \"direct\" to connect without a proxy, or leave proxy out to use the environment's", ep.Name, raw)
		}
		if !isDirect(raw) {
			if _, perr := parseProxyURL(raw); perr != nil {
				return ep, nil, p.errAt(at("proxy"), "endpoint %q: %s", ep.Name, perr.Msg)
			}
		} else {
			raw = ProxyDirect
		}
		ep.Proxy = raw
	}

	if err := p.endpointKey(&ep, vals, at); err != nil {
		return ep, nil, err
	}

	if id := vals["provider"]; id != "" {
		prov, ok := ProviderByID(id)
		if !ok {
			return ep, nil, p.errAt(at("provider"), "endpoint %q: unknown provider %s (known: %s)",
				ep.Name, safeToken(id), strings.Join(ProviderIDs(), ", "))
		}
		ep.Provider = prov.ID
	} else if prov, ok := ProviderForHost(u.Host); ok {
		ep.Provider = prov.ID
	}

	if ca := vals["ca_file"]; ca != "" {
		path, err := p.caFile(ca)
		if err != nil {
			return ep, nil, p.errAt(at("ca_file"), "endpoint %q: %s", ep.Name, err.Error())
		}
		ep.CAFile = path
	}

	if pp := vals["probe_path"]; pp != "" {
		if _, err := parseProbePath(pp); err != nil {
			return ep, nil, p.errAt(at("probe_path"), "endpoint %q: %s", ep.Name, err.Error())
		}
		ep.ProbePath = pp
	}
	return ep, at("name"), nil
}

// endpointKey fills Key from key: or key_env:. Messages never repeat a key.
func (p *cfgParser) endpointKey(ep *Endpoint, vals map[string]string, at func(string) *yaml.Node) error {
	key, env := vals["key"], vals["key_env"]
	_, hasEnv := vals["key_env"]
	if key != "" && env != "" {
		return p.errAt(at("key_env"), "endpoint %q: set key or key_env, not both", ep.Name)
	}
	if key != "" {
		if hasControl(key) {
			return p.errAt(at("key"), "endpoint %q: key contains a line break or control character", ep.Name)
		}
		ep.Key = key
		return nil
	}
	if !hasEnv {
		return nil
	}
	if env == "" {
		return p.errAt(at("key_env"), "endpoint %q: key_env is empty (name a variable such as OPENAI_API_KEY)", ep.Name)
	}
	if !envNameRe.MatchString(env) {
		return p.errAt(at("key_env"), "endpoint %q: key_env must be the NAME of an environment variable (e.g. OPENAI_API_KEY); put a literal key under key:", ep.Name)
	}
	shown := "named here"
	if conventionalEnvRe.MatchString(env) {
		shown = env
	}
	v := strings.TrimSpace(p.getenv(env))
	if v == "" {
		return p.errAt(at("key_env"), "endpoint %q: key_env: environment variable %s is not set", ep.Name, shown)
	}
	if hasControl(v) {
		return p.errAt(at("key_env"), "endpoint %q: environment variable %s holds a line break or control character", ep.Name, shown)
	}
	ep.Key, ep.KeyEnv = v, env
	return nil
}

// caFile resolves a ca_file against the config's directory and checks that
// it holds at least one PEM certificate.
func (p *cfgParser) caFile(path string) (string, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(p.dir, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("ca_file %s: %s", path, pathErrText(err))
	}
	if !x509.NewCertPool().AppendCertsFromPEM(data) {
		return "", fmt.Errorf("ca_file %s holds no PEM certificate (want blocks that begin with a BEGIN CERTIFICATE line)", path)
	}
	return path, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// EndpointFromArg turns a positional argument into an endpoint. Without a
// scheme, https is assumed, except for localhost and loopback addresses
// (a local new-api or model server speaks plain http).
func EndpointFromArg(arg string) (Endpoint, error) {
	raw := strings.TrimSpace(arg)
	fail := func(msg string) (Endpoint, error) {
		return Endpoint{}, &ConfigError{File: "argument", Msg: msg}
	}
	if raw == "" {
		return fail("empty URL")
	}
	if hasControl(raw) {
		return fail("the URL contains control characters")
	}
	if !strings.Contains(raw, "://") {
		hostport := raw
		if i := strings.IndexAny(hostport, "/?#"); i >= 0 {
			hostport = hostport[:i]
		}
		scheme := "https://"
		if neverProxied(normalHost(hostport)) {
			scheme = "http://"
		}
		raw = scheme + raw
	}
	u, err := parseEndpointURL(raw)
	if err != nil {
		return fail(fmt.Sprintf("cannot check %s: %s", safeURL(arg), err.Error()))
	}
	ep := Endpoint{
		Name:   u.Host + strings.TrimSuffix(u.EscapedPath(), "/"),
		URL:    raw,
		Source: "argument",
	}
	if p, ok := ProviderForHost(u.Host); ok {
		ep.Provider = p.ID
	}
	return ep, nil
}

// safeURL shows a URL in a message without userinfo, query or fragment (a
// key may hide in any of them); an unparsable one is not shown at all.
func safeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || hasControl(raw) {
		return "the URL"
	}
	if u.Scheme == "" || u.Host == "" {
		if strings.ContainsAny(raw, "@?#") || len(raw) > 200 {
			return "the URL"
		}
		return strconv.Quote(raw)
	}
	s := u.Scheme + "://" + u.Host + u.EscapedPath()
	if u.RawQuery != "" {
		s += "?…"
	}
	return strconv.Quote(s)
}
