package sessionview

import (
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Visitor nickname formats (ChatSettings.VisitorNickname).
const (
	NicknameRegion  = "region"
	NicknameNetwork = "network"
	NicknameDate    = "date"
	NicknameAll     = "all"
)

// DisplayName is the name the desk gives the visitor of s: in a chat an
// agent handles now, the visitor's name when it has one and
// show_visitor_name is on; else the nickname.
func (p Policy) DisplayName(s *sb.Session) string {
	if p.ShowVisitorName && s.EndUser.Name != "" && s.CurrentHandle() != nil {
		return s.EndUser.Name
	}
	return p.Nickname(s)
}

// Nickname is the visitor nickname of s in the format of the settings.
func (p Policy) Nickname(s *sb.Session) string {
	return Nickname(p.VisitorNickname, s.EndUser, s.EndUser.Name, s.ID, s.CreatedAt)
}

// Nickname formats a visitor's nickname (SPEC §4.3): its name, or, with
// none, "Visitor" and the end of its identifier (the session number when
// it has none), after the region and the network and before the day the
// session was created (YYYYMMDD, in UTC as the reports' days), as format
// says: region "Shanghai Baoshan Nini", network "China Mobile Nini", date
// "Nini 20231201", all "Shanghai Baoshan China Mobile Nini 20231201". A
// region or network that is not known is left out.
func Nickname(format string, u sb.EndUser, name string, sessionID int64, created time.Time) string {
	if name == "" {
		name = anonymous(u.Identifier, sessionID)
	}
	var parts []string
	if (format == NicknameRegion || format == NicknameAll) && u.Region != "" {
		parts = append(parts, u.Region)
	}
	if (format == NicknameNetwork || format == NicknameAll) && u.Network != "" {
		parts = append(parts, u.Network)
	}
	parts = append(parts, name)
	if format == NicknameDate || format == NicknameAll {
		parts = append(parts, created.UTC().Format("20060102"))
	}
	return strings.Join(parts, " ")
}

// anonymous names a visitor without a name: "Visitor" and the last six
// characters of its identifier, or the session's number.
func anonymous(identifier string, sessionID int64) string {
	if identifier == "" {
		return "Visitor #" + strconv.FormatInt(sessionID, 10)
	}
	r := []rune(identifier)
	return "Visitor " + string(r[max(0, len(r)-6):])
}

// DurationSince is the time the desk's duration of s counts from, while
// an agent handles it: the agent's pick-up (or transfer in), or, with
// count_from_last_message, the last message either the visitor or an
// agent sent since. Nil when no agent handles s.
func (p Policy) DurationSince(s *sb.Session) *time.Time {
	h := s.CurrentHandle()
	if h == nil {
		return nil
	}
	from := h.AssignedAt
	if p.CountFromLastMessage {
		for _, t := range []*time.Time{s.Messages.LastEndUser, s.Messages.LastAgent} {
			if t != nil && t.After(from) {
				from = *t
			}
		}
	}
	return &from
}
