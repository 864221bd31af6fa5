package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
	"github.com/switchboardhq/switchboard/webauth"
)

func (s *Server) userRoutes() {
	s.handle("GET /api/v1/users", s.authed(s.listUsers, adminsOnly...))
	s.handle("POST /api/v1/users", s.authed(s.createUser, adminsOnly...))
	s.handle("GET /api/v1/users/{id}", s.authed(s.getUser, adminsOnly...))
	s.handle("PUT /api/v1/users/{id}", s.authed(s.putUser, adminsOnly...))
	s.handle("DELETE /api/v1/users/{id}", s.authed(s.deleteUser, adminsOnly...))
}

// UserInput is the body of POST and PUT /api/v1/users: a user's fields
// and, write-only, its password (required on create; empty on PUT keeps
// the current one).
type UserInput struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	AgentID  int64  `json:"agent_id,omitempty"`
	Disabled bool   `json:"disabled"`
	Password string `json:"password,omitempty"`
}

// checkUser validates in and returns it normalized.
func (s *Server) checkUser(ctx context.Context, in UserInput, id int64) (UserInput, error) {
	in.Email, in.Name = normalizeEmail(in.Email), strings.TrimSpace(in.Name)
	for _, err := range []error{
		validate.Text("email", in.Email, 254, true),
		validate.Email("email", in.Email),
		validate.Text("name", in.Name, 100, true),
		validate.OneOf("role", in.Role, true, sb.RoleAdmin, sb.RoleSupervisor, sb.RoleAgent),
	} {
		if err != nil {
			return in, err
		}
	}
	if in.Role == sb.RoleAgent {
		if _, err := s.Directory.GetAgent(in.AgentID); err != nil {
			return in, sb.Errorf(sb.EINVALID, "an agent user needs the agent_id of a configured agent")
		}
		list, err := s.Users.Users(ctx)
		if err != nil {
			return in, err
		}
		for _, u := range list {
			if u.ID != id && u.AgentID == in.AgentID {
				return in, sb.Errorf(sb.ECONFLICT, "user %d acts as agent %d already", u.ID, in.AgentID)
			}
		}
	} else if in.AgentID != 0 {
		return in, sb.Errorf(sb.EINVALID, "agent_id is only for agent users")
	}
	if in.Password != "" || id == 0 {
		if err := webauth.CheckPassword(in.Password); err != nil {
			return in, sb.Errorf(sb.EINVALID, "password: %s", err.Error())
		}
	}
	return in, nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.userStore()
	if err != nil {
		return err
	}
	list, err := users.Users(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(list)})
	return nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.userStore(); err != nil {
		return err
	}
	u, err := s.Users.User(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	users, err := s.userStore()
	if err != nil {
		return err
	}
	var in UserInput
	if err := decode(r, &in, false); err != nil {
		return err
	}
	if in, err = s.checkUser(r.Context(), in, 0); err != nil {
		return err
	}
	u := sb.User{Email: in.Email, Name: in.Name, Role: in.Role, AgentID: in.AgentID, Disabled: in.Disabled}
	if u.PasswordHash, err = s.hashPassword(r.Context(), in.Password); err != nil {
		return err
	}
	u.CreatedAt = s.Clock.Now().UTC().Truncate(time.Millisecond)
	u.UpdatedAt = u.CreatedAt
	if err := users.CreateUser(r.Context(), &u); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) putUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	users, err := s.userStore()
	if err != nil {
		return err
	}
	u, err := users.User(r.Context(), id)
	if err != nil {
		return err
	}
	var in UserInput
	if err := decode(r, &in, false); err != nil {
		return err
	}
	if in, err = s.checkUser(r.Context(), in, id); err != nil {
		return err
	}
	revoke := in.Password != "" || in.Disabled || in.Role != u.Role || in.AgentID != u.AgentID
	u.Email, u.Name, u.Role, u.AgentID, u.Disabled = in.Email, in.Name, in.Role, in.AgentID, in.Disabled
	if in.Password != "" {
		if u.PasswordHash, err = s.hashPassword(r.Context(), in.Password); err != nil {
			return err
		}
	}
	now := s.Clock.Now().UTC().Truncate(time.Millisecond)
	u.UpdatedAt = now
	if err := users.UpdateUser(r.Context(), u); err != nil {
		return err
	}
	if revoke {
		// A new password, role or a disabled account ends every login.
		if err := users.RevokeUserLogins(r.Context(), u.ID, 0, now); err != nil {
			return err
		}
		s.endLoginsNow(r.Context(), u.ID)
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	users, err := s.userStore()
	if err != nil {
		return err
	}
	if id == principalFrom(r.Context()).UserID {
		return sb.Errorf(sb.ECONFLICT, "a user cannot delete itself")
	}
	// The store refuses to delete, demote or disable the last enabled
	// administrator, atomically with the change.
	if err := users.DeleteUser(r.Context(), id); err != nil {
		return err
	}
	s.endLoginsNow(r.Context(), id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
