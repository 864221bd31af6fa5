package httpapi

import (
	"bytes"
	"encoding/json"
	"slices"

	sb "github.com/switchboardhq/switchboard"
)

// WebSocket frame operations.
const (
	opSubscribe    = "subscribe"
	opUnsubscribe  = "unsubscribe"
	opSubscribeAll = "subscribe_all"
	opTyping       = "typing"
	opCommand      = "command"
	opPing         = "ping"
	// opSubscribeWallboard and opUnsubscribeWallboard start and stop the
	// wallboard frames (supervisors and administrators).
	opSubscribeWallboard   = "subscribe_wallboard"
	opUnsubscribeWallboard = "unsubscribe_wallboard"
)

// commandMessage is the command whose result carries the session's seq
// instead of the session.
const commandMessage = "message"

// WSRequest is a frame a WebSocket client sends: a JSON object whose op
// says what it asks for. Ref, on any op, is echoed in the answer.
type WSRequest struct {
	Op        string          `json:"op"`
	Ref       string          `json:"ref,omitempty"`
	SessionID *int64          `json:"session_id,omitempty"`
	AfterSeq  *int64          `json:"after_seq,omitempty"`
	AfterID   *int64          `json:"after_id,omitempty"`
	Typing    *bool           `json:"typing,omitempty"`
	Command   *string         `json:"command,omitempty"`
	Body      json.RawMessage `json:"body,omitempty"`
	IfMatch   *int64          `json:"if_match,omitempty"`
	// IdempotencyKey runs a command once: sent again with the key, it
	// gets the first result (replayed), as Idempotency-Key does on REST.
	IdempotencyKey *string `json:"idempotency_key,omitempty"`
	// TZ, Within and ShortAbandon are subscribe_wallboard's parameters,
	// as the query of GET /api/v1/wallboard.
	TZ           *string `json:"tz,omitempty"`
	Within       *int64  `json:"within,omitempty"`
	ShortAbandon *int64  `json:"short_abandon,omitempty"`
}

// WSMessage is a frame the server sends. Op is subscribed, unsubscribed,
// event, typing, result, error, pong or wallboard.
type WSMessage struct {
	Op        string    `json:"op"`
	Ref       string    `json:"ref,omitempty"`
	SessionID int64     `json:"session_id,omitempty"`
	Event     *sb.Event `json:"event,omitempty"`
	From      string    `json:"from,omitempty"`
	AgentID   int64     `json:"agent_id,omitempty"`
	Typing    *bool     `json:"typing,omitempty"`
	// Session is a command's result: the session after it, except for
	// a message, whose result carries Seq, the session's new version.
	Session any          `json:"session,omitempty"`
	Seq     int64        `json:"seq,omitempty"`
	Events  []sb.Event   `json:"events,omitempty"`
	Error   *errorDetail `json:"error,omitempty"`
	// Replayed marks a command's result as the first answer to its
	// idempotency key: the command did not run again.
	Replayed  bool       `json:"replayed,omitempty"`
	Wallboard *Wallboard `json:"wallboard,omitempty"`
}

// maxRefLen bounds the ref a client may attach to a frame.
const maxRefLen = 64

// frameFields names the fields each op takes besides op and ref; the
// required ones come first, up to the count in frameRequired.
var (
	frameFields = map[string][]string{
		opSubscribe:    {"session_id", "after_seq"},
		opUnsubscribe:  {"session_id"},
		opSubscribeAll: {"after_id"},
		opTyping:       {"session_id", "typing"},
		opCommand:      {"session_id", "command", "body", "if_match", "idempotency_key"},
		opPing:         {},

		opSubscribeWallboard:   {"tz", "within", "short_abandon"},
		opUnsubscribeWallboard: {},
	}
	frameRequired = map[string]int{opSubscribe: 1, opUnsubscribe: 1, opTyping: 2, opCommand: 2}
)

// decodeFrame reads and checks one client frame. On an error the frame's
// ref is returned when it could be read, so that the error can carry it.
func decodeFrame(data []byte) (WSRequest, error) {
	var f WSRequest
	if err := DecodeStrict(data, &f, false); err != nil {
		var probe struct {
			Ref string `json:"ref"`
		}
		if json.Unmarshal(data, &probe) == nil && len(probe.Ref) <= maxRefLen {
			f = WSRequest{Ref: probe.Ref}
		} else {
			f = WSRequest{}
		}
		return f, err
	}
	if len(f.Ref) > maxRefLen {
		f.Ref = ""
		return f, sb.Errorf(sb.EINVALID, "ref is longer than %d bytes", maxRefLen)
	}
	fields, ok := frameFields[f.Op]
	if !ok {
		if f.Op == "" {
			return f, sb.Errorf(sb.EINVALID, "op is required")
		}
		return f, sb.Errorf(sb.EINVALID, "unknown op %q", f.Op)
	}
	present := map[string]bool{
		"session_id":      f.SessionID != nil,
		"after_seq":       f.AfterSeq != nil,
		"after_id":        f.AfterID != nil,
		"typing":          f.Typing != nil,
		"command":         f.Command != nil,
		"body":            f.Body != nil,
		"if_match":        f.IfMatch != nil,
		"idempotency_key": f.IdempotencyKey != nil,

		"tz":            f.TZ != nil,
		"within":        f.Within != nil,
		"short_abandon": f.ShortAbandon != nil,
	}
	for _, name := range []string{"session_id", "after_seq", "after_id", "typing", "command", "body", "if_match", "idempotency_key", "tz", "within", "short_abandon"} {
		if present[name] && !slices.Contains(fields, name) {
			return f, sb.Errorf(sb.EINVALID, "op %s does not take %s", f.Op, name)
		}
	}
	for _, name := range fields[:frameRequired[f.Op]] {
		if !present[name] {
			return f, sb.Errorf(sb.EINVALID, "op %s needs %s", f.Op, name)
		}
	}
	switch {
	case f.SessionID != nil && *f.SessionID <= 0:
		return f, sb.Errorf(sb.EINVALID, "session_id must be a positive integer")
	case f.AfterSeq != nil && *f.AfterSeq < 0:
		return f, sb.Errorf(sb.EINVALID, "after_seq must be a non-negative integer")
	case f.AfterID != nil && *f.AfterID < 0:
		return f, sb.Errorf(sb.EINVALID, "after_id must be a non-negative integer")
	case f.IfMatch != nil && *f.IfMatch < 0:
		return f, sb.Errorf(sb.EINVALID, "if_match must be a non-negative integer")
	case f.Command != nil && *f.Command == "":
		return f, sb.Errorf(sb.EINVALID, "command must not be empty")
	case f.Body != nil && !bytes.HasPrefix(bytes.TrimSpace(f.Body), []byte("{")) && string(bytes.TrimSpace(f.Body)) != "null":
		return f, sb.Errorf(sb.EINVALID, "body must be a JSON object")
	}
	return f, nil
}

// sessionID returns the frame's session_id, zero when absent.
func (f WSRequest) sessionID() int64 {
	if f.SessionID == nil {
		return 0
	}
	return *f.SessionID
}
