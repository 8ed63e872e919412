package diag

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Keyword filters (issue 11 item 3): a middlebox reading the request resets
// it when it names something filtered (a path, a header, a word). The same
// connection settings with a neutral request tell it from a server that
// resets every request.

// neutralPath is a request that names nothing a filter looks for.
const neutralPath = "/"

// exchangeCut: the connection was up and the request was reset or cut.
func exchangeCut(_ *chain, ev *Evidence, cause Cause) bool {
	return ev.Layer == LayerHTTP && (cause == CauseHTTPReset || cause == CauseHTTPEOF)
}

func keywordDifferential(ctx context.Context, c *chain, ev *Evidence) diffOutcome {
	if c.target.Path == neutralPath && c.target.RawQuery == "" {
		return diffOutcome{evidence: "the request was already the neutral one"}
	}
	t0 := time.Now()
	hdr := http.Header{"User-Agent": {"newapi-doctor"}, "Accept": {"*/*"}}
	hr, err := c.replayHTTP(ctx, false, neutralPath, hdr)
	if err != nil {
		return diffOutcome{evidence: "the retry could not connect: " + err.Error()}
	}
	if hr.Err != nil {
		return diffOutcome{evidence: fmt.Sprintf("a neutral GET %s was %s too: the server, not a content filter", neutralPath, shortErr(hr.Err))}
	}
	return diffOutcome{look: LookKeywordFiltered, evidence: fmt.Sprintf("GET %s was %s; a neutral GET %s over the same path was answered HTTP %d in %s", c.target.EscapedPath(), shortErr(ev.Err), neutralPath, hr.Status, msText(time.Since(t0)))}
}
