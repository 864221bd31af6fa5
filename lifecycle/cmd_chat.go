package lifecycle

import (
	"fmt"
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// Chat events beyond messages: rating invitations and customer profiles.
const (
	EventRatingInvited  sb.EventType = "rating_invited"
	EventProfileUpdated sb.EventType = "profile_updated"
)

// RatingInvitedData is the data of rating_invited: an agent (or the
// system, when the chat ends) invited the visitor to rate the chat.
type RatingInvitedData struct {
	// By is agent, supervisor or system.
	By      string `json:"by"`
	AgentID int64  `json:"agent_id,omitempty"`
	// Auto marks the automatic invitation of SPEC §4.4 sent at the end.
	Auto bool `json:"auto,omitempty"`
}

// InviteRating invites the visitor to rate the session (SPEC §2.1 #13).
// Several invitations are recorded; reports count the session once. The
// server sets By and AgentID from the caller, and Deadline from the CSAT
// settings.
type InviteRating struct {
	By      string        `json:"-"`
	AgentID int64         `json:"-"`
	Auto    bool          `json:"-"`
	Window  time.Duration `json:"-"`
}

// Name implements Command.
func (*InviteRating) Name() string { return "invite-rating" }

// Validate implements Command.
func (c *InviteRating) Validate() error {
	return validate.OneOf("by", c.By, false, sb.FromAgent, "supervisor", sb.FromSystem)
}

func (c *InviteRating) decide(s *sb.Session, env *Env) ([]draft, error) {
	switch {
	case s.Medium != sb.MediumChat:
		return nil, conflict("invite-rating", s, "rating invitations are for chat sessions")
	case s.Rating != nil:
		return nil, conflict("invite-rating", s, "the session is rated already")
	case s.DisconnectedBy == BySystem:
		return nil, conflict("invite-rating", s, "sessions the system ended are not rated")
	case len(s.Handles) == 0:
		return nil, conflict("invite-rating", s, "no agent handled the session")
	case ratingClosed(s, env.Now, c.Window):
		return nil, conflict("invite-rating", s, "the rating deadline has passed")
	}
	by := c.By
	if by == "" {
		by = sb.FromSystem
	}
	return []draft{{EventRatingInvited, &RatingInvitedData{By: by, AgentID: c.AgentID, Auto: c.Auto}}}, nil
}

// ratingClosed reports whether a rating window after the end has passed.
func ratingClosed(s *sb.Session, now time.Time, window time.Duration) bool {
	return window > 0 && s.EndedAt != nil && now.Sub(*s.EndedAt) > window
}

// ProfileData is the data of profile_updated: the customer profile fields
// an agent filled in. Absent fields are unchanged; an empty Fields value
// removes that field.
type ProfileData struct {
	Name   *string           `json:"name,omitempty"`
	Email  *string           `json:"email,omitempty"`
	Phone  *string           `json:"phone,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
}

// UpdateProfile changes the customer's profile data (SPEC §2.1 #9).
type UpdateProfile struct {
	// CustomerName is the "name" field (Name is the command's name).
	CustomerName *string           `json:"name,omitempty"`
	Email        *string           `json:"email,omitempty"`
	Phone        *string           `json:"phone,omitempty"`
	Fields       map[string]string `json:"fields,omitempty"`
}

// Name implements Command.
func (*UpdateProfile) Name() string { return "update-profile" }

// MaxProfileFields caps the custom fields of a customer profile.
const MaxProfileFields = 50

// Validate implements Command.
func (c *UpdateProfile) Validate() error {
	if c.CustomerName == nil && c.Email == nil && c.Phone == nil && len(c.Fields) == 0 {
		return sb.Errorf(sb.EINVALID, "give at least one of name, email, phone and fields")
	}
	if c.CustomerName != nil {
		if err := validate.Text("name", *c.CustomerName, 100, false); err != nil {
			return err
		}
	}
	if c.Email != nil && *c.Email != "" {
		if err := validate.Email("email", *c.Email); err != nil {
			return err
		}
	}
	if c.Phone != nil && *c.Phone != "" {
		if err := validate.Phone("phone", *c.Phone); err != nil {
			return err
		}
	}
	if len(c.Fields) > MaxProfileFields {
		return sb.Errorf(sb.EINVALID, "fields: at most %d", MaxProfileFields)
	}
	for k, v := range c.Fields {
		if err := validateCode("fields key", k, true); err != nil {
			return err
		}
		if err := validate.Text(fmt.Sprintf("fields.%s", k), v, 1000, false); err != nil {
			return err
		}
	}
	return nil
}

func (c *UpdateProfile) decide(s *sb.Session, _ *Env) ([]draft, error) {
	d := ProfileData{Name: c.CustomerName, Email: c.Email, Phone: c.Phone, Fields: c.Fields}
	if n := len(s.EndUser.Profile); n > 0 {
		added := 0
		for k, v := range d.Fields {
			if _, ok := s.EndUser.Profile[k]; !ok && v != "" {
				added++
			}
		}
		if n+added > MaxProfileFields {
			return nil, sb.Errorf(sb.EINVALID, "fields: a profile holds at most %d", MaxProfileFields)
		}
	}
	return []draft{{EventProfileUpdated, &d}}, nil
}

func applyProfile(s *sb.Session, d *ProfileData) {
	u := &s.EndUser
	if d.Name != nil {
		u.Name = *d.Name
	}
	if d.Email != nil {
		u.Email = *d.Email
	}
	if d.Phone != nil {
		u.Phone = *d.Phone
	}
	for k, v := range d.Fields {
		if v == "" {
			delete(u.Profile, k)
			continue
		}
		if u.Profile == nil {
			u.Profile = map[string]string{}
		}
		u.Profile[k] = v
	}
	if len(u.Profile) == 0 {
		u.Profile = nil
	}
}

// Notice is a system message the dispatcher sends on its own: the
// welcome, the company greeting, the closing message, the no-free-agent
// notice and the rating receipt (SPEC §4.3, §4.4). Unlike a message it may
// follow the end of the chat. Not an API command.
type Notice struct {
	Purpose  string
	Text     string
	Nickname string
	Actions  []string
}

// Notice purposes.
const (
	PurposeWelcome         = "welcome"
	PurposeCompanyGreeting = "company_greeting"
	PurposeGroupGreeting   = "group_greeting"
	PurposeClosing         = "closing"
	PurposeNoFreeAgent     = "no_free_agent"
	PurposeRatingReceipt   = "rating_receipt"
)

// Name implements Command.
func (*Notice) Name() string { return "notice" }

// Validate implements Command.
func (c *Notice) Validate() error {
	for _, err := range []error{
		validate.OneOf("purpose", c.Purpose, true, PurposeWelcome, PurposeCompanyGreeting, PurposeGroupGreeting,
			PurposeClosing, PurposeNoFreeAgent, PurposeRatingReceipt),
		validate.Text("text", c.Text, MaxMessageLength, true),
		validate.Text("nickname", c.Nickname, 100, false),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *Notice) decide(s *sb.Session, _ *Env) ([]draft, error) {
	if s.Medium != sb.MediumChat {
		return nil, conflict("notice", s, "notices are for chat sessions")
	}
	return []draft{{EventMessageSent, &MessageData{ID: int64(s.Messages.Count + 1), From: sb.FromSystem, Kind: KindText,
		Text: c.Text, Purpose: c.Purpose, Nickname: c.Nickname, Actions: slices.Clone(c.Actions)}}}, nil
}
