package httpapi

import (
	"context"
	"net/http"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/outbox"
	"github.com/switchboardhq/switchboard/validate"
	"github.com/switchboardhq/switchboard/worktime"
)

func (s *Server) configRoutes() {
	crud(s, "agents", s.Directory.Agents, s.Directory.GetAgent, s.saveAgent,
		func(a *sb.Agent) *int64 { return &a.ID })
	crud(s, "virtual-agents", s.Directory.VirtualAgents, s.Directory.GetVirtualAgent, s.Directory.SaveVirtualAgent,
		func(v *sb.VirtualAgent) *int64 { return &v.ID })
	crud(s, "queues", s.Directory.Queues, s.Directory.GetQueue, s.Directory.SaveQueue,
		func(q *sb.Queue) *int64 { return &q.ID })
	crud(s, "customer-tags", s.Directory.CustomerTags, s.Directory.GetCustomerTag, s.Directory.SaveCustomerTag,
		func(t *sb.CustomerTag) *int64 { return &t.ID })
	crud(s, "queue-rules", s.Directory.QueueRules, s.Directory.GetQueueRule, s.Directory.SaveQueueRule,
		func(r *sb.QueueRule) *int64 { return &r.ID })
	crud(s, "routing-rules", s.Directory.RoutingRules, s.Directory.GetRoutingRule, s.Directory.SaveRoutingRule,
		func(r *sb.RoutingRule) *int64 { return &r.ID })
	crud(s, "work-time-plans", s.Directory.Plans, s.Directory.GetPlan, s.Directory.SavePlan,
		func(p *worktime.Plan) *int64 { return &p.ID })
	crud(s, "session-tags", s.Directory.SessionTags, s.Directory.GetSessionTag, s.Directory.SaveSessionTag,
		func(t *sb.SessionTag) *int64 { return &t.ID })
	s.deletable("session-tags", s.Directory.DeleteSessionTag)
	s.deletable("queues", s.deleteQueue)
	s.deletable("customer-tags", s.Directory.DeleteCustomerTag)
	s.deletable("queue-rules", s.Directory.DeleteQueueRule)
	s.deletable("routing-rules", s.Directory.DeleteRoutingRule)
	s.deletable("work-time-plans", s.Directory.DeletePlan)

	s.handle("GET /api/v1/tokens", s.authed(s.listTokens, adminsOnly...))
	s.handle("POST /api/v1/tokens", s.authed(s.createToken, adminsOnly...))
	s.handle("DELETE /api/v1/tokens/{id}", s.authed(s.revokeToken, adminsOnly...))

	s.handle("GET /api/v1/outbox", s.authed(s.listOutbox, adminsOnly...))
	s.handle("GET /api/v1/outbox/{id}", s.authed(s.getOutbox, adminsOnly...))
	s.handle("POST /api/v1/outbox/{id}/retry", s.authed(s.retryOutbox, adminsOnly...))
}

// saveDoc decodes a configuration document for creation (target 0) or
// replacement, refuses an id in the body that differs from the path's,
// lets prepare set what the server decides (nil: nothing), saves it and
// answers 201 for a creation, 200 for a replacement.
func saveDoc[T any](w http.ResponseWriter, r *http.Request, target int64, id func(*T) *int64,
	prepare func(*T), save func(context.Context, T) (T, error)) error {
	var v T
	if err := decode(r, &v, false); err != nil {
		return err
	}
	switch got := *id(&v); {
	case got != 0 && target == 0:
		return sb.Errorf(sb.EINVALID, "id is assigned by the server; leave it out when creating")
	case got != 0 && got != target:
		return sb.Errorf(sb.EINVALID, "id %d in the body does not match the path", got)
	}
	*id(&v) = target
	if prepare != nil {
		prepare(&v)
	}
	out, err := save(r.Context(), v)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if target == 0 {
		status = http.StatusCreated
	}
	writeJSON(w, status, out)
	return nil
}

// crud registers list, get, create (POST) and replace (PUT) routes for a
// directory resource. Everyone may read; only administrators write.
func crud[T any](s *Server, name string, list func() []T, get func(int64) (T, error),
	save func(context.Context, T) (T, error), id func(*T) *int64) {
	base := "/api/v1/" + name
	s.handle("GET "+base, s.authed(func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(list())})
		return nil
	}, anyRole...))
	s.handle("GET "+base+"/{id}", s.authed(func(w http.ResponseWriter, r *http.Request) error {
		n, err := pathID(r, "id")
		if err != nil {
			return err
		}
		v, err := get(n)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}, anyRole...))
	write := func(w http.ResponseWriter, r *http.Request, target int64) error {
		return saveDoc(w, r, target, id, nil, save)
	}
	s.handle("POST "+base, s.authed(func(w http.ResponseWriter, r *http.Request) error {
		return write(w, r, 0)
	}, adminsOnly...))
	s.handle("PUT "+base+"/{id}", s.authed(func(w http.ResponseWriter, r *http.Request) error {
		n, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if _, err := get(n); err != nil {
			return err
		}
		return write(w, r, n)
	}, adminsOnly...))
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Config.Config.Tokens(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(list)})
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name    string `json:"name"`
		Role    string `json:"role"`
		AgentID int64  `json:"agent_id,omitempty"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	for _, err := range []error{
		validate.Text("name", in.Name, 100, true),
		validate.OneOf("role", in.Role, true, sb.RoleAdmin, sb.RoleSupervisor, sb.RoleAgent, sb.RoleIntegration),
	} {
		if err != nil {
			return err
		}
	}
	if in.Role == sb.RoleAgent {
		if _, err := s.Directory.GetAgent(in.AgentID); err != nil {
			return sb.Errorf(sb.EINVALID, "an agent token needs the agent_id of a configured agent")
		}
	} else if in.AgentID != 0 {
		return sb.Errorf(sb.EINVALID, "agent_id is only for agent tokens")
	}
	t, secret, err := CreateToken(r.Context(), s.Config.Config, s.Clock, in.Name, in.Role, in.AgentID, "")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		sb.Token
		// Secret is shown only in this answer.
		Secret string `json:"secret"`
	}{t, secret})
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if id == principalFrom(r.Context()).TokenID {
		return sb.Errorf(sb.ECONFLICT, "a token cannot revoke itself")
	}
	if err := s.Config.Config.RevokeToken(r.Context(), id, s.Clock.Now()); err != nil {
		return err
	}
	s.auth.forget()
	s.live.endTokens(map[int64]bool{id: true})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listOutbox(w http.ResponseWriter, r *http.Request) error {
	state := r.URL.Query().Get("state")
	if err := validate.OneOf("state", state, false, sb.OutboxPending, sb.OutboxDelivered, sb.OutboxParked); err != nil {
		return err
	}
	limit, err := queryLimit(r, 100)
	if err != nil {
		return err
	}
	list, err := s.Events.Outbox(r.Context(), state, int(limit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(list)})
	return nil
}

func (s *Server) getOutbox(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	it, err := s.Events.OutboxItem(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, it)
	return nil
}

func (s *Server) retryOutbox(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	it, err := outbox.Retry(r.Context(), s.Events, s.Clock, id)
	if err != nil {
		return err
	}
	s.PokeDeliveries()
	writeJSON(w, http.StatusOK, it)
	return nil
}

// deletable registers DELETE for a directory resource (administrators only).
func (s *Server) deletable(name string, del func(context.Context, int64) error) {
	s.handle("DELETE /api/v1/"+name+"/{id}", s.authed(func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := del(r.Context(), id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}, adminsOnly...))
}

// deleteQueue deletes a queue in which no session waits and that nothing
// in the configuration names.
func (s *Server) deleteQueue(ctx context.Context, id int64) error {
	for _, st := range []sb.Status{sb.StatusQueued, sb.StatusRequeued} {
		waiting, err := s.Events.Sessions(ctx, sb.SessionFilter{Status: &st, QueueID: id, Limit: 1})
		if err != nil {
			return err
		}
		if len(waiting) > 0 {
			return sb.Errorf(sb.ECONFLICT, "queue %d is in use: session %d waits in it", id, waiting[0].ID)
		}
	}
	return s.Directory.DeleteQueue(ctx, id)
}
