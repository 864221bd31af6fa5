package httpapi

import (
	"crypto/subtle"
	"net/http"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/cluster"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/service"
)

// ClusterHandler serves the leader's side of command forwarding
// (cluster.CommandPath): another node's forwarded command, run through
// this server's Commands for the caller it names, answered as
// cluster.Result or the API's JSON error. Only a request with the
// cluster's secret is heard; serve it on the cluster's own listener, not
// the public one.
func (s *Server) ClusterHandler(secret string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+cluster.CommandPath, func(w http.ResponseWriter, r *http.Request) {
		if secret == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get(cluster.SecretHeader)), []byte(secret)) != 1 {
			s.writeError(w, r, sb.Errorf(sb.EUNAUTHORIZED, "the cluster secret is missing or wrong"))
			return
		}
		var req cluster.Request
		if err := decode(r, &req, false); err != nil {
			s.writeError(w, r, err)
			return
		}
		res, err := s.runForwarded(r, req)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, cluster.Result{Session: res.Session, Events: nonNil(res.Events), Replayed: res.Replayed})
	})
	return mux
}

// runForwarded runs a forwarded command as the public routes run it.
func (s *Server) runForwarded(r *http.Request, req cluster.Request) (result engine.Result, err error) {
	opt := service.RunOptions{IfMatch: req.IfMatch, IdempotencyKey: req.IdempotencyKey}
	if req.Command == "create" && req.SessionID == 0 {
		cmd := new(lifecycle.Create)
		if err := DecodeStrict(req.Body, cmd, false); err != nil {
			return result, err
		}
		return s.Commands.Create(r.Context(), req.Caller, cmd, opt)
	}
	cmd, err := restCommand(req.Command)
	if err != nil {
		return result, err
	}
	return s.run(r.Context(), Principal{Caller: req.Caller}, req.SessionID, cmd, req.Body, opt)
}
