package dispatch

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
)

// servedStore answers ServedCustomer from a fixed history and counts the
// calls.
type servedStore struct {
	sb.EventStore
	served map[string][]sb.Served
	calls  []string
	since  time.Time
	fail   error
}

func (s *servedStore) ServedCustomer(_ context.Context, customer string, since time.Time) ([]sb.Served, error) {
	s.calls = append(s.calls, customer)
	s.since = since
	return s.served[customer], s.fail
}

// A customer's history is read from the store when routing first needs
// it, once, and kept in step with the assignments routing sees after.
func TestFamiliarReadsACustomersHistoryOnce(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	st := &servedStore{served: map[string][]sb.Served{"id:c-7": {{SessionID: 1, AgentID: 4}, {SessionID: 1, AgentID: 9}, {SessionID: 2, AgentID: 5}}}}
	d := &Dispatcher{store: st, clock: clock.NewVirtual(now), log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		history: map[string]*history{}}
	session := func(id int64, who string) *sb.Session {
		return &sb.Session{ID: id, EndUser: sb.EndUser{Identifier: who}}
	}
	if last, most := d.familiar(session(3, "c-7")); last != 5 || most != 4 {
		t.Errorf("familiar: last %d, most %d; want 5 and 4", last, most)
	}
	if !st.since.Equal(now.Add(-HistoryWindow)) {
		t.Errorf("read the history since %v", st.since)
	}
	// Session 3 goes to agent 9: now the most frequent and the last.
	d.remember("id:c-7", 3, 9)
	if last, most := d.familiar(session(4, "c-7")); last != 9 || most != 9 {
		t.Errorf("after the assignment: last %d, most %d; want 9 and 9", last, most)
	}
	// Its own session does not count for itself (a transfer).
	if last, most := d.familiar(session(3, "c-7")); last != 5 || most != 4 {
		t.Errorf("for session 3 itself: last %d, most %d; want 5 and 4", last, most)
	}
	if d.familiar(session(5, "")); len(st.calls) != 1 {
		t.Errorf("store read for %q, want once for id:c-7", st.calls)
	}
	// A customer first seen in an assignment is read before it is added to.
	d.remember("id:c-8", 6, 2)
	if last, most := d.familiar(session(7, "c-8")); last != 2 || most != 2 || len(st.calls) != 2 {
		t.Errorf("c-8: last %d, most %d after reads %q", last, most, st.calls)
	}
}

// When the store cannot answer, the customer is routed without a history
// and read again the next time.
func TestFamiliarRetriesAfterAStoreError(t *testing.T) {
	st := &servedStore{served: map[string][]sb.Served{"id:c-7": {{SessionID: 1, AgentID: 4}}}, fail: errors.New("disk I/O error")}
	d := &Dispatcher{store: st, clock: clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)), log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		history: map[string]*history{}}
	s := &sb.Session{ID: 2, EndUser: sb.EndUser{Identifier: "c-7"}}
	if last, most := d.familiar(s); last != 0 || most != 0 {
		t.Errorf("with the store failing: %d, %d", last, most)
	}
	st.fail = nil
	if last, most := d.familiar(s); last != 4 || most != 4 || len(st.calls) != 2 {
		t.Errorf("once the store answers: %d, %d after %d reads", last, most, len(st.calls))
	}
}
