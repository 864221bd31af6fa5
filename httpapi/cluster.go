package httpapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/cluster"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/service"
)

// ClusterHandler serves the leader's side of command forwarding
// (cluster.CommandPath): another node's forwarded command, run through
// this server's Commands for the caller it names, answered as
// cluster.Result or the API's JSON error; routing's calls
// (cluster.RoutingPath); and the public API for the requests only the
// leader serves (cluster.APIPath, see LeaderOnly). Only a request with the
// cluster's secret is heard; serve it on the cluster's own listener, not
// the public one.
func (s *Server) ClusterHandler(secret string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(cluster.APIPath+"/", s.proxied(secret))
	mux.HandleFunc("POST "+cluster.RoutingPath+"{op}", func(w http.ResponseWriter, r *http.Request) {
		if !s.clusterSecret(w, r, secret) {
			return
		}
		var req cluster.RoutingRequest
		if err := decode(r, &req, false); err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := s.routeForwarded(r.Context(), r.PathValue("op"), req)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST "+cluster.CommandPath, func(w http.ResponseWriter, r *http.Request) {
		if !s.clusterSecret(w, r, secret) {
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

// clusterSecret checks a cluster request's secret, answering 401 when it
// is missing or wrong.
func (s *Server) clusterSecret(w http.ResponseWriter, r *http.Request, secret string) bool {
	if secret == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get(cluster.SecretHeader)), []byte(secret)) != 1 {
		s.writeError(w, r, sb.Errorf(sb.EUNAUTHORIZED, "the cluster secret is missing or wrong"))
		return false
	}
	return true
}

// routeForwarded runs a forwarded call of service.Routing on this
// server's routing.
func (s *Server) routeForwarded(ctx context.Context, op string, req cluster.RoutingRequest) (any, error) {
	if s.Routing == nil {
		return nil, errNoRouting
	}
	switch op {
	case cluster.OpSaveAgent:
		if req.Agent == nil {
			return nil, sb.Errorf(sb.EINVALID, "no agent")
		}
		return s.Routing.SaveAgent(ctx, *req.Agent)
	case cluster.OpAgentStatus:
		return s.Routing.SetAgentStatus(ctx, req.AgentID, req.Status)
	case cluster.OpSaveSettings:
		if req.Settings == nil {
			return nil, sb.Errorf(sb.EINVALID, "no settings")
		}
		return s.Routing.SaveRoutingSettings(ctx, *req.Settings)
	case cluster.OpQueuePosition:
		return s.Routing.QueuePosition(ctx, req.SessionID, time.Duration(req.MaxAgeMS)*time.Millisecond)
	case cluster.OpQueuePositions:
		return s.Routing.QueuePositions(ctx, time.Duration(req.MaxAgeMS)*time.Millisecond)
	case cluster.OpQueueState:
		return s.Routing.QueueState(ctx, req.QueueID)
	case cluster.OpView:
		return s.Routing.View(ctx)
	}
	return nil, sb.Errorf(sb.ENOTFOUND, "no routing op %q", op)
}

// runForwarded runs a forwarded command as the public routes run it.
func (s *Server) runForwarded(r *http.Request, req cluster.Request) (result engine.Result, err error) {
	opt := service.RunOptions{IfMatch: req.IfMatch, IdempotencyKey: req.IdempotencyKey, FreshKey: req.FreshKey}
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
