// Package redact hides the secrets a URL may carry, for logs and error
// messages.
package redact

import (
	"net/url"
	"strings"
)

// URL returns raw with its password hidden, in its user part or in a
// password= query parameter (which PostgreSQL's drivers also take). A URL
// that does not parse but may hold a secret is not repeated at all.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") || strings.Contains(strings.ToLower(raw), "password") {
			return "(an unreadable URL)"
		}
		return raw
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
