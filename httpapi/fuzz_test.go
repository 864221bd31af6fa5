package httpapi_test

import (
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/lifecycle"
)

type fuzzDir struct{}

func (fuzzDir) Agent(id int64) (sb.AgentRef, error) {
	if id != 1 {
		return sb.AgentRef{}, sb.Errorf(sb.ENOTFOUND, "agent %d not found", id)
	}
	return sb.AgentRef{ID: 1, Name: "Noam B"}, nil
}
func (fuzzDir) AgentGroups(int64) ([]int64, error) { return nil, nil }
func (fuzzDir) VirtualAgent(id int64) (sb.VirtualAgentRef, error) {
	return sb.VirtualAgentRef{}, sb.Errorf(sb.ENOTFOUND, "virtual agent %d not found", id)
}
func (fuzzDir) Queue(id int64) (sb.QueueRef, error) {
	if id != 1 {
		return sb.QueueRef{}, sb.Errorf(sb.ENOTFOUND, "queue %d not found", id)
	}
	return sb.QueueRef{ID: 1, Name: "Support", Path: "1"}, nil
}

// FuzzCreateBody decodes arbitrary bodies of POST /api/v1/sessions the way
// the API does: a body is either refused with an invalid/not-found error
// or creates a session whose stored log folds back to it.
func FuzzCreateBody(f *testing.F) {
	for _, seed := range []string{
		`{"type":"chat_web","queue_id":1}`,
		`{"type":"voice_inbound","lang":"fr-CA","end_user":{"phone":"+18005550175","email":"a@b.co"}}`,
		`{"type":"voice_outbound","agent_id":1,"end_user":{"phone":"+12223334444"}}`,
		`{"type":"voice_campaign","campaign_mode":"preview","agent_id":1,"end_user":{"phone":"+12223334444"}}`,
		`{"type":"voice_scheduled_web","scheduled_at":"2030-01-01T00:00:00Z"}`,
		`{"type":"chat_web","scheduled_at":"not a time"}`,
		`{"type":"chat_web"}{}`,
		`{"type":"chat_web","end_user":{"id":-5}}`,
		`{"type":"\u0000"}`,
		`[]`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		cmd := new(lifecycle.Create)
		if err := httpapi.DecodeStrict(body, cmd, false); err != nil {
			if sb.ErrorCode(err) != sb.EINVALID {
				t.Fatalf("decode error %v is not invalid", err)
			}
			return
		}
		res, err := lifecycle.Execute(nil, cmd, lifecycle.Env{Now: now, Actor: sb.SystemActor, Dir: fuzzDir{},
			NewUUID: func() string { return "u" }, SessionID: 1})
		if err != nil {
			if c := sb.ErrorCode(err); c != sb.EINVALID && c != sb.ENOTFOUND {
				t.Fatalf("create error %v is neither invalid nor not_found", err)
			}
			return
		}
		if _, err := lifecycle.Fold(res.Events); err != nil {
			t.Fatalf("the new session's log does not fold: %v", err)
		}
	})
}
