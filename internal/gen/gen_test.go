package gen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/sqlite"
)

func generate(t *testing.T, opt Options) (*sqlite.DB, Stats) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := Generate(ctx, db, opt)
	if err != nil {
		t.Fatal(err)
	}
	return db, st
}

// allEvents reads the whole event log in ID order.
func allEvents(t *testing.T, db *sqlite.DB) []sb.Event {
	t.Helper()
	var out []sb.Event
	for after := int64(0); ; {
		evs, err := db.Events(context.Background(), after, 10000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return out
		}
		out = append(out, evs...)
		after = evs[len(evs)-1].ID
	}
}

// fingerprint is the event stream as bytes: everything but the IDs the
// store assigns (which follow from the order anyway).
func fingerprint(t *testing.T, evs []sb.Event) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, e := range evs {
		fmt.Fprintf(&b, "%d %d %s %d %s %s %s\n", e.SessionID, e.Seq, e.Type, e.Version,
			e.Time.Format(time.RFC3339Nano), e.Actor, e.Data)
	}
	return b.Bytes()
}

func TestGenerateIsDeterministic(t *testing.T) {
	opt := Options{Sessions: 300, Days: 2, Seed: 7, BatchEvents: 500}
	db1, st1 := generate(t, opt)
	db2, st2 := generate(t, opt)
	a, b := fingerprint(t, allEvents(t, db1)), fingerprint(t, allEvents(t, db2))
	if !bytes.Equal(a, b) {
		t.Fatalf("two runs with seed 7 differ (%d and %d bytes of events)", len(a), len(b))
	}
	if st1.Events != st2.Events || st1.Sessions != 300 || st2.Sessions != 300 {
		t.Fatalf("stats differ or wrong: %+v and %+v", st1, st2)
	}
	// The batch size changes how events are grouped, never what they are.
	opt.BatchEvents = 7000
	db3, _ := generate(t, opt)
	if !bytes.Equal(sessionLogs(t, db1), sessionLogs(t, db3)) {
		t.Fatal("another batch size gave other session logs")
	}
	opt.BatchEvents, opt.Seed = 500, 8
	db4, _ := generate(t, opt)
	if bytes.Equal(a, fingerprint(t, allEvents(t, db4))) {
		t.Fatal("seeds 7 and 8 gave the same events")
	}
}

// sessionLogs is every session's log, sessions in ID order.
func sessionLogs(t *testing.T, db *sqlite.DB) []byte {
	evs := allEvents(t, db)
	slices.SortStableFunc(evs, func(a, b sb.Event) int {
		if a.SessionID != b.SessionID {
			return int(a.SessionID - b.SessionID)
		}
		return int(a.Seq - b.Seq)
	})
	return fingerprint(t, evs)
}

// TestGeneratedSessionsFold folds every generated session from its log,
// checks it matches the stored projection and the index of the agents who
// handled it, and that the run covers every outcome the reports count —
// judged from the logs, not from the generator's own tally.
func TestGeneratedSessionsFold(t *testing.T) {
	ctx := context.Background()
	opt := Options{Sessions: 500, Days: 2, Seed: 1, BatchEvents: 800}
	db, st := generate(t, opt)
	evs := allEvents(t, db)
	if int64(len(evs)) != st.Events {
		t.Fatalf("the store holds %d events, the run reports %d", len(evs), st.Events)
	}
	bySession := map[int64][]sb.Event{}
	for _, e := range evs {
		bySession[e.SessionID] = append(bySession[e.SessionID], e)
	}
	if len(bySession) != opt.Sessions {
		t.Fatalf("%d sessions have events, want %d", len(bySession), opt.Sessions)
	}
	seen := map[string]int{}
	handledBy := map[int64][]int64{} // agent → sessions
	unserved := map[string]time.Time{}
	for id := int64(1); id <= int64(opt.Sessions); id++ {
		log := bySession[id]
		s, err := lifecycle.Fold(log)
		if err != nil {
			t.Fatalf("session %d does not fold: %v", id, err)
		}
		stored, err := db.Session(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := mustJSON(t, s), mustJSON(t, stored); !bytes.Equal(a, b) {
			t.Fatalf("session %d: the stored projection differs from its log:\n%s\n%s", id, b, a)
		}
		if !s.Status.Terminal() {
			t.Fatalf("session %d is %s after the run; every generated session ends", id, s.Status)
		}
		for i := 1; i < len(log); i++ {
			if log[i].Time.Before(log[i-1].Time) {
				t.Fatalf("session %d: event %d goes back in time", id, log[i].Seq)
			}
		}
		for _, o := range outcomes(s, log) {
			seen[o]++
		}
		key := s.EndUser.CustomerKey()
		if since, ok := unserved[key]; ok && key != "" && s.CreatedAt.After(since) {
			seen[OutcomeQueuedAgain]++
		}
		if len(s.Handles) == 0 {
			unserved[key] = *s.EndedAt
		}
		for _, h := range s.Handles {
			if !slices.Contains(handledBy[h.Agent.ID], id) {
				handledBy[h.Agent.ID] = append(handledBy[h.Agent.ID], id)
			}
		}
	}
	for _, o := range []string{OutcomePickedUp, OutcomeTransferAgent, OutcomeTransferGroup, OutcomeTransferBack,
		OutcomeTransferAbandon, OutcomeTransferDeclined, OutcomeGaveUp, OutcomeQueuedAgain, OutcomeTimeout, OutcomeRequeue, OutcomeInvited,
		OutcomeRated, OutcomeRatedTwice, OutcomeRatedLate} {
		if seen[o] == 0 {
			t.Errorf("no session of outcome %s in %d sessions (seen: %v)", o, opt.Sessions, seen)
		}
	}
	t.Logf("outcomes from the logs: %v", seen)
	// The history filter by handling agent reads an index the commits
	// maintain; merged changes must keep it whole.
	for agentID, want := range handledBy {
		got, err := db.Sessions(ctx, sb.SessionFilter{HandledBy: agentID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		slices.Sort(ids)
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Fatalf("agent %d: the index lists sessions %v, the logs %v", agentID, ids, want)
		}
	}
	if next, ok, err := db.NextTimer(ctx); err != nil || ok {
		t.Fatalf("a timer is pending after the run: %+v %v", next, err)
	}
}

// outcomes says, from a folded session and its log, how it went.
func outcomes(s *sb.Session, log []sb.Event) []string {
	var out []string
	add := func(ok bool, o string) {
		if ok {
			out = append(out, o)
		}
	}
	add(len(s.Handles) > 0, OutcomePickedUp)
	var agents []int64
	for _, h := range s.Handles {
		agents = append(agents, h.Agent.ID)
	}
	for i := 2; i < len(agents); i++ {
		add(agents[i] == agents[i-2] && agents[i] != agents[i-1], OutcomeTransferBack)
	}
	for _, tr := range s.Transfers {
		add(tr.Kind == sb.TransferToAgent && tr.Status == sb.TransferCompleted, OutcomeTransferAgent)
		add(tr.Kind == sb.TransferToQueue && tr.Status == sb.TransferCompleted, OutcomeTransferGroup)
		add(tr.Kind == sb.TransferToQueue && tr.Status == sb.TransferFailed, OutcomeTransferAbandon)
		add(tr.Kind == sb.TransferToAgent && tr.Status == sb.TransferFailed, OutcomeTransferDeclined)
	}
	if n := len(s.QueueWaits); n > 0 && len(s.Handles) == 0 {
		add(s.QueueWaits[n-1].Outcome == sb.WaitAbandoned, OutcomeGaveUp)
		add(s.QueueWaits[n-1].Outcome == sb.WaitTimeout, OutcomeTimeout)
	}
	add(s.RatingInvites > 0, OutcomeInvited)
	add(s.Ratings >= 1, OutcomeRated)
	add(s.Ratings >= 2, OutcomeRatedTwice)
	for _, e := range log {
		add(e.Type == lifecycle.EventRequeued, OutcomeRequeue)
		add(e.Type == lifecycle.EventRated && s.EndedAt != nil && e.Time.Truncate(24*time.Hour).After(*s.EndedAt), OutcomeRatedLate)
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenerateRefusesAUsedStore(t *testing.T) {
	db, _ := generate(t, Options{Sessions: 5, Days: 1, Seed: 1})
	if _, err := Generate(context.Background(), db, Options{Sessions: 5, Days: 1, Seed: 1}); err == nil {
		t.Fatal("a second run into the same store was accepted")
	}
	if _, err := Generate(context.Background(), db, Options{Sessions: 0, Days: 1}); err == nil {
		t.Fatal("zero sessions were accepted")
	}
}
