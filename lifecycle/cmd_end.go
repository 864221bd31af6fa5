package lifecycle

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// Deflect completes the session by a deflection (CCAI deflection values such
// as after_hours_message_only, over_capacity_message_only).
type Deflect struct {
	Deflection string `json:"deflection"`
	Channel    string `json:"channel,omitempty"`
}

// Name implements Command.
func (*Deflect) Name() string { return "deflect" }

// Validate implements Command.
func (c *Deflect) Validate() error {
	if err := validateCode("deflection", c.Deflection, true); err != nil {
		return err
	}
	return validateCode("channel", c.Channel, false)
}

func (c *Deflect) decide(*sb.Session, *Env) ([]draft, error) {
	return []draft{{EventDeflected, &DeflectedData{Status: sb.StatusDeflected, Deflection: c.Deflection, Channel: c.Channel}}}, nil
}

// Voicemail sends the end user to voicemail.
type Voicemail struct {
	Reason string `json:"reason,omitempty"`
}

// Name implements Command.
func (*Voicemail) Name() string { return "voicemail" }

// Validate implements Command.
func (c *Voicemail) Validate() error { return validateCode("reason", c.Reason, false) }

func (c *Voicemail) decide(*sb.Session, *Env) ([]draft, error) {
	return []draft{{EventVoicemailStarted, &VoicemailData{Status: sb.StatusVoicemail, Reason: c.Reason}}}, nil
}

// VoicemailReceived records the voice message.
type VoicemailReceived struct {
	RecordingURL string `json:"recording_url,omitempty"`
	Duration     int64  `json:"duration,omitempty"`
}

// Name implements Command.
func (*VoicemailReceived) Name() string { return "voicemail-received" }

// Validate implements Command.
func (c *VoicemailReceived) Validate() error {
	if err := validate.URL("recording_url", c.RecordingURL, "http", "https", "gs", "s3"); err != nil {
		return err
	}
	return validate.Range("duration", c.Duration, 0, 24*3600)
}

func (c *VoicemailReceived) decide(*sb.Session, *Env) ([]draft, error) {
	return []draft{{EventVoicemailReceived, &VoicemailData{Status: sb.StatusVoicemailReceived, RecordingURL: c.RecordingURL, Duration: c.Duration}}}, nil
}

// Fail marks the session failed with a reason code.
type Fail struct {
	Reason  string `json:"reason"`
	Details string `json:"details,omitempty"`
}

// Name implements Command.
func (*Fail) Name() string { return "fail" }

// Validate implements Command.
func (c *Fail) Validate() error {
	if err := validateCode("reason", c.Reason, true); err != nil {
		return err
	}
	return validate.Text("details", c.Details, 2000, false)
}

func (c *Fail) decide(*sb.Session, *Env) ([]draft, error) {
	return []draft{{EventFailed, &FailedData{Status: sb.StatusFailed, Reason: c.Reason, Details: c.Details}}}, nil
}

// End ends the session.
type End struct {
	DisconnectedBy string `json:"disconnected_by"`
	Reason         string `json:"reason,omitempty"`
}

// Name implements Command.
func (*End) Name() string { return "end" }

// Validate implements Command.
func (c *End) Validate() error {
	if err := validate.OneOf("disconnected_by", c.DisconnectedBy, true, ByAgent, ByEndUser, BySystem); err != nil {
		return err
	}
	return validateCode("reason", c.Reason, false)
}

func (c *End) decide(s *sb.Session, _ *Env) ([]draft, error) {
	ended := &EndedData{Status: sb.StatusFinished, DisconnectedBy: c.DisconnectedBy, Reason: c.Reason}
	if s.CurrentWait() != nil {
		switch c.DisconnectedBy {
		case ByEndUser:
			ended.Outcome = sb.WaitAbandoned
		case BySystem:
			ended.Outcome = sb.WaitTimeout
		default:
			ended.Outcome = sb.WaitEnded
		}
	}
	var out []draft
	if t := s.PendingTransfer(); t != nil {
		reason := "ended"
		if t.Kind == sb.TransferToQueue && ended.Outcome != sb.WaitEnded {
			reason = ended.Outcome
		}
		out = append(out, draft{EventTransferFailed, &TransferEndData{Status: s.Status, TransferID: t.ID, Reason: reason}})
	}
	return append(out, draft{EventEnded, ended}), nil
}

// WrapUp applies the disposition code and notes.
type WrapUp struct {
	Code         string `json:"code"`
	CustomCodeID int64  `json:"custom_code_id,omitempty"`
	List         string `json:"list,omitempty"`
	Note         string `json:"note,omitempty"`
}

// Name implements Command.
func (*WrapUp) Name() string { return "wrap-up" }

// Validate implements Command.
func (c *WrapUp) Validate() error {
	for _, err := range []error{
		validate.Text("code", c.Code, 100, true),
		validate.Range("custom_code_id", c.CustomCodeID, 0, 1<<53),
		validate.Text("list", c.List, 100, false),
		validate.Text("note", c.Note, 5000, false),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *WrapUp) decide(s *sb.Session, env *Env) ([]draft, error) {
	if len(s.Handles) == 0 {
		return nil, conflict("wrap-up", s, "no agent handled the session")
	}
	if s.WrapUpAt != nil {
		return nil, conflict("wrap-up", s, "the session is wrapped up already")
	}
	d := sb.Disposition{Code: c.Code, CustomCodeID: c.CustomCodeID, List: c.List, Note: c.Note,
		AgentID: s.Handles[len(s.Handles)-1].Agent.ID, At: env.Now}
	return []draft{{EventWrappedUp, &WrappedUpData{Disposition: d}}}, nil
}

// Rate records the end user's CSAT rating.
type Rate struct {
	Rating  int    `json:"rating"`
	Comment string `json:"comment,omitempty"`
	// Tags are the score's tags the visitor picked (SPEC §4.4).
	Tags []string `json:"tags,omitempty"`
	// Solved answers "was your problem solved?", when asked.
	Solved *bool `json:"solved,omitempty"`
	// Window and Attribution are set by the server from the CSAT
	// settings: how long after the end a rating is accepted (0: always),
	// and whether it counts for every agent of the session or the last.
	Window      time.Duration `json:"-"`
	Attribution string        `json:"-"`
	// Scores are the score options of the CSAT settings, set by the
	// server: every tag of a rating must be one its score offers.
	Scores []sb.ScoreOption `json:"-"`
}

// Name implements Command.
func (*Rate) Name() string { return "rate" }

// Validate implements Command.
func (c *Rate) Validate() error {
	if err := validate.Range("rating", int64(c.Rating), 1, 5); err != nil {
		return err
	}
	if len(c.Tags) > 20 {
		return sb.Errorf(sb.EINVALID, "tags: at most 20")
	}
	for i, t := range c.Tags {
		if err := validate.Text(fmt.Sprintf("tags[%d]", i), t, 50, true); err != nil {
			return err
		}
	}
	if err := scoreTags(c.Scores, c.Rating, c.Tags); err != nil {
		return err
	}
	return validate.Text("comment", c.Comment, 2000, false)
}

// scoreTags refuses a rating tag that the score options do not offer for
// the rating's score (SPEC §4.4: tags per star), naming the tag, the star
// and the tags that star offers.
func scoreTags(scores []sb.ScoreOption, stars int, tags []string) error {
	var own []string
	for _, o := range scores {
		if o.Stars == stars {
			own = o.Tags
		}
	}
	offered := fmt.Sprintf("a %d-star rating offers no tags", stars)
	if len(own) > 0 {
		offered = fmt.Sprintf("the %d-star tags are %s", stars, quoteAll(own))
	}
	for _, t := range tags {
		if slices.Contains(own, t) {
			continue
		}
		var others []string
		for _, o := range scores {
			if o.Stars != stars && slices.Contains(o.Tags, t) {
				others = append(others, strconv.Itoa(o.Stars))
			}
		}
		if len(others) == 0 {
			return sb.Errorf(sb.EINVALID, "tags: %q is not a tag of any score in the satisfaction settings; %s", t, offered)
		}
		return sb.Errorf(sb.EINVALID, "tags: %q is a tag of %s-star ratings, not of a %d-star rating; %s",
			t, strings.Join(others, ", "), stars, offered)
	}
	return nil
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func (c *Rate) decide(s *sb.Session, env *Env) ([]draft, error) {
	if ratingClosed(s, env.Now, c.Window) {
		return nil, conflict("rate", s, "the rating deadline has passed")
	}
	d := &RatedData{Rating: c.Rating, Comment: c.Comment, Tags: c.Tags, Solved: c.Solved, Counted: s.Rating == nil}
	if d.Counted {
		d.AgentIDs = ratedAgents(s, c.Attribution)
	}
	return []draft{{EventRated, d}}, nil
}

// ratedAgents lists the agents a rating counts for: every agent who
// handled the session, in order, or only the last one.
func ratedAgents(s *sb.Session, attribution string) []int64 {
	var ids []int64
	for _, h := range s.Handles {
		if !slices.Contains(ids, h.Agent.ID) {
			ids = append(ids, h.Agent.ID)
		}
	}
	if attribution == sb.RatingLastAgent && len(s.Handles) > 0 {
		return []int64{s.Handles[len(s.Handles)-1].Agent.ID}
	}
	return ids
}

// validateCode checks a snake_case reason or code such as after_hours_message_only.
func validateCode(field, s string, required bool) error {
	if err := validate.Text(field, s, 100, required); err != nil {
		return err
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return sb.Errorf(sb.EINVALID, "%s must be a lower-case code like no_answer", field)
		}
	}
	return nil
}

// Alert records that a queue rule notified administrators about this
// session's arrival. Routing raises it; it is not an API command.
type Alert struct {
	Data AlertData
}

// Name implements Command.
func (*Alert) Name() string { return "alert" }

// Validate implements Command.
func (*Alert) Validate() error { return nil }

func (c *Alert) decide(*sb.Session, *Env) ([]draft, error) {
	d := c.Data
	return []draft{{EventQueueAlert, &d}}, nil
}
