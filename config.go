package switchboard

import (
	"context"
	"time"
)

// Roles a principal can have (DESIGN §6).
const (
	RoleAdmin       = "admin"
	RoleSupervisor  = "supervisor"
	RoleAgent       = "agent"
	RoleIntegration = "integration"
)

// Token is an API credential. Only a hash of its secret is stored.
type Token struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	AgentID   int64      `json:"agent_id,omitempty"`
	Hash      []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Agent is a human agent as configured by administrators.
type Agent struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	FirstName   string    `json:"first_name,omitempty"`
	LastName    string    `json:"last_name,omitempty"`
	Email       string    `json:"email"`
	AgentNumber int64     `json:"agent_number,omitempty"`
	AvatarURL   string    `json:"avatar_url,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Ref returns the snapshot events record for a.
func (a *Agent) Ref() AgentRef {
	return AgentRef{ID: a.ID, Name: a.Name, FirstName: a.FirstName, LastName: a.LastName,
		Email: a.Email, AgentNumber: a.AgentNumber, AvatarURL: a.AvatarURL}
}

// VirtualAgent is a configured virtual agent (bot).
type VirtualAgent struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Alias     string    `json:"va_alias,omitempty"`
	AvatarURL string    `json:"avatar_url,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Ref returns the snapshot events record for v.
func (v *VirtualAgent) Ref() VirtualAgentRef {
	return VirtualAgentRef{ID: v.ID, Name: v.Name, Alias: v.Alias, AvatarURL: v.AvatarURL}
}

// Queue is a node of the menu tree that sessions wait in (a skill group).
type Queue struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	ParentID      int64     `json:"parent_id,omitempty"`
	Priority      int       `json:"priority"`
	MenuType      string    `json:"menu_type,omitempty"`
	SupportNumber string    `json:"support_number,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ConfigStore keeps configuration documents (agents, virtual agents,
// queues) by kind and ID, and API tokens.
type ConfigStore interface {
	PutConfig(ctx context.Context, kind string, id int64, doc []byte) error
	DeleteConfig(ctx context.Context, kind string, id int64) error
	// ConfigDocs returns every document of a kind, by ascending ID.
	ConfigDocs(ctx context.Context, kind string) ([][]byte, error)

	CreateToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	Tokens(ctx context.Context) ([]Token, error)
	RevokeToken(ctx context.Context, id int64, at time.Time) error
}
