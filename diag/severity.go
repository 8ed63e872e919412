package diag

import (
	"fmt"
	"strings"
)

// Grade is how urgent a verdict is, taken from its cause alone (JSON field
// "severity"). It is separate from the exit-code Policy: a grade describes
// the fault, the policy decides what fails a run.
type Grade string

const (
	// GradeError: unusable until someone acts (refused, blocked, DNS, proxy
	// misconfigured, certificate, key rejected).
	GradeError Grade = "error"
	// GradeWarning: recoverable, it may pass by itself (rate-limited,
	// overloaded, service-unavailable, flaky).
	GradeWarning Grade = "warning"
	// GradeInfo: it works; what is worth knowing (a pass, a key that was not
	// checked, a broken IPv6 path beside a working IPv4 one).
	GradeInfo Grade = "info"
)

// Grades lists the grades from the most to the least urgent.
var Grades = []Grade{GradeError, GradeWarning, GradeInfo}

// rank orders grades for --fail-on-severity (higher is more urgent).
func (g Grade) rank() int {
	switch g {
	case GradeError:
		return 2
	case GradeWarning:
		return 1
	}
	return 0
}

// AtLeast reports whether g is as urgent as min.
func (g Grade) AtLeast(min Grade) bool { return g.rank() >= min.rank() }

// severities is the ONE table cause → grade. A test fails when a cause of
// the hint catalogue has no row here, so a new cause cannot ship ungraded.
var severities = map[Cause]Grade{
	CauseOK: GradeInfo,

	CauseBodyStalled:        GradeWarning, // an overloaded upstream or relay may recover
	CauseCaptivePortal:      GradeError,
	CauseProxyBlockPage:     GradeError,
	CauseBotWall:            GradeError,
	CauseProxyTargetDNS:     GradeError,
	CauseProxyTargetRefused: GradeError,
	CauseProxyTargetTimeout: GradeError,
	CauseProxyWrongScheme:   GradeError,
	CauseEndpointFiltered:   GradeError,
	CausePathDown:           GradeError,
	CauseOKKeyNotSent:       GradeInfo,
	CauseNewAPIOK:           GradeInfo,
	CauseIPv6Broken:         GradeInfo,
	CauseFlaky:              GradeWarning,

	CauseBadURL:        GradeError,
	CauseInterrupted:   GradeWarning, // the run was stopped, the endpoint was not judged
	CauseDeadline:      GradeWarning, // the run's budget ran out, not the endpoint
	CauseInternalError: GradeError,

	CauseNXDOMAIN:      GradeError,
	CauseSERVFAIL:      GradeError,
	CauseDNSRefused:    GradeError,
	CauseDNSTimeout:    GradeError,
	CauseDNSNoAnswer:   GradeError,
	CauseNoResolver:    GradeError,
	CauseDNSUnreachble: GradeError,
	CauseFakeIP:        GradeError,
	CauseDNSOther:      GradeError,

	CauseConnRefused:        GradeError,
	CauseLocalRefused:       GradeError,
	CauseGatewayPortGuessed: GradeWarning, // our guess, not the gateway's fault
	CauseConnResetConnect:   GradeError,
	CausePortInUse:          GradeError,
	CauseAddrNotValid:       GradeError,
	CauseEphemeralPorts:     GradeWarning, // frees itself as TIME_WAIT drains

	CauseSYNTimeout:    GradeError,
	CauseTLSReset:      GradeError,
	CauseTLSEOF:        GradeError,
	CauseTLSTimeout:    GradeError,
	CauseLocalFirewall: GradeError,
	CauseRegionBlocked: GradeError,
	CauseAdminProhib:   GradeError,

	CauseNetUnreachable:  GradeError,
	CauseHostUnreachable: GradeError,
	CauseNoNetwork:       GradeError,

	CauseProxyBadURL:          GradeError,
	CauseSystemProxyOnly:      GradeError, // new-api fails until it is given the proxy
	CauseProxyUnsupported:     GradeError,
	CauseProxyDNS:             GradeError,
	CauseProxyRefused:         GradeError,
	CauseProxyTimeout:         GradeError,
	CauseProxyUnreachable:     GradeError,
	CauseProxyReset:           GradeError,
	CauseProxyTLS:             GradeError,
	CauseProxyAuthRequired:    GradeError,
	CauseProxyForbidden:       GradeError,
	CauseProxyBadGateway:      GradeError,
	CauseProxyGatewayTimeout:  GradeError,
	CauseProxyStatus:          GradeError,
	CauseProxyProtocol:        GradeError,
	CauseSOCKSAuth:            GradeError,
	CauseSOCKSNoMethod:        GradeError,
	CauseSOCKSRefused:         GradeError,
	CauseSOCKSUnreachable:     GradeError,
	CauseSOCKSNotAllowed:      GradeError,
	CauseSOCKSFailure:         GradeError,
	CauseProxyNoAnswerConnect: GradeError,
	CauseProxyOther:           GradeError,

	CauseTLSUntrusted: GradeError,
	CauseTLSHostname:  GradeError,
	CauseTLSExpired:   GradeError,
	CauseTLSNotYet:    GradeError,
	CauseTLSNotTLS:    GradeError,
	CauseTLSAlert:     GradeError,
	CauseTLSOther:     GradeError,
	CauseTLSCAFile:    GradeError,

	CauseRateLimited:   GradeWarning,
	CauseQuota:         GradeError, // retries do not refill a quota: someone must top up
	CauseUnavailable:   GradeWarning,
	CauseOverloaded529: GradeWarning,
	CauseBadGateway:    GradeWarning,
	CauseGatewayTO:     GradeWarning,
	CauseNoResponse:    GradeWarning,

	CauseUnauthorized: GradeError,
	CauseForbidden:    GradeError,

	CauseNotFound:     GradeError,
	CauseHTML:         GradeError,
	CauseHTTPStatus:   GradeError,
	CauseHTTPReset:    GradeError,
	CauseHTTPEOF:      GradeError,
	CauseHTTPProtocol: GradeError,
	CauseServerError:  GradeWarning, // a 5xx on the provider's side usually passes

	CauseDNSSinkhole:     GradeError,
	CauseHostsFile:       GradeError,
	CauseDNSInjected:     GradeError,
	CauseDNSWrong:        GradeError,
	CauseSNIFiltered:     GradeError,
	CauseIncompleteChain: GradeError,
	CauseClientCert:      GradeError,
	CauseKeywordFiltered: GradeError,
	CauseMTUBlackhole:    GradeError,
}

// SeverityOf grades a cause. An unknown cause is an error: a grade must
// never hide what the table does not know.
func SeverityOf(cause Cause) Grade {
	if g, ok := severities[cause]; ok {
		return g
	}
	return GradeError
}

// Grade is the endpoint's severity: the recorded one, else its cause's.
func (e EndpointResult) Grade() Grade {
	if e.Severity != "" {
		return e.Severity
	}
	return SeverityOf(e.Cause)
}

// ParseFailOnSeverity reads --fail-on-severity: "" (off), error or warning.
func ParseFailOnSeverity(s string) (Grade, error) {
	switch g := Grade(strings.TrimSpace(s)); g {
	case "", GradeError, GradeWarning:
		return g, nil
	}
	return "", fmt.Errorf("--fail-on-severity: unknown grade %q (want error or warning)", s)
}
