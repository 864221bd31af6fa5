package httpapi_test

import (
	"fmt"
	"sync"
	"testing"
)

// A connection's frames are one sequence: every event of a followed session
// committed before a command's answer is written before that answer. A
// client that, as the widget does, applies a result's events and then drops
// any event at or below the last seq it applied would otherwise lose the
// events a result overtook. Here the agent's own commands over the
// WebSocket race visitor messages posted over REST to the same session, so
// they share group commits and reach the connection in both orders.
func TestWSResultNeverOvertakesEarlierEvents(t *testing.T) {
	s := newStack(t)
	connectedChat(s) // seq 1..4
	agent := s.dialWS("agent")
	agent.send(`{"op":"subscribe","session_id":1,"after_seq":4}`)
	agent.expect("subscribed")

	const rounds = 300
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < rounds; i++ {
			if r := s.do("integration", "POST", "/api/v1/sessions/1/message", fmt.Sprintf(`{"from":"end_user","text":"v%d"}`, i)); r.Status != 200 {
				t.Errorf("visitor message %d: %d %s", i, r.Status, r.Body)
				return
			}
		}
	}()

	// The client: apply each event once, in seq order, dropping those at
	// or below the last applied — the widget's rule.
	var applied int64 = 4
	got := map[int64]bool{}
	apply := func(e map[string]any) {
		seq := int64(e["seq"].(float64))
		if seq <= applied {
			return
		}
		applied = seq
		got[seq] = true
	}
	results := 0
	for i := 0; i < rounds; i++ {
		agent.send(fmt.Sprintf(`{"op":"command","ref":"r%d","session_id":1,"command":"message","body":{"text":"a%d"}}`, i, i))
	}
	for results < rounds {
		m := agent.next()
		switch m["op"] {
		case "event":
			apply(m["event"].(map[string]any))
		case "result":
			results++
			for _, e := range m["events"].([]any) {
				apply(e.(map[string]any))
			}
		case "error":
			t.Fatalf("command refused: %v", m)
		}
	}
	wg.Wait()
	final := int64(s.mustDo("supervisor", "GET", "/api/v1/sessions/1", "", 200).json(t)["seq"].(float64))
	if final != 4+2*rounds {
		t.Fatalf("session seq %d, want %d", final, 4+2*rounds)
	}
	for applied < final {
		m := agent.expect("event")
		apply(m["event"].(map[string]any))
	}
	var missing []int64
	for seq := int64(5); seq <= final; seq++ {
		if !got[seq] {
			missing = append(missing, seq)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d of %d events overtaken by a result and dropped, first %v", len(missing), final-4, missing[:min(len(missing), 10)])
	}
}
