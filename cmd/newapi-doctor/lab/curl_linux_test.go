//go:build linux

package lab

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// The curl comparison: every fault the lab makes, seen by real curl and by
// the doctor. Issue 2 is judged beside curl's verdict on the same faults, so
// the test checks curl's exit codes too (the table must be real) and that
// the doctor separates every pair of faults curl's exit code lumps together.

// curlDocumented is the first sentence of curl's EXIT CODES (curl(1)) for
// every code the lab's faults produce; the test checks it against
// `curl --manual` where the build carries the manual.
var curlDocumented = map[int]string{
	0:  "Success.",
	6:  "Could not resolve host.",
	7:  "Failed to connect to host.",
	22: "HTTP page not retrieved.",
	28: "Operation timeout.",
	35: "SSL connect error.",
	56: "Failure in receiving network data.",
}

// curlCase is one lab endpoint, what made its fault, and the exit codes
// curl documents for that failure, with --fail and without.
type curlCase struct {
	ep          labEndpoint
	made        string
	exit, plain int
	// route: the router's "no route" answers are rate-limited per client
	// (see routeEndpoints), so these run one at a time with pauses.
	route bool
	// resolver, when set, is the client's resolver for this case.
	resolver string
}

func curlCases() []curlCase {
	fwd := "router: `iptables -A FORWARD -d %s -p tcp --dport 443 -j %s`"
	tiny := "tinyproxy on %s:%d (`%s`)"
	// Without --fail an HTTP error is a success (0), and a CONNECT the
	// proxy refuses is a receive failure (56); with it both are 22.
	made := map[string]struct {
		how         string
		exit, plain int
	}{
		"ok":                     {"lab upstream answers 200 (control)", 0, 0},
		"rate-limited":           {"lab upstream answers 429 with Retry-After", 22, 0},
		"unavailable":            {"lab upstream answers 503", 22, 0},
		"never-answers":          {"lab upstream accepts and reads the request, never answers", 28, 28},
		"syn-blackhole":          {fmt.Sprintf(fwd, ipBlackhole, "DROP"), 28, 28},
		"tcp-reset":              {fmt.Sprintf(fwd, ipReset, "REJECT --reject-with tcp-reset"), 7, 7},
		"admin-prohibited":       {fmt.Sprintf(fwd, ipProhib, "REJECT --reject-with icmp-admin-prohibited"), 7, 7},
		"sni-filtered":           {"router: `iptables -A FORWARD -p tcp --dport 443 -m string --string sni.lab.test --algo bm -j REJECT --reject-with tcp-reset`", 35, 35},
		"nxdomain":               {"dnsmasq: `address=/nx.lab.test/`", 6, 6},
		"servfail":               {fmt.Sprintf("dnsmasq: `server=/sf.lab.test/%s`, which answers SERVFAIL", ipServfail), 6, 6},
		"via-proxy":              {fmt.Sprintf(tiny, ipProxy, 8888, "ConnectPort 443") + " (control)", 0, 0},
		"proxy-no-credentials":   {fmt.Sprintf(tiny, ipProxy, 8889, "BasicAuth alice …"), 22, 56},
		"proxy-with-credentials": {fmt.Sprintf(tiny, ipProxy, 8889, "BasicAuth alice …") + ", credentials sent (control)", 0, 0},
		"proxy-connect-port":     {fmt.Sprintf(tiny, ipProxy, 8890, "ConnectPort 8443"), 22, 56},
		"proxy-refused":          {fmt.Sprintf("nothing listens on %s:9999", ipProxy), 7, 7},
		"proxy-blackholed":       {fmt.Sprintf(fwd, ipBlackhole, "DROP") + "; the endpoint's SOCKS5 proxy is that address and port", 28, 28},
		"net-unreachable":        {fmt.Sprintf("router: no route to 203.0.113.128/25 (%s)", ipNetUnr), 7, 7},
		"host-unreachable":       {fmt.Sprintf("router: `ip route add unreachable %s/32`", ipHostUnr), 7, 7},
		"dns-silent":             {fmt.Sprintf("client's resolv.conf names %s; router: `iptables -A FORWARD -d %s -p udp --dport 53 -j DROP` (and tcp)", ipDNSSilent, ipDNSSilent), 6, 6},
	}
	var cases []curlCase
	add := func(ep labEndpoint, route bool, resolver string) {
		m, ok := made[ep.name]
		if !ok {
			// A new lab endpoint needs its row here: fail loudly, not silently skip it.
			m.exit, m.plain = -1, -1
		}
		cases = append(cases, curlCase{ep: ep, made: m.how, exit: m.exit, plain: m.plain, route: route, resolver: resolver})
	}
	for _, ep := range labEndpoints {
		add(ep, false, "")
	}
	for _, ep := range routeEndpoints {
		add(ep, true, "")
	}
	add(dnsSilentEndpoint, false, ipDNSSilent)
	return cases
}

// curlRun is what one curl run said.
type curlRun struct {
	exit int
	msg  string // stderr without the "curl: (N) " prefix
	argv []string
}

// curlResult is curl on one case: with --fail (the doctor's equivalent)
// and without (curl's default).
type curlResult struct{ fail, plain curlRun }

const (
	curlConnectTimeout = "2" // the lab config's connect timeout
	curlMaxTime        = "8" // the lab config's dns+connect+tls+http timeouts
)

// curlArgs mirrors the doctor's request for ep: the same probe URL, the
// same proxy (which resolves the target's name, as the doctor's does), and
// the lab CA as the only trust, as the endpoints' ca_file gives it.
func (l *lab) curlArgs(ep labEndpoint, fail bool) ([]string, error) {
	u, err := diag.ProbeURL(diag.Endpoint{Name: ep.name, URL: ep.url, Provider: "custom"})
	if err != nil {
		return nil, err
	}
	args := []string{"curl", "-q", "-sS", "-o", "/dev/null"} // -q first: no ~/.curlrc
	if fail {
		args = append(args, "--fail")
	}
	args = append(args, "--cacert", l.ca, "--connect-timeout", curlConnectTimeout, "-m", curlMaxTime)
	if ep.proxy != "direct" {
		args = append(args, "--proxy", ep.proxy)
	}
	return append(args, u.String()), nil
}

var (
	curlPrefix   = regexp.MustCompile(`^curl: \(\d+\) `)
	curlElapsed  = regexp.MustCompile(`after \d+ (ms|milliseconds)`)
	manualEntry  = regexp.MustCompile(`(?m)^ {1,12}(\d+) {2,}(\S.*)$`) // "       7      Failed to connect to host."
	manualHyphen = regexp.MustCompile(`([a-z])- ([a-z])`)              // the manual breaks words at line ends: "re- solved"
)

// curl runs curl in the client namespace with a clean environment (no proxy
// variables: the case's own --proxy is the only one).
func (l *lab) curl(ep labEndpoint, fail bool) (curlRun, error) {
	args, err := l.curlArgs(ep, fail)
	if err != nil {
		return curlRun{}, err
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", nsClient}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + l.dir}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err = cmd.Run()
	r := curlRun{argv: args, msg: curlPrefix.ReplaceAllString(strings.TrimSpace(errOut.String()), "")}
	if ee, ok := err.(*exec.ExitError); ok {
		r.exit = ee.ExitCode()
	} else if err != nil {
		return r, fmt.Errorf("running curl: %v", err)
	}
	return r, nil
}

// curlAll runs curl for every case. The ordinary cases run concurrently
// (their timeouts overlap) and, beside them, the route cases one at a
// time after a pause: only they draw on the router's rate limit, which
// refills one answer per second. The cases needing another resolver run
// last: a resolv.conf swap would reach curls still starting.
func (l *lab) curlAll(t *testing.T, cases []curlCase) []curlResult {
	res := make([]curlResult, len(cases))
	errs := make([]error, 2*len(cases))
	var wg sync.WaitGroup
	both := func(i int) {
		for v, fail := range []bool{true, false} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := l.curl(cases[i].ep, fail)
				if fail {
					res[i].fail = r
				} else {
					res[i].plain = r
				}
				errs[2*i+v] = err
			}()
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, c := range cases {
			if c.route {
				time.Sleep(1500 * time.Millisecond)
				res[i].fail, errs[2*i] = l.curl(c.ep, true)
				time.Sleep(1500 * time.Millisecond)
				res[i].plain, errs[2*i+1] = l.curl(c.ep, false)
			}
		}
	}()
	for i, c := range cases {
		if !c.route && c.resolver == "" {
			both(i)
		}
	}
	wg.Wait()
	for i, c := range cases {
		if c.resolver != "" {
			l.writeResolvConf(nsClient, c.resolver)
			both(i)
			wg.Wait()
			l.writeResolvConf(nsClient, ipDNS)
		}
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", cases[i/2].ep.name, err)
		}
	}
	return res
}

// doctorVerdicts returns the doctor's verdict per case: the check subtest's
// when it ran (l.verdicts), else from one check run here.
func (l *lab) doctorVerdicts(t *testing.T, cases []curlCase) map[string]diag.EndpointResult {
	var plain []labEndpoint
	for _, c := range cases {
		if _, ok := l.verdicts[c.ep.name]; ok {
			continue
		}
		switch {
		case c.route:
			time.Sleep(3 * time.Second)
			l.check(t, false, []labEndpoint{c.ep})
		case c.resolver != "":
			l.writeResolvConf(nsClient, c.resolver)
			l.check(t, false, []labEndpoint{c.ep})
			l.writeResolvConf(nsClient, ipDNS)
		default:
			plain = append(plain, c.ep)
		}
	}
	if len(plain) > 0 {
		l.check(t, false, plain)
	}
	return l.verdicts
}

// curlManualExitCodes reads curl's own EXIT CODES section: code → the text
// of its entry, one line. Empty when the build has no manual.
func curlManualExitCodes() map[int]string {
	out, err := exec.Command("curl", "--manual").Output()
	if err != nil {
		return nil
	}
	return parseManualExitCodes(string(out))
}

// parseManualExitCodes reads the EXIT CODES section of curl's manual as
// `curl --manual` prints it (man page layout).
func parseManualExitCodes(manual string) map[int]string {
	_, sec, ok := strings.Cut(manual, "\nEXIT CODES\n")
	if !ok {
		return nil
	}
	sec, _, _ = strings.Cut(sec, "\nAUTHORS")
	codes := map[int]string{}
	locs := manualEntry.FindAllStringSubmatchIndex(sec, -1)
	for i, m := range locs {
		end := len(sec)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		code, _ := strconv.Atoi(sec[m[2]:m[3]]) // \d+ of a sane length
		text := strings.Join(strings.Fields(sec[m[4]:end]), " ")
		codes[code] = manualHyphen.ReplaceAllString(text, "$1$2")
	}
	return codes
}

// matrixRow is one line of docs/fault-matrix.md.
type matrixRow struct {
	c      curlCase
	curl   curlResult
	doctor diag.EndpointResult
}

func (r matrixRow) verdict() string { return string(r.doctor.Category) + "/" + string(r.doctor.Cause) }

// curlMessage is curl's message with what differs between any two faults
// (the host, the elapsed time) taken out: what it says about the fault.
func (r matrixRow) curlMessage() string {
	m := curlElapsed.ReplaceAllString(r.curl.fail.msg, "after N ms")
	if u, err := url.Parse(r.c.ep.url); err == nil {
		m = strings.ReplaceAll(m, u.Hostname(), "HOST")
	}
	return m
}

func (l *lab) testCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skipf("curl not on PATH (CI installs the Debian package curl): %v", err)
	}
	start := time.Now()
	cases := curlCases()
	curls := l.curlAll(t, cases)
	curlTime := time.Since(start)
	verdicts := l.doctorVerdicts(t, cases)
	rows := make([]matrixRow, len(cases))
	for i, c := range cases {
		rows[i] = matrixRow{c: c, curl: curls[i], doctor: verdicts[c.ep.name]}
	}

	t.Run("curl exits as documented", func(t *testing.T) {
		for _, r := range rows {
			if r.c.exit < 0 {
				t.Errorf("%s: a lab endpoint with no row in curlCases", r.c.ep.name)
				continue
			}
			for _, v := range []struct {
				run  curlRun
				want int
			}{{r.curl.fail, r.c.exit}, {r.curl.plain, r.c.plain}} {
				if v.run.exit != v.want {
					t.Errorf("%s: curl exit %d (%s), want %d (%s)\n%s", r.c.ep.name, v.run.exit, v.run.msg, v.want, curlDocumented[v.want], strings.Join(v.run.argv, " "))
				}
			}
		}
	})
	t.Run("curl's manual says so", func(t *testing.T) {
		manual := curlManualExitCodes()
		if len(manual) == 0 {
			t.Skip("this curl build has no --manual; curlDocumented stands unchecked")
		}
		for code, want := range curlDocumented {
			if !strings.HasPrefix(manual[code], want) {
				t.Errorf("exit %d: manual says %q, want it to start %q", code, manual[code], want)
			}
		}
	})
	t.Run("doctor names each fault", func(t *testing.T) {
		for _, r := range rows {
			if r.doctor.Category != r.c.ep.cat || r.doctor.Cause != r.c.ep.cause {
				t.Errorf("%s: doctor %s (%s), want %s/%s", r.c.ep.name, r.verdict(), r.doctor.Message, r.c.ep.cat, r.c.ep.cause)
			}
		}
	})
	faults := faultRows(rows)
	t.Run("doctor separates what curl lumps together", func(t *testing.T) {
		if len(faults) < 10 {
			t.Fatalf("only %d faults in the comparison", len(faults))
		}
		lumped := 0
		for i, a := range faults {
			for _, b := range faults[i+1:] {
				if a.curl.fail.exit == b.curl.fail.exit {
					lumped++
				}
				if a.verdict() == b.verdict() {
					t.Errorf("%s and %s: the doctor says %s for both (curl exits %d and %d)", a.c.ep.name, b.c.ep.name, a.verdict(), a.curl.fail.exit, b.curl.fail.exit)
				}
			}
		}
		t.Logf("%d pairs of different faults share a curl exit code; the doctor tells every pair apart", lumped)
	})
	md := renderMatrix(rows, faults, curlTime)
	if strings.Contains(md, labSecret) {
		t.Fatal("the proxy password is in the matrix")
	}
	t.Logf("curl against %d lab endpoints (with and without --fail) in %v\n%s", len(rows), curlTime.Round(time.Millisecond), md)
	if path := os.Getenv("NEWAPI_DOCTOR_WRITE_MATRIX"); path != "" {
		if t.Failed() {
			t.Errorf("NEWAPI_DOCTOR_WRITE_MATRIX: %s not written: the comparison failed", path)
			return
		}
		if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
	}
}

// faultRows drops the controls (endpoints that must be ok).
func faultRows(rows []matrixRow) []matrixRow {
	var f []matrixRow
	for _, r := range rows {
		if r.c.ep.cat != diag.CatOK {
			f = append(f, r)
		}
	}
	return f
}

// named counts the faults key alone identifies (no other fault shares its
// key), the distinct keys, and the faults sharing each shared key.
func named(faults []matrixRow, key func(matrixRow) string) (unique, keys int, shared map[string][]string) {
	by := map[string][]string{}
	for _, r := range faults {
		by[key(r)] = append(by[key(r)], r.c.ep.name)
	}
	shared = map[string][]string{}
	for k, names := range by {
		if len(names) == 1 {
			unique++
		} else {
			shared[k] = names
		}
	}
	return unique, len(by), shared
}

func mdCell(s string) string {
	if s == "" {
		return "—"
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// machine names where the matrix was made: OS, kernel, curl.
func machine() string {
	var parts []string
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				parts = append(parts, strings.Trim(v, `"`))
			}
		}
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		parts = append(parts, "Linux "+unix.ByteSliceToString(u.Release[:])+" "+unix.ByteSliceToString(u.Machine[:]))
	}
	if out, err := exec.Command("curl", "--version").Output(); err == nil {
		first, _, _ := strings.Cut(string(out), "\n")
		parts = append(parts, first)
	}
	return strings.Join(parts, "; ")
}

// renderMatrix renders docs/fault-matrix.md from a run: every figure and
// cell below comes from rows.
func renderMatrix(rows, faults []matrixRow, curlTime time.Duration) string {
	exitKey := func(r matrixRow) string { return strconv.Itoa(r.curl.fail.exit) }
	unique, codes, shared := named(faults, exitKey)
	plainUnique, plainCodes, _ := named(faults, func(r matrixRow) string { return strconv.Itoa(r.curl.plain.exit) })
	msgUnique, _, _ := named(faults, matrixRow.curlMessage)
	doctorUnique, doctorVerdicts, _ := named(faults, matrixRow.verdict)

	var b strings.Builder
	b.WriteString(`# Fault matrix: curl and newapi-doctor on the same faults

Generated by the network-namespace fault lab (` + "`cmd/newapi-doctor/lab/curl_linux_test.go`" + `) from a real run;
do not edit by hand. Every fault is made by a real tool between separate network namespaces — a client, a
router, servers (the lab upstream is the test binary serving HTTPS there; tinyproxy; dnsmasq), joined by
veth pairs — and both tools run in the client namespace against the same endpoint:
the doctor's ` + "`check`" + ` with the lab config (timeouts dns/connect/tls/http 2s each, the lab CA as ` + "`ca_file`" + `), and
curl as

`)
	fmt.Fprintf(&b, "    curl -q -sS -o /dev/null --fail --cacert LAB_CA --connect-timeout %s -m %s [--proxy PROXY] https://HOST/v1/models\n\n", curlConnectTimeout, curlMaxTime)
	b.WriteString("`/v1/models` is the doctor's probe URL for these endpoints; `--fail` makes an HTTP error an error, as it is\n" +
		"for the doctor. curl also ran without `--fail` (its default). The lab's addresses are documentation ranges\n" +
		"(198.51.100.0/24, 203.0.113.0/24); rows marked (control) are not faults. The test asserts every curl exit\n" +
		"code below against curl's documented EXIT CODES (`curl --manual`), every doctor verdict against the lab's\n" +
		"expectation, and that no two faults get the same doctor verdict.\n\n")
	fmt.Fprintf(&b, "**Result:** of %d faults, curl's exit code alone names %d distinctly with `--fail` (%d exit codes in all) "+
		"and %d without it (%d codes); curl's message, host and elapsed time aside, names %d. "+
		"The doctor names %d: %d distinct (category, cause) verdicts.\n\n", len(faults), unique, codes, plainUnique, plainCodes, msgUnique, doctorUnique, doctorVerdicts)
	var lumped []int
	for code := range shared {
		n, _ := strconv.Atoi(code)
		lumped = append(lumped, n)
	}
	sort.Ints(lumped)
	b.WriteString("Faults curl's exit code (`--fail`) lumps together:\n\n")
	for _, code := range lumped {
		fmt.Fprintf(&b, "- exit %d (%s): %s\n", code, curlDocumented[code], strings.Join(shared[strconv.Itoa(code)], ", "))
	}
	b.WriteString("\n| Fault | Made by | curl exit (`--fail`) | curl message | curl exit without `--fail` | doctor category (cause) | failing layer |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		plain := strconv.Itoa(r.curl.plain.exit)
		if r.curl.plain.msg != "" && r.curl.plain.exit != r.curl.fail.exit {
			plain += ": " + r.curl.plain.msg
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s (%s) | %s |\n", r.c.ep.name, mdCell(r.c.made), r.curl.fail.exit, mdCell(r.curl.fail.msg),
			mdCell(plain), r.doctor.Category, r.doctor.Cause, mdCell(string(r.doctor.FailingLayer)))
	}
	fmt.Fprintf(&b, "\nMachine: %s. curl's part of the run took %v.\n\n", machine(), curlTime.Round(100*time.Millisecond))
	b.WriteString("Regenerate (as root, with iproute2, iptables, tinyproxy, dnsmasq and curl installed, as `.ci/run` does):\n\n" +
		"    NEWAPI_DOCTOR_WRITE_MATRIX=$PWD/docs/fault-matrix.md go test -count=1 -run 'TestLab$' ./cmd/newapi-doctor/lab/\n")
	return b.String()
}

func TestParseManualExitCodes(t *testing.T) {
	manual := "OPTIONS\n       -f, --fail\n              Fail fast.\n" +
		"EXIT CODES\n       There are a bunch of different error codes.\n\n" +
		"       6      Could not resolve host. The given remote host could not  be  re-\n              solved.\n\n" +
		"       7      Failed to connect to host.\n\n" +
		"       22     HTTP  page not retrieved. The requested URL was not found or re-\n              turned another error.\n" +
		"AUTHORS\n       99     not an exit code\n"
	cases := []struct {
		code int
		want string
	}{
		{6, "Could not resolve host. The given remote host could not be resolved."},
		{7, "Failed to connect to host."},
		{22, "HTTP page not retrieved. The requested URL was not found or returned another error."},
		{99, ""},
	}
	got := parseManualExitCodes(manual)
	for _, c := range cases {
		t.Run(strconv.Itoa(c.code), func(t *testing.T) {
			if got[c.code] != c.want {
				t.Errorf("exit %d: %q, want %q", c.code, got[c.code], c.want)
			}
		})
	}
	if len(got) != 3 {
		t.Errorf("%d codes, want 3: %v", len(got), got)
	}
	if parseManualExitCodes("no such section") != nil {
		t.Error("a manual without EXIT CODES parsed")
	}
}

func TestNamed(t *testing.T) {
	row := func(name string, exit int) matrixRow {
		return matrixRow{c: curlCase{ep: labEndpoint{name: name}}, curl: curlResult{fail: curlRun{exit: exit}}}
	}
	exit := func(r matrixRow) string { return strconv.Itoa(r.curl.fail.exit) }
	cases := []struct {
		name         string
		rows         []matrixRow
		unique, keys int
		shared       map[string][]string
	}{
		{"none", nil, 0, 0, map[string][]string{}},
		{"all distinct", []matrixRow{row("a", 6), row("b", 7)}, 2, 2, map[string][]string{}},
		{"one shared code", []matrixRow{row("a", 7), row("b", 35), row("c", 7)}, 1, 2, map[string][]string{"7": {"a", "c"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			unique, keys, shared := named(c.rows, exit)
			if unique != c.unique || keys != c.keys || fmt.Sprint(shared) != fmt.Sprint(c.shared) {
				t.Errorf("named: %d unique, %d keys, shared %v; want %d, %d, %v", unique, keys, shared, c.unique, c.keys, c.shared)
			}
		})
	}
}
