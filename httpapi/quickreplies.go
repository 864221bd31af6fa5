package httpapi

import (
	"context"
	"net/http"
	"strconv"

	sb "github.com/switchboardhq/switchboard"
)

// quickReplyWriters may write quick replies: agents their own personal
// ones, administrators the public ones.
var quickReplyWriters = []string{sb.RoleAgent}

func (s *Server) quickReplyRoutes() {
	s.handle("GET /api/v1/quick-replies", s.authed(s.listQuickReplies, staffRoles...))
	owned(s, "quick-replies", s.Directory.GetQuickReply, s.Directory.SaveQuickReply, s.Directory.DeleteQuickReply,
		func(q *sb.QuickReply) (*int64, *int64) { return &q.ID, &q.AgentID })
	owned(s, "quick-reply-categories", s.Directory.GetQuickReplyCategory, s.Directory.SaveQuickReplyCategory,
		s.Directory.DeleteQuickReplyCategory, func(c *sb.QuickReplyCategory) (*int64, *int64) { return &c.ID, &c.AgentID })
}

// listQuickReplies answers the public categories and replies and the
// caller's personal ones. Administrators may ask for one agent's set with
// ?agent_id= or for every set with ?all=true.
func (s *Server) listQuickReplies(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	agentID, all := p.AgentID, false
	q := r.URL.Query()
	if v := q.Get("all"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return sb.Errorf(sb.EINVALID, "all must be true or false")
		}
		all = b
	}
	if v := q.Get("agent_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return sb.Errorf(sb.EINVALID, "agent_id must be a positive integer")
		}
		agentID = id
	}
	if (all || agentID != p.AgentID) && p.Role != sb.RoleAdmin {
		return sb.Errorf(sb.EFORBIDDEN, "only administrators may see other agents' personal quick replies")
	}
	cats, replies := s.Directory.QuickReplies(agentID, all)
	writeJSON(w, http.StatusOK, map[string]any{"categories": cats, "replies": replies})
	return nil
}

// quickReplyOwner is the set a caller writes to: an agent its personal
// set, an administrator the public one (agent ID 0).
func quickReplyOwner(p Principal) (int64, error) {
	switch p.Role {
	case sb.RoleAdmin:
		return 0, nil
	case sb.RoleAgent:
		if p.AgentID == 0 {
			return 0, sb.Errorf(sb.EFORBIDDEN, "this login acts for no agent")
		}
		return p.AgentID, nil
	}
	return 0, sb.Errorf(sb.EFORBIDDEN, "the %s role may not change quick replies", p.Role)
}

// mayWriteQuickReply checks that a caller may change or delete a record
// of the set owned by owner (0: the public set).
func mayWriteQuickReply(p Principal, owner int64) error {
	mine, err := quickReplyOwner(p)
	if err != nil {
		return err
	}
	switch {
	case owner == mine:
		return nil
	case owner == 0:
		return sb.Errorf(sb.EFORBIDDEN, "public quick replies are managed by administrators")
	case mine == 0:
		return sb.Errorf(sb.EFORBIDDEN, "personal quick replies belong to their agent; administrators manage the public ones")
	}
	return sb.Errorf(sb.EFORBIDDEN, "this belongs to agent %d", owner)
}

// owned registers create (POST), replace (PUT) and DELETE routes for a
// record of a quick-reply set. The set is the caller's: agent_id is forced
// to the caller's agent (administrators: 0, the public set).
func owned[T any](s *Server, name string, get func(int64) (T, error), save func(context.Context, T) (T, error),
	del func(context.Context, int64) error, ids func(*T) (id, agent *int64)) {
	base := "/api/v1/" + name
	ownerOf := func(v T) int64 {
		_, agent := ids(&v)
		return *agent
	}
	write := func(w http.ResponseWriter, r *http.Request, target int64) error {
		p := principalFrom(r.Context())
		owner, err := quickReplyOwner(p)
		if err != nil {
			return err
		}
		if target != 0 {
			old, err := get(target)
			if err != nil {
				return err
			}
			if err := mayWriteQuickReply(p, ownerOf(old)); err != nil {
				return err
			}
		}
		id := func(v *T) *int64 { id, _ := ids(v); return id }
		return saveDoc(w, r, target, id, func(v *T) { _, agent := ids(v); *agent = owner }, save)
	}
	s.handle("POST "+base, s.authed(func(w http.ResponseWriter, r *http.Request) error {
		return write(w, r, 0)
	}, quickReplyWriters...))
	s.handle("PUT "+base+"/{id}", s.authed(func(w http.ResponseWriter, r *http.Request) error {
		n, err := pathID(r, "id")
		if err != nil {
			return err
		}
		return write(w, r, n)
	}, quickReplyWriters...))
	s.handle("DELETE "+base+"/{id}", s.authed(func(w http.ResponseWriter, r *http.Request) error {
		n, err := pathID(r, "id")
		if err != nil {
			return err
		}
		old, err := get(n)
		if err != nil {
			return err
		}
		if err := mayWriteQuickReply(principalFrom(r.Context()), ownerOf(old)); err != nil {
			return err
		}
		if err := del(r.Context(), n); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}, quickReplyWriters...))
}
