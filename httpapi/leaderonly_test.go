package httpapi_test

import (
	"net/http/httptest"
	"testing"
)

// Writes to the configuration and the tokens are the leader's; reads,
// session commands and other paths are not.
func TestLeaderOnlyIsConfigurationWrites(t *testing.T) {
	s := newStack(t)
	for _, c := range []struct {
		method, path string
		want         bool
	}{
		{"POST", "/api/v1/queues", true},
		{"PUT", "/api/v1/queues/3", true},
		{"DELETE", "/api/v1/routing-rules/2", true},
		{"POST", "/api/v1/agents/1/status", true},
		{"PUT", "/api/v1/settings/chat", true},
		{"DELETE", "/api/v1/tokens/4", true},
		{"GET", "/api/v1/queues", false},
		{"POST", "/api/v1/sessions", false},
		{"POST", "/api/v1/sessions/1/message", false},
		{"POST", "/api/v1/logout", false},
		{"POST", "/api/v1/agentsx", false},
	} {
		if got := s.api.LeaderOnly(httptest.NewRequest(c.method, c.path, nil)); got != c.want {
			t.Errorf("%s %s: leader only %v, want %v", c.method, c.path, got, c.want)
		}
	}
}
