package diag

import "testing"

// TestSiteOf: a provider's own redirect stays within its site.
func TestSiteOf(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"api.openai.com", "openai.com", true}, {"api.example.com.cn", "www.example.com.cn", true},
		{"api.openai.com", "login.portal.example", false}, {"a.example.com.cn", "b.other.com.cn", false},
	} {
		if got := sameSite(c.a, c.b); got != c.same {
			t.Errorf("sameSite(%s, %s) = %v", c.a, c.b, got)
		}
	}
}
