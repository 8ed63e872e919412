// Package explaintest writes new-api logs for tests and benchmarks of
// explain --log: the lines new-api really writes, in its order, with one
// fault per channel so a test can check every channel's verdict.
package explaintest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/newapi-doctor/newapi-doctor/diag"
)

// Fault is what is wrong with a channel, as new-api's Go client reports it.
type Fault struct {
	Name string // short name (refused, silent, tls, dns, proxy, reset, 429, 401)
	// Err is what follows `do request failed: Post "URL": ` (transport
	// faults), or "" for an upstream that answers with Status.
	Err    string
	Status int
	Body   string // the upstream's message for a Status fault
	Host   string // the upstream new-api posts to
	Cause  string // what explain must find (a diag cause): the real one, never new-api's 500
}

// Faults are the generated channels' faults: channel N has Faults[N%len].
// The transport texts are the errors Go prints for each fault.
var Faults = []Fault{
	{Name: "refused", Cause: string(diag.CauseConnRefused), Host: "api.openai.com", Err: "dial tcp 203.0.113.7:443: connect: connection refused"},
	{Name: "silent", Cause: string(diag.CauseSYNTimeout), Host: "api.anthropic.com", Err: "dial tcp 198.51.100.9:443: i/o timeout"},
	{Name: "tls", Cause: string(diag.CauseTLSUntrusted), Host: "api.deepseek.com", Err: "tls: failed to verify certificate: x509: certificate signed by unknown authority"},
	{Name: "dns", Cause: string(diag.CauseNXDOMAIN), Host: "api.moonshot.cn", Err: "dial tcp: lookup api.moonshot.cn on 127.0.0.11:53: no such host"},
	{Name: "proxy", Cause: string(diag.CauseProxyRefused), Host: "generativelanguage.googleapis.com", Err: "proxyconnect tcp: dial tcp 127.0.0.1:7890: connect: connection refused"},
	{Name: "reset", Cause: string(diag.CauseTLSReset), Host: "api.x.ai", Err: "read tcp 172.18.0.3:%d->203.0.113.20:443: read: connection reset by peer"},
	{Name: "429", Cause: string(diag.CauseRateLimited), Host: "api.mistral.ai", Status: 429, Body: `Rate limit reached for requests (request id: req_%016x)`},
	{Name: "401", Cause: string(diag.CauseUnauthorized), Host: "api.openai.com", Status: 401, Body: `Incorrect API key provided: sk-proj-****abcd. You can find your API key at https://platform.openai.com/account/api-keys.`},
}

// FaultOf is channel id's fault.
func FaultOf(id int) Fault { return Faults[id%len(Faults)] }

// Options shape a generated log.
type Options struct {
	Size     int64  // about this many bytes
	Seed     uint64 // same seed, same log
	Channels int    // channel ids 1..Channels (default 40)
	// ErrorPercent of requests fail (default 25); the rest are access lines.
	ErrorPercent int
}

// Write writes a new-api log: per request its gin access line, and for a
// failed one what new-api logs for it (one request id per request):
//
//	[ERR] t | rid | do request failed: Post "URL": <Go error>
//	[ERR] t | rid | channel error (channel #N, status code: 500): upstream error: do request failed
//	… a retry on another channel: the same two lines …
//	[ERR] t | rid | relay error: upstream error: do request failed
//
// or, for an upstream that answered, `channel error (channel #N, status
// code: S): <its message>` and `relay error: <its message>`. Channel tests
// (`[SYS] testing channel N with model …` then `do request failed` under
// the id SYSTEM), auto-disable lines and start-up chatter are mixed in.
func Write(w io.Writer, o Options) error {
	if o.Channels <= 0 {
		o.Channels = 40
	}
	if o.ErrorPercent <= 0 {
		o.ErrorPercent = 25
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	t := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var n int64
	var sb strings.Builder
	emit := func(format string, args ...any) {
		fmt.Fprintf(&sb, format, args...)
	}
	if _, err := fmt.Fprintf(bw, "[SYS] %s | New API v0.9.1 started \n", stamp(t)); err != nil {
		return err
	}
	for n < o.Size {
		sb.Reset()
		t = t.Add(time.Duration(rng.IntN(2000)) * time.Millisecond)
		ts := stamp(t)
		rid := fmt.Sprintf("%s%08d", t.Format("20060102150405"), rng.IntN(1e8))
		p := rng.IntN(1000)
		switch {
		case p < 10*o.ErrorPercent:
			tries := 1 + rng.IntN(2)
			status := 500
			var last string
			for i := 0; i < tries; i++ {
				id := 1 + rng.IntN(o.Channels)
				f := FaultOf(id)
				if f.Status == 0 {
					emit("[ERR] %s | %s | do request failed: Post \"https://%s/v1/chat/completions\": %s \n", ts, rid, f.Host, faultErr(f, rng))
					last = "upstream error: do request failed"
					status = 500
				} else {
					last = faultBody(f, rng)
					status = f.Status
				}
				emit("[ERR] %s | %s | channel error (channel #%d, status code: %d): %s \n", ts, rid, id, status, last)
			}
			emit("[ERR] %s | %s | relay error: %s \n", ts, rid, last)
			emit("[GIN] %s | %d | %13v | %15s | POST     \"/v1/chat/completions\"\n", ts, status, time.Duration(rng.IntN(3e9)), "172.18.0.1")
		case p < 10*o.ErrorPercent+5:
			id := 1 + rng.IntN(o.Channels)
			f := FaultOf(id)
			emit("[SYS] %s | testing channel %d with model gpt-4o-mini , info {ChannelId:%d ChannelType:1 UpstreamModelName:gpt-4o-mini} \n", ts, id, id)
			if f.Status == 0 {
				emit("[ERR] %s | SYSTEM | do request failed: Post \"https://%s/v1/chat/completions\": %s \n", ts, f.Host, faultErr(f, rng))
			} else {
				emit("[SYS] %s | channel test bad response: channel_id=%d name=ch-%d type=1 model=gpt-4o-mini endpoint_type= status=%d err=%s \n", ts, id, id, f.Status, faultBody(f, rng))
			}
		case p < 10*o.ErrorPercent+6:
			id := 1 + rng.IntN(o.Channels)
			f := FaultOf(id)
			if f.Status == 401 {
				emit("[SYS] %s | 通道「ch-%d」（#%d）发生错误，准备禁用，原因：%s \n", ts, id, id, faultBody(f, rng))
				emit("[SYS] %s | 通道「ch-%d」（#%d）未启用自动禁用功能，跳过禁用操作 \n", ts, id, id)
			}
		case p < 10*o.ErrorPercent+30:
			emit("[INFO] %s | %s | 重试：%d->%d \n", ts, rid, 1+rng.IntN(o.Channels), 1+rng.IntN(o.Channels))
			emit("[GIN] %s | 200 | %13v | %15s | POST     \"/v1/chat/completions\"\n", ts, time.Duration(rng.IntN(3e9)), "172.18.0.1")
		default:
			path := [...]string{"/v1/chat/completions", "/v1/models", "/api/status", "/v1/embeddings"}[rng.IntN(4)]
			emit("[GIN] %s | 200 | %13v | %15s | %-7s \"%s\"\n", ts, time.Duration(rng.IntN(3e9)), "172.18.0.1", "POST", path)
		}
		k, err := bw.WriteString(sb.String())
		if err != nil {
			return err
		}
		n += int64(k)
	}
	return bw.Flush()
}

func stamp(t time.Time) string { return t.Format("2006/01/02 - 15:04:05") }

// faultErr fills the varying part of a transport error (an ephemeral port).
func faultErr(f Fault, rng *rand.Rand) string {
	if strings.Contains(f.Err, "%d") {
		return fmt.Sprintf(f.Err, 32768+rng.IntN(28000))
	}
	return f.Err
}

// faultBody fills the varying part of an upstream's message (its request id).
func faultBody(f Fault, rng *rand.Rand) string {
	if strings.Contains(f.Body, "%016x") {
		return fmt.Sprintf(f.Body, rng.Uint64())
	}
	return f.Body
}
