package metadata

import (
	"errors"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// Values CCAI writes when the thing a key describes did not happen.
const (
	VoipProviderDeprecated = "deprecated"
	NoDeflection           = "no_deflection"
	NotVoicemail           = "not_voicemail"
	NoFailure              = "nothing"
	NoFinishReason         = "no_reason"
	DisconnectedByUnknown  = "disconnected_by_unknown"
	EscalationReasonAny    = "unknown"
)

// Answer types (answer_type).
const (
	AnswerHuman   = "human_agent"
	AnswerVirtual = "virtual_agent"
)

// Render returns the CCAI-compatible metadata record of s as indented JSON
// (2 spaces, trailing newline).
// Times are written in loc with millisecond precision and offset
// ("2023-09-11T09:42:01.000+03:00"; UTC gives "Z"); a nil loc means UTC.
// now is used only for durations of a session still in progress.
func Render(s *sb.Session, now time.Time, loc *time.Location) ([]byte, error) {
	rec, err := Build(s, now, loc)
	if err != nil {
		return nil, err
	}
	b, err := encode(rec.body(), "  ")
	if err != nil {
		return nil, fmt.Errorf("encode metadata of session %d: %w", s.ID, err)
	}
	return b, nil
}

// Build returns the metadata record of s: a call record for voice sessions
// and a chat record for chats. Its arguments are those of Render. It fails
// for a nil session and for a session whose type, medium or status is not
// defined.
func Build(s *sb.Session, now time.Time, loc *time.Location) (Record, error) {
	if s == nil {
		return Record{}, errors.New("build metadata: no session")
	}
	info, ok := s.Type.Info()
	if !ok {
		return Record{}, fmt.Errorf("build metadata of session %d: unknown session type %q", s.ID, s.Type)
	}
	if !s.Status.Valid() {
		return Record{}, fmt.Errorf("build metadata of session %d: invalid status %d", s.ID, int(s.Status))
	}
	if loc == nil {
		loc = time.UTC
	}
	horizon := now.UTC().Truncate(time.Millisecond)
	if s.EndedAt != nil {
		horizon = *s.EndedAt
	}
	b := &builder{s: s, c: clock{loc: loc, horizon: horizon}}
	switch s.Medium {
	case sb.MediumVoice:
		b.call = true
		return Record{Call: b.callRecord(info)}, nil
	case sb.MediumChat:
		return Record{Chat: b.chatRecord(info)}, nil
	}
	return Record{}, fmt.Errorf("build metadata of session %d: unknown medium %q", s.ID, s.Medium)
}

// builder renders one session.
type builder struct {
	s    *sb.Session
	c    clock
	call bool // a call record (else a chat record)
}

func (b *builder) callRecord(info sb.TypeInfo) *CallRecord {
	s := b.s
	return &CallRecord{
		ID: s.ID, CallUUID: str(s.UUID), Lang: s.Lang,
		CallType: info.Legacy, SessionType: info.Legacy, SessionTypeV2: info.V2,
		Core:                b.core(),
		CallDuration:        b.connectedDuration(),
		Handling:            b.handling(),
		VoipProvider:        VoipProviderDeprecated,
		RecordingURL:        str(s.RecordingURL),
		RecordingPermission: str(s.RecordingPermission),
		VoicemailReason:     orString(s.VoicemailReason, NotVoicemail),
		Outcome:             b.outcome(),
		SupportNumber:       str(s.SupportNumber),
		OutboundNumber:      str(s.OutboundNumber),
		Routing:             b.routing(),
		Participants:        b.callParticipants(),
		Activity:            b.activity(),
	}
}

func (b *builder) chatRecord(info sb.TypeInfo) *ChatRecord {
	s := b.s
	return &ChatRecord{
		ID: s.ID, ChatUUID: str(s.UUID), Lang: s.Lang,
		ChatType: info.Legacy, SessionType: info.Legacy, SessionTypeV2: info.V2,
		Core:         b.core(),
		ChatDuration: b.connectedDuration(),
		Handling:     b.handling(),
		Outcome:      b.outcome(),
		Routing:      b.routing(),
		Participants: b.chatParticipants(),
		Activity:     b.activity(),

		FirstMsgSentAt: b.c.tsp(s.Messages.FirstAt),
		LastMsgSentAt:  b.c.tsp(s.Messages.LastAt),
		MessageCount:   messageCount(s),
		Transcript:     transcript(s),

		AverageResponseTime: averageResponse(s),
		LongestResponseTime: longestResponse(s),
	}
}

// messageCount counts the chat's messages that were not recalled, less
// the notices sent after the end (closing message, rating receipt); null
// before the first message.
func messageCount(s *sb.Session) *int64 {
	if s.Messages.Count-s.Messages.AfterEnd == 0 {
		return nil
	}
	n := int64(s.Messages.Count - s.Messages.Recalled - s.Messages.AfterEnd)
	return &n
}

// averageResponse is the agents' mean reply time in seconds (the mean of
// the replies' milliseconds, floored); null before the first reply.
func averageResponse(s *sb.Session) *int64 {
	if s.Messages.Replies == 0 {
		return nil
	}
	return ptr(seconds(s.Messages.ReplyMS / int64(s.Messages.Replies)))
}

// longestResponse is the agents' longest reply time in seconds; null
// before the first reply.
func longestResponse(s *sb.Session) *int64 {
	if s.Messages.Replies == 0 {
		return nil
	}
	return ptr(seconds(s.Messages.LongestReplyMS))
}

// transcript says whether the chat has a transcript: its messages, kept in
// the session's log (GET /api/v1/sessions/{id}/messages).
func transcript(s *sb.Session) *bool {
	t := s.Messages.Count-s.Messages.AfterEnd > 0
	return &t
}

func (b *builder) core() Core {
	s, c := b.s, b.c
	var waitMS int64
	for _, w := range s.QueueWaits {
		waitMS += spanMS(w.StartedAt, c.until(w.EndedAt))
	}
	return Core{
		Status:        s.Status.String(),
		SubStatus:     subStatus(s.Status),
		CreatedAt:     c.ts(s.CreatedAt),
		QueuedAt:      c.tsp(s.QueuedAt),
		AssignedAt:    c.tsp(s.AssignedAt),
		ConnectedAt:   c.tsp(s.ConnectedAt),
		EndsAt:        c.tsp(s.EndedAt),
		ScheduledAt:   c.tsp(s.ScheduledAt),
		UpdatedAt:     c.ts(s.UpdatedAt),
		WaitDuration:  seconds(waitMS),
		QueueDuration: seconds(waitMS),
	}
}

// subStatus maps the live statuses onto the three sub-statuses CCAI lists.
func subStatus(st sb.Status) *string {
	switch st {
	case sb.StatusQueued, sb.StatusRequeued:
		return ptr("in_queue")
	case sb.StatusAssigned, sb.StatusConnecting:
		return ptr("waiting_for_agent")
	case sb.StatusConnected, sb.StatusCampaignConnected, sb.StatusSwitching:
		return ptr("connected_with_agent")
	}
	return nil
}

// connectedDuration is the call_duration / chat_duration: from the first
// connection with an agent to the end (or now).
func (b *builder) connectedDuration() int64 {
	if b.s.ConnectedAt == nil {
		return 0
	}
	return secs(*b.s.ConnectedAt, b.c.until(b.s.EndedAt))
}

func (b *builder) holdMS(h sb.Hold) int64 { return spanMS(h.StartedAt, b.c.until(h.EndedAt)) }

func (b *builder) handling() Handling {
	s, c := b.s, b.c
	var h Handling
	if len(s.Holds) > 0 {
		last := len(s.Handles) - 1
		var lastMS, totalMS int64
		for _, hd := range s.Holds {
			ms := b.holdMS(hd)
			totalMS += ms
			if hd.Interaction == last {
				lastMS += ms
			}
		}
		h.HoldDuration, h.TotalHoldDuration = ptr(seconds(lastMS)), ptr(seconds(totalMS))
	}
	if s.AssignedAt != nil {
		end := c.until(s.EndedAt)
		if s.WrapUpAt != nil {
			end = *s.WrapUpAt
		}
		h.HandleDuration = ptr(secs(*s.AssignedAt, end))
	}
	if s.Rating != nil {
		h.Rating = ptr(*s.Rating)
		h.Feedback = str(s.Feedback)
		h.HasFeedback = true
	}
	h.Verified = s.Verified
	h.OutTicketID, h.OutTicketURL = str(s.OutTicketID), str(s.OutTicketURL)
	return h
}

func (b *builder) outcome() Outcome {
	s := b.s
	o := Outcome{
		Deflection:        NoDeflection,
		DeflectionDetails: b.deflectionDetails(),
		FailReason:        orString(s.FailReason, NoFailure),
		FailDetails:       str(s.FailDetails),
	}
	if n := len(s.Deflections); n > 0 {
		o.Deflection = s.Deflections[n-1].Deflection
	}
	ended := s.EndedAt != nil
	switch {
	case s.DisconnectedBy != "":
		o.DisconnectedBy = ptr("disconnected_by_" + s.DisconnectedBy)
	case ended:
		o.DisconnectedBy = ptr(DisconnectedByUnknown)
	}
	switch {
	case s.FinishReason != "":
		o.FinishReason = ptr(s.FinishReason)
	case ended:
		o.FinishReason = ptr(NoFinishReason)
	}
	return o
}

func (b *builder) routing() Routing {
	s := b.s
	r := Routing{
		AnswerType: b.answerType(),
		AgentInfo:  b.agentInfo(),
		EndUser: EndUser{ID: id(s.EndUser.ID), Identifier: str(s.EndUser.Identifier),
			OutContactID: str(s.EndUser.OutContactID)},
	}
	if q := s.Queue; q != nil {
		r.SelectedMenu = &SelectedMenu{ID: q.ID, Name: str(q.Name), ParentID: id(q.ParentID), MenuType: str(q.MenuType)}
		if q.Priority != 0 {
			r.QueuePriority = ptr(int64(q.Priority))
		}
	}
	if n := len(s.MenuPath); n > 0 {
		r.MenuPath = ptr(menuPath(s.MenuPath[n-1]))
	}
	return r
}

// answerType says who answered: the kind of the first handler that was
// connected with the end user (a human on a tie), null when none was.
func (b *builder) answerType() *string {
	var human, va *time.Time
	for _, h := range b.s.Handles {
		if h.ConnectedAt != nil {
			human = h.ConnectedAt
			break
		}
	}
	for _, h := range b.s.VAHandles {
		if h.ConnectedAt != nil {
			va = h.ConnectedAt
			break
		}
	}
	switch {
	case human != nil && (va == nil || !va.Before(*human)):
		return ptr(AnswerHuman)
	case va != nil:
		return ptr(AnswerVirtual)
	}
	return nil
}

// agentInfo is the last handler. Absent when no one handled the session;
// for calls also when both a human and a virtual agent did (reference
// §2.1); chats then carry the last of the two (§3.1).
func (b *builder) agentInfo() *AgentInfo {
	s := b.s
	nh, nv := len(s.Handles), len(s.VAHandles)
	switch {
	case nh == 0 && nv == 0, nh > 0 && nv > 0 && b.call:
		return nil
	case nv == 0:
		return ptr(humanAgent(s.Handles[nh-1].Agent))
	case nh == 0:
		return ptr(virtualAgent(s.VAHandles[nv-1].VirtualAgent))
	case s.VAHandles[nv-1].StartedAt.After(s.Handles[nh-1].AssignedAt):
		return ptr(virtualAgent(s.VAHandles[nv-1].VirtualAgent))
	}
	return ptr(humanAgent(s.Handles[nh-1].Agent))
}

func (b *builder) activity() Activity {
	s := b.s
	a := Activity{
		Transfers:                   b.transfers(),
		Escalations:                 b.escalations(),
		VirtualAgentHandleDurations: b.vaHandleDurations(),
		HandleDurations:             b.handleDurations(),
		QueueDurations:              b.queueDurations(),
		SmartActions:                SmartActions{Verified: s.Verified, TextInputs: []TextInput{}},
		Photos:                      []Photo{},
		Videos:                      []Video{},
		InCallSMS:                   []SMS{},
		WaitTimeSMS:                 []SMS{},
	}
	for _, t := range s.Transfers {
		a.Transferred = a.Transferred || t.Status == sb.TransferCompleted
	}
	if d := s.Disposition; d != nil {
		a.Disposition = &Disposition{Code: d.Code, CustomCodeID: id(d.CustomCodeID), List: str(d.List),
			Note: str(d.Note), AgentID: id(d.AgentID), CreatedAt: b.c.ts(d.At)}
		a.Notes = str(d.Note)
	}
	for _, m := range s.Media {
		if m.Kind == "video" {
			a.Videos = append(a.Videos, Video{ID: m.ID, URL: m.URL})
		} else {
			a.Photos = append(a.Photos, Photo{ID: m.ID, PhotoType: m.Kind, URL: m.URL})
		}
	}
	a.SmartActions.Photos, a.SmartActions.Videos = len(a.Photos) > 0, len(a.Videos) > 0
	for _, t := range s.TextInputs {
		a.SmartActions.TextInputs = append(a.SmartActions.TextInputs,
			TextInput{Label: str(t.Label), Text: t.Text, CreatedAt: b.c.ts(t.At)})
	}
	for _, m := range s.SMS {
		item := SMS{Text: m.Text, SentAt: b.c.ts(m.At)}
		switch m.Kind {
		case "in_call":
			a.InCallSMS = append(a.InCallSMS, item)
		case "wait_time":
			a.WaitTimeSMS = append(a.WaitTimeSMS, item)
		}
	}
	return a
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
