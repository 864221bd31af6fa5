package switchboard

import (
	"fmt"
	"strconv"
)

// Status is the lifecycle state of a session. The numeric values are the
// platform codes of SPEC §1.2; JSON carries the name (CCAI emits strings).
type Status int

// Session status codes (SPEC §1.2).
const (
	StatusScheduled          Status = 0
	StatusQueued             Status = 1
	StatusAssigned           Status = 2
	StatusConnecting         Status = 3
	StatusSwitching          Status = 4
	StatusConnected          Status = 5
	StatusFinished           Status = 8
	StatusFailed             Status = 9
	StatusRecovered          Status = 10
	StatusDeflected          Status = 11
	StatusSelecting          Status = 12
	StatusVAAssigned         Status = 13
	StatusVAConnected        Status = 14
	StatusPreviewPending     Status = 15
	StatusPreviewReady       Status = 16
	StatusCampaignConnecting Status = 17
	StatusCampaignConnected  Status = 18
	StatusRequeued           Status = 19
	StatusPredictiveWaiting  Status = 20
	StatusProgressiveWaiting Status = 21
	StatusPreviewWaiting     Status = 22
	StatusCampaignDialing    Status = 23
	StatusVoicemail          Status = 80
	StatusVoicemailReceived  Status = 81
)

var statusNames = map[Status]string{
	StatusScheduled:          "scheduled",
	StatusQueued:             "queued",
	StatusAssigned:           "assigned",
	StatusConnecting:         "connecting",
	StatusSwitching:          "switching",
	StatusConnected:          "connected",
	StatusFinished:           "finished",
	StatusFailed:             "failed",
	StatusRecovered:          "recovered",
	StatusDeflected:          "deflected",
	StatusSelecting:          "selecting",
	StatusVAAssigned:         "va_assigned",
	StatusVAConnected:        "va_connected",
	StatusPreviewPending:     "preview_pending",
	StatusPreviewReady:       "preview_ready",
	StatusCampaignConnecting: "campaign_connecting",
	StatusCampaignConnected:  "campaign_connected",
	StatusRequeued:           "requeued",
	StatusPredictiveWaiting:  "predictive_waiting",
	StatusProgressiveWaiting: "progressive_waiting",
	StatusPreviewWaiting:     "preview_waiting",
	StatusCampaignDialing:    "campaign_dialing",
	StatusVoicemail:          "voicemail",
	StatusVoicemailReceived:  "voicemail_received",
}

var statusByName = func() map[string]Status {
	m := make(map[string]Status, len(statusNames))
	for s, n := range statusNames {
		m[n] = s
	}
	return m
}()

// Statuses returns every defined status in code order.
func Statuses() []Status {
	out := make([]Status, 0, len(statusNames))
	for s := Status(0); s <= StatusVoicemailReceived; s++ {
		if _, ok := statusNames[s]; ok {
			out = append(out, s)
		}
	}
	return out
}

// String returns the status name, e.g. "queued".
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is a defined status code.
func (s Status) Valid() bool { _, ok := statusNames[s]; return ok }

// Terminal reports whether a session in this status has ended: no further
// lifecycle transition is possible except the ones that follow an end
// (wrap-up, rating, recovery of a failure, a received voicemail).
func (s Status) Terminal() bool {
	switch s {
	case StatusFinished, StatusFailed, StatusRecovered, StatusDeflected, StatusVoicemailReceived:
		return true
	}
	return false
}

// ParseStatus accepts a status name ("queued") or its numeric code ("1").
func ParseStatus(v string) (Status, error) {
	if s, ok := statusByName[v]; ok {
		return s, nil
	}
	if n, err := strconv.Atoi(v); err == nil && Status(n).Valid() {
		return Status(n), nil
	}
	return 0, Errorf(EINVALID, "unknown status %q", v)
}

// MarshalText encodes the status as its name.
func (s Status) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("invalid status %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes a status name or code.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// StatusInfo is the JSON shape used where both the code and the name are shown.
type StatusInfo struct {
	Code int    `json:"code"`
	Name string `json:"name"`
}

// Info returns the code and name of s.
func (s Status) Info() StatusInfo { return StatusInfo{Code: int(s), Name: s.String()} }
