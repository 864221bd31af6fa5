package httpapi

import (
	"net/http"
	"strings"

	"github.com/switchboardhq/switchboard/cluster"
)

// configPaths are the paths under which writes change the shared
// configuration or the API tokens: in a cluster the leader makes them,
// so that its checks (unique names, what refers to what) see every
// other write, and its routing has them before any command that needs
// them.
var configPaths = []string{
	"/api/v1/agents", "/api/v1/virtual-agents", "/api/v1/queues", "/api/v1/customer-tags",
	"/api/v1/queue-rules", "/api/v1/routing-rules", "/api/v1/work-time-plans", "/api/v1/session-tags",
	"/api/v1/web-plugins", "/api/v1/quick-replies", "/api/v1/quick-reply-categories",
	"/api/v1/leave-message-templates", "/api/v1/settings", "/api/v1/tokens",
}

// LeaderOnly reports whether r is a request that, in a cluster, only the
// leader serves: a write to the shared configuration or the tokens. A
// node that does not lead sends it on (cluster.Forwarder.Proxy).
func (s *Server) LeaderOnly(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	path := r.URL.Path // no route match: it would run on every command a follower forwards
	for _, p := range configPaths {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// proxied serves the public API to another node's Proxy: the client's
// request as it made it, under cluster.APIPath.
func (s *Server) proxied(secret string) http.Handler {
	api := http.StripPrefix(cluster.APIPath, s)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.clusterSecret(w, r, secret) {
			return
		}
		api.ServeHTTP(w, r)
	})
}
