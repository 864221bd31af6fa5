package httpapi

import (
	"context"
	"net/http"

	sb "github.com/switchboardhq/switchboard"
)

// errNoRouting answers a read of routing on a server without it.
var errNoRouting = sb.Errorf(sb.EUNAVAILABLE, "routing is not running")

// saveAgent saves an agent through routing, when it runs.
func (s *Server) saveAgent(ctx context.Context, a sb.Agent) (sb.Agent, error) {
	if s.Routing != nil {
		return s.Routing.SaveAgent(ctx, a)
	}
	return s.Directory.SaveAgent(ctx, a)
}

// setAgentStatus changes an agent's status: the agent itself, a supervisor
// or an administrator may. An agent coming online picks up waiting sessions.
func (s *Server) setAgentStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	if p.Role == sb.RoleAgent && p.AgentID != id {
		return sb.Errorf(sb.EFORBIDDEN, "an agent may change only its own status")
	}
	var in struct {
		Status sb.AgentStatus `json:"status"`
	}
	if err := decode(r, &in, false); err != nil {
		return err
	}
	var a sb.Agent
	if s.Routing != nil {
		a, err = s.Routing.SetAgentStatus(r.Context(), id, in.Status)
	} else {
		a, err = s.Directory.SetAgentStatus(r.Context(), id, in.Status)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// queuePosition answers where a waiting session stands in its queue.
func (s *Server) queuePosition(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.listedSession(r)
	if err != nil {
		return err
	}
	if s.Routing == nil {
		return errNoRouting
	}
	pos, err := s.Routing.QueuePosition(r.Context(), sess.ID, 0)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pos)
	return nil
}

func (s *Server) getRoutingSettings(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.Directory.RoutingSettings())
	return nil
}

// putRoutingSettings replaces the routing settings; routing applies them at
// once (an agent allowed to work by them picks up waiting sessions).
func (s *Server) putRoutingSettings(w http.ResponseWriter, r *http.Request) error {
	var in sb.RoutingSettings
	if err := decode(r, &in, false); err != nil {
		return err
	}
	save := s.Directory.SaveRoutingSettings
	if s.Routing != nil {
		save = s.Routing.SaveRoutingSettings
	}
	out, err := save(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// queueMembers answers a queue's members with their status and load, and
// how many sessions wait in it.
func (s *Server) queueMembers(w http.ResponseWriter, r *http.Request) error {
	st, err := s.queueState(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// queueState reads the state of the queue named by the path from routing.
func (s *Server) queueState(r *http.Request) (QueueState, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return QueueState{}, err
	}
	if _, err := s.Directory.GetQueue(id); err != nil {
		return QueueState{}, err
	}
	if s.Routing == nil {
		return QueueState{}, sb.Errorf(sb.EUNAVAILABLE, "routing is not running")
	}
	return s.Routing.QueueState(r.Context(), id)
}

// queueAvailability answers what a visitor may see of a queue. It is built
// from the queue state, with invisible agents counted as offline.
func (s *Server) queueAvailability(w http.ResponseWriter, r *http.Request) error {
	st, err := s.queueState(r)
	if err != nil {
		return err
	}
	a := Availability{QueueID: st.QueueID, Open: s.Directory.QueueOpen(st.QueueID, s.Clock.Now()), Waiting: st.Waiting,
		EstimatedWaitSeconds: st.NextWaitSeconds}
	for _, m := range st.Members {
		if m.Status == sb.AgentOnline { // invisible agents look offline to visitors
			a.AgentsOnline++
		}
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
