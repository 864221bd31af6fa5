package lifecycle

import (
	"slices"

	sb "github.com/switchboardhq/switchboard"
)

// Transition is one row of the state machine: a command, the statuses it may
// run in, and the statuses it can lead to. An empty To means the command
// leaves the status as it is.
type Transition struct {
	Command string      `json:"command"`
	From    []sb.Status `json:"from,omitempty"`
	To      []sb.Status `json:"to,omitempty"`
	// AnyStatus marks commands allowed in every status, ended ones included.
	AnyStatus bool   `json:"any_status,omitempty"`
	Doc       string `json:"doc"`
}

// Status groups used by the table.
var (
	liveStatuses = func() []sb.Status {
		var out []sb.Status
		for _, s := range sb.Statuses() {
			if !s.Terminal() {
				out = append(out, s)
			}
		}
		return out
	}()
	talking = []sb.Status{sb.StatusConnected, sb.StatusCampaignConnected}
	waiting = []sb.Status{sb.StatusQueued, sb.StatusRequeued}
	// chatting lists the statuses in which chat messages flow.
	chatting = []sb.Status{sb.StatusSelecting, sb.StatusQueued, sb.StatusRequeued, sb.StatusAssigned, sb.StatusConnecting,
		sb.StatusConnected, sb.StatusSwitching, sb.StatusVAAssigned, sb.StatusVAConnected}
)

// Table is the lifecycle state machine (docs/lifecycle.md is generated from it).
var Table = []Transition{
	{Command: "create", To: []sb.Status{sb.StatusScheduled, sb.StatusSelecting, sb.StatusQueued, sb.StatusAssigned,
		sb.StatusPreviewWaiting, sb.StatusPredictiveWaiting, sb.StatusProgressiveWaiting},
		Doc: "A new session: scheduled types start scheduled; inbound ones selecting (menu) or queued when a queue is given; outbound ones assigned to the dialling agent; campaign calls in the waiting status of their dialer mode."},
	{Command: "start", From: []sb.Status{sb.StatusScheduled}, To: []sb.Status{sb.StatusSelecting, sb.StatusQueued},
		Doc: "A scheduled session begins (its timer fired, or it was started by hand)."},
	{Command: "select-menu", From: []sb.Status{sb.StatusSelecting}, To: []sb.Status{sb.StatusSelecting},
		Doc: "The end user chose a menu node; it is added to the menu path."},
	{Command: "enqueue", From: []sb.Status{sb.StatusSelecting, sb.StatusVAAssigned, sb.StatusVAConnected}, To: []sb.Status{sb.StatusQueued},
		Doc: "The session waits in a queue for an agent (from the menu, or escalated by a virtual agent)."},
	{Command: "requeue", From: []sb.Status{sb.StatusAssigned, sb.StatusConnecting, sb.StatusFailed}, To: []sb.Status{sb.StatusRequeued},
		Doc: "An agent-side failure: the session is queued again."},
	{Command: "assign", From: waiting, To: []sb.Status{sb.StatusAssigned},
		Doc: "An agent is assigned (picked up the session). Completes a pending transfer to a queue."},
	{Command: "connecting", From: []sb.Status{sb.StatusAssigned}, To: []sb.Status{sb.StatusConnecting},
		Doc: "The agent is establishing the connection."},
	{Command: "connect", From: []sb.Status{sb.StatusAssigned, sb.StatusConnecting}, To: []sb.Status{sb.StatusConnected},
		Doc: "Agent and end user are connected."},
	{Command: "connect", From: []sb.Status{sb.StatusCampaignConnecting, sb.StatusCampaignDialing}, To: []sb.Status{sb.StatusCampaignConnected},
		Doc: "The campaign call is connected."},
	{Command: "va-assign", From: []sb.Status{sb.StatusSelecting, sb.StatusQueued, sb.StatusRequeued}, To: []sb.Status{sb.StatusVAAssigned},
		Doc: "A virtual agent takes the session."},
	{Command: "va-connect", From: []sb.Status{sb.StatusVAAssigned}, To: []sb.Status{sb.StatusVAConnected},
		Doc: "The virtual agent and the end user are connected."},
	{Command: "preview", From: []sb.Status{sb.StatusPreviewWaiting}, To: []sb.Status{sb.StatusPreviewPending},
		Doc: "Preview campaign: the agent is connected to the dialer to preview the customer's data."},
	{Command: "preview-ready", From: []sb.Status{sb.StatusPreviewPending}, To: []sb.Status{sb.StatusPreviewReady},
		Doc: "Preview data received; ready to proceed."},
	{Command: "campaign-connect", From: []sb.Status{sb.StatusPreviewReady}, To: []sb.Status{sb.StatusCampaignConnecting},
		Doc: "The agent intends to take the campaign call."},
	{Command: "dial", From: []sb.Status{sb.StatusCampaignConnecting, sb.StatusPredictiveWaiting, sb.StatusProgressiveWaiting}, To: []sb.Status{sb.StatusCampaignDialing},
		Doc: "The dialer calls the end user."},
	{Command: "hold", From: talking,
		Doc: "The agent holds the end user (not allowed while already on hold)."},
	{Command: "resume", From: append(slices.Clone(talking), sb.StatusSwitching),
		Doc: "The hold ends (only while on hold)."},
	{Command: "transfer", From: append(slices.Clone(talking), sb.StatusVAConnected), To: []sb.Status{sb.StatusSwitching, sb.StatusQueued, sb.StatusConnected, sb.StatusVAConnected},
		Doc: "Transfer started to an agent, a queue or a virtual agent. Without confirmation a transfer to an agent or virtual agent completes at once; a transfer to a queue waits there and completes when an agent is assigned."},
	{Command: "transfer", From: waiting, To: []sb.Status{sb.StatusQueued},
		Doc: "A waiting session moves to another queue (a supervisor's move, or an overflow by a queue rule, marked overflow)."},
	{Command: "transfer-complete", From: []sb.Status{sb.StatusSwitching}, To: []sb.Status{sb.StatusConnected, sb.StatusVAConnected},
		Doc: "The receiver accepted the pending transfer."},
	{Command: "transfer-fail", From: []sb.Status{sb.StatusSwitching}, To: []sb.Status{sb.StatusConnected, sb.StatusCampaignConnected, sb.StatusVAConnected},
		Doc: "The receiver declined or did not answer: the session stays with the sender."},
	{Command: "add-participant", From: talking,
		Doc: "Adding an agent or a third party started."},
	{Command: "participant-complete", From: append(slices.Clone(talking), sb.StatusSwitching),
		Doc: "The added participant joined."},
	{Command: "participant-fail", From: append(slices.Clone(talking), sb.StatusSwitching),
		Doc: "Adding the participant failed, with a reason."},
	{Command: "participant-leave", From: append(slices.Clone(talking), sb.StatusSwitching),
		Doc: "A participant left; joining again creates a new participant record."},
	{Command: "deflect", From: []sb.Status{sb.StatusSelecting, sb.StatusQueued, sb.StatusRequeued, sb.StatusVAAssigned, sb.StatusVAConnected}, To: []sb.Status{sb.StatusDeflected},
		Doc: "Completed by a deflection (after hours, over capacity …), with a reason."},
	{Command: "voicemail", From: []sb.Status{sb.StatusSelecting, sb.StatusQueued, sb.StatusRequeued}, To: []sb.Status{sb.StatusVoicemail},
		Doc: "The end user is sent to voicemail."},
	{Command: "voicemail-received", From: []sb.Status{sb.StatusVoicemail}, To: []sb.Status{sb.StatusVoicemailReceived},
		Doc: "A voice message was received and recorded."},
	{Command: "fail", From: liveStatuses, To: []sb.Status{sb.StatusFailed},
		Doc: "The session failed, with a reason code."},
	{Command: "recover", From: []sb.Status{sb.StatusFailed}, To: []sb.Status{sb.StatusRecovered},
		Doc: "A failed session was retried and completed."},
	{Command: "end", From: liveStatuses, To: []sb.Status{sb.StatusFinished},
		Doc: "The session ended, disconnected by the agent, the end user or the system. Ending while waiting is an abandon (end user) or a queue timeout (system)."},
	{Command: "wrap-up", From: []sb.Status{sb.StatusFinished},
		Doc: "The last agent applies a disposition code and notes; this ends the handle time."},
	{Command: "rate", From: []sb.Status{sb.StatusConnected, sb.StatusCampaignConnected, sb.StatusVAConnected, sb.StatusFinished},
		Doc: "The end user rates the session (CSAT 1–5) with an optional comment, tags and whether the problem was solved; only the first rating counts, and ratings after the CSAT deadline are refused."},
	{Command: "message", From: chatting,
		Doc: "A chat message (text, at most 5000 characters) from the end user, the agent handling the session, a virtual agent or the system. Chat sessions only."},
	{Command: "recall", From: chatting,
		Doc: "The sender takes back a message within 60 seconds of sending it; it stays in the log, marked recalled."},
	{Command: "invite-rating", From: []sb.Status{sb.StatusConnected, sb.StatusFinished},
		Doc: "The agent (or the system, when the chat ends) invites the visitor to rate the chat; refused once it is rated, after the rating deadline, and for chats the system ended."},
	{Command: "update-profile", AnyStatus: true,
		Doc: "The agent fills in the customer's profile: name, e-mail, phone and custom fields, in any status."},
	{Command: "notice", From: append(slices.Clone(chatting), sb.StatusFinished),
		Doc: "A system message of the chat settings (welcome, company greeting, group greeting, closing, no free agent, rating receipt), also after the end; not an API command."},
	{Command: "record-event", AnyStatus: true,
		Doc: "A data-stream event (SPEC §1.4) in any status, ended sessions included."},
	{Command: "tag", AnyStatus: true,
		Doc: "Session tags are added or removed (by the agent, a supervisor, or a timer that ends the session), in any status, ended sessions included."},
	{Command: "alert", AnyStatus: true,
		Doc: "Raised by routing (a queue rule that notifies administrators); not an API command."},
	{Command: "no-reply", From: chatting,
		Doc: "Raised by a timer when the agent has not answered the visitor in time: an alert record, and a prompt to the visitor; not an API command."},
	{Command: "queue-reminder", From: waiting,
		Doc: "Raised by a timer while a chat waits in a queue: a reminder message; not an API command."},
	{Command: "queue-timeout", From: waiting, To: []sb.Status{sb.StatusFinished, sb.StatusQueued, sb.StatusRequeued},
		Doc: "Raised by the queue timeout: a message to the visitor, and the end of the session unless the setting says keep waiting; not an API command."},
	{Command: "visitor-reminder", From: chatting,
		Doc: "Raised by a timer when the visitor has not answered the agent in time: a reminder message; not an API command."},
}

// Internal reports whether a command is raised by the platform only and
// is not offered as a session command of the API.
func Internal(command string) bool {
	switch command {
	case "alert", "no-reply", "visitor-reminder", "queue-reminder", "queue-timeout", "notice":
		return true
	}
	return false
}

// A command may have several rows when its outcome depends on where it
// starts (connect).
var tableByCommand = func() map[string][]*Transition {
	m := make(map[string][]*Transition, len(Table))
	for i := range Table {
		m[Table[i].Command] = append(m[Table[i].Command], &Table[i])
	}
	return m
}()

// Lookup returns the table rows of a command.
func Lookup(command string) ([]*Transition, bool) {
	t, ok := tableByCommand[command]
	return t, ok
}

// Allowed reports whether command may run on a session in status s.
func Allowed(command string, s sb.Status) bool {
	for _, t := range tableByCommand[command] {
		if t.AnyStatus || slices.Contains(t.From, s) {
			return true
		}
	}
	return false
}

// conflict is the error of a command that the table does not allow in the
// session's current status.
func conflict(command string, s *sb.Session, why string) error {
	e := sb.Errorf(sb.ECONFLICT, "%s is not allowed while the session is %s (%d)", command, s.Status, int(s.Status))
	if why != "" {
		e.Message = command + " is not allowed: " + why
	}
	e.Detail = map[string]any{"status": s.Status.String(), "status_code": int(s.Status)}
	return e
}
