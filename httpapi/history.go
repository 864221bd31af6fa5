package httpapi

import (
	"net/http"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// historyFilter reads the history search of SPEC §2.5 from a session
// listing's query: from and to (RFC 3339, creation time, to exclusive),
// channel, handled_by (any agent who handled the session), mine (the
// calling agent's), tag_id, q (message text) and ended.
func historyFilter(r *http.Request, p Principal, f *sb.SessionFilter) error {
	q := r.URL.Query()
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(t.name); v != "" {
			at, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return sb.Errorf(sb.EINVALID, "%s must be an RFC 3339 time such as 2026-11-23T09:00:00Z", t.name)
			}
			*t.dst = at
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return sb.Errorf(sb.EINVALID, "from must be before to")
	}
	if v := q.Get("channel"); v != "" {
		if err := validate.OneOf("channel", v, true, channelNames()...); err != nil {
			return err
		}
		f.Channel = sb.Channel(v)
	}
	var err error
	if f.HandledBy, err = queryInt(r, "handled_by", 0, 0); err != nil {
		return err
	}
	if f.TagID, err = queryInt(r, "tag_id", 0, 0); err != nil {
		return err
	}
	switch q.Get("ended") {
	case "", "false":
	case "true":
		f.Ended = true
	default:
		return sb.Errorf(sb.EINVALID, "ended must be true or false")
	}
	switch v := q.Get("mine"); v {
	case "", "false":
	case "true":
		if p.Role != sb.RoleAgent {
			return sb.Errorf(sb.EINVALID, "mine=true is for agents")
		}
		if f.HandledBy != 0 && f.HandledBy != p.AgentID {
			return sb.Errorf(sb.EINVALID, "mine=true and handled_by=%d contradict each other", f.HandledBy)
		}
		f.HandledBy = p.AgentID
	default:
		return sb.Errorf(sb.EINVALID, "mine must be true or false")
	}
	f.Text = q.Get("q")
	return validate.Text("q", f.Text, 200, false)
}

// channelNames lists the channels sessions can come through.
func channelNames() []string {
	seen := map[sb.Channel]bool{}
	var out []string
	for _, t := range sb.SessionTypes() {
		if info, ok := t.Info(); ok && !seen[info.Channel] {
			seen[info.Channel] = true
			out = append(out, string(info.Channel))
		}
	}
	return out
}
