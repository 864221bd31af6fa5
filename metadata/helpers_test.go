package metadata

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current output")

// t0 is the start of every scenario: Monday 2026-11-23 09:00:00 UTC.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// plus3 is the location of the CCAI example timestamps (…+03:00).
var plus3 = time.FixedZone("UTC+3", 3*3600)

// dir is a small in-memory lifecycle.Directory.
type dir struct{}

var (
	agents = map[int64]sb.AgentRef{
		1: {ID: 1, Name: "Noam B", FirstName: "Noam", LastName: "Bar", Email: "noam@example.com", AgentNumber: 1001, AvatarURL: "https://cdn.example.com/agents/1.png"},
		2: {ID: 2, Name: "Ana G", FirstName: "Ana", LastName: "García", Email: "ana@example.com", AgentNumber: 1002},
		3: {ID: 3, Name: "Li W", FirstName: "Li", LastName: "Wei", Email: "li@example.com", AgentNumber: 1003},
	}
	virtualAgents = map[int64]sb.VirtualAgentRef{
		1: {ID: 1, Name: "Orders bot", Alias: "Olly", AvatarURL: "https://cdn.example.com/bots/1.png"},
	}
	queues = map[int64]sb.QueueRef{
		10: {ID: 10, Name: "Support", Path: "10", MenuType: "ivr_menu", Priority: 3, SupportNumber: "+12223334444"},
		11: {ID: 11, Name: "Orders", ParentID: 10, Path: "10/11", MenuType: "ivr_menu", Priority: 3},
		12: {ID: 12, Name: "Returns", ParentID: 11, Path: "10/11/12", MenuType: "ivr_menu", Priority: 4, SupportNumber: "+12223334444"},
		20: {ID: 20, Name: "Web sales", Path: "20", MenuType: "web_menu", Priority: 5},
		21: {ID: 21, Name: "After hours", ParentID: 20, Path: "20/21", MenuType: "web_menu", Priority: 8},
	}
)

func (dir) Agent(id int64) (sb.AgentRef, error) {
	if a, ok := agents[id]; ok {
		return a, nil
	}
	return sb.AgentRef{}, sb.Errorf(sb.ENOTFOUND, "agent %d not found", id)
}

func (dir) AgentGroups(int64) ([]int64, error) { return nil, nil }

func (dir) VirtualAgent(id int64) (sb.VirtualAgentRef, error) {
	if v, ok := virtualAgents[id]; ok {
		return v, nil
	}
	return sb.VirtualAgentRef{}, sb.Errorf(sb.ENOTFOUND, "virtual agent %d not found", id)
}

func (dir) Queue(id int64) (sb.QueueRef, error) {
	if q, ok := queues[id]; ok {
		return q, nil
	}
	return sb.QueueRef{}, sb.Errorf(sb.ENOTFOUND, "queue %d not found", id)
}

// runner drives one session through real lifecycle commands on a clock it
// advances by hand.
type runner struct {
	t      *testing.T
	id     int64
	s      *sb.Session
	events []sb.Event
	now    time.Time
}

func newRunner(t *testing.T, id int64) *runner { return &runner{t: t, id: id, now: t0} }

// after advances the clock by d and runs cmds at that time, failing the
// test on any refusal.
func (r *runner) after(d time.Duration, cmds ...lifecycle.Command) *runner {
	r.t.Helper()
	r.now = r.now.Add(d)
	for _, c := range cmds {
		env := lifecycle.Env{Now: r.now, Actor: sb.Actor{Kind: sb.ActorIntegration, ID: "test"}, Dir: dir{},
			NewUUID: func() string { return "5f0c7a52-3d1e-4b8a-9c61-2a7d40e1b9f3" }, SessionID: r.id}
		res, err := lifecycle.Execute(r.s, c, env)
		if err != nil {
			status := "(none)"
			if r.s != nil {
				status = r.s.Status.String()
			}
			r.t.Fatalf("%s in %s at %s: %v", c.Name(), status, r.now.Format(TimeLayout), err)
		}
		r.s = res.Session
		r.events = append(r.events, res.Events...)
	}
	return r
}

// at runs cmds at the given UTC clock time of t0's day ("09:00:09.500"),
// which must not be earlier than the runner's clock.
func (r *runner) at(clock string, cmds ...lifecycle.Command) *runner {
	r.t.Helper()
	when := clockAt(r.t, clock)
	if when.Before(r.now) {
		r.t.Fatalf("clock %s is before %s", clock, r.now.Format(TimeLayout))
	}
	return r.after(when.Sub(r.now), cmds...)
}

// clockAt returns the UTC time of t0's day given as "09:25:00".
func clockAt(t *testing.T, clock string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly+" 15:04:05.999", t0.Format(time.DateOnly)+" "+clock)
	if err != nil {
		t.Fatalf("bad clock %q: %v", clock, err)
	}
	return d
}

func status(name string) lifecycle.Command {
	c, ok := lifecycle.NewStatusCommand(name)
	if !ok {
		panic(name)
	}
	return c
}

func participant(name string, id int64, reason string) lifecycle.Command {
	c, ok := lifecycle.NewParticipantChange(name)
	if !ok {
		panic(name)
	}
	c.ParticipantID, c.Reason = id, reason
	return c
}

// stream is a data-stream event with its JSON data.
func stream(typ, data string) lifecycle.Command {
	return &lifecycle.RecordEvent{Type: sb.EventType(typ), Data: json.RawMessage(data)}
}

// render renders the session, checks that the output is stable and that
// the session folded from the stored log renders the same, and compares it
// with testdata/<name>.json.
func (r *runner) render(name string, now time.Time, loc *time.Location) ([]byte, Record) {
	r.t.Helper()
	got, err := Render(r.s, now, loc)
	if err != nil {
		r.t.Fatalf("render: %v", err)
	}
	again, _ := Render(r.s, now, loc)
	if !bytes.Equal(got, again) {
		r.t.Errorf("two renders of the same session differ")
	}
	raw, err := json.Marshal(r.events)
	if err != nil {
		r.t.Fatal(err)
	}
	var stored []sb.Event
	if err := json.Unmarshal(raw, &stored); err != nil {
		r.t.Fatal(err)
	}
	folded, err := lifecycle.Fold(stored)
	if err != nil {
		r.t.Fatalf("fold: %v", err)
	}
	if fromLog, _ := Render(folded, now, loc); !bytes.Equal(got, fromLog) {
		r.t.Errorf("the session folded from its log renders differently")
	}
	checkGolden(r.t, name, got)
	rec, err := Build(r.s, now, loc)
	if err != nil {
		r.t.Fatalf("build: %v", err)
	}
	var enc bytes.Buffer
	e := json.NewEncoder(&enc)
	e.SetEscapeHTML(false)
	if err := e.Encode(rec); err != nil {
		r.t.Fatalf("marshal record: %v", err)
	}
	compact := bytes.TrimSuffix(enc.Bytes(), []byte("\n"))
	var want bytes.Buffer
	if err := json.Compact(&want, got); err != nil {
		r.t.Fatal(err)
	}
	if !bytes.Equal(compact, want.Bytes()) {
		r.t.Errorf("encoding the Record differs from Render")
	}
	return got, rec
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./metadata -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test ./metadata -update after checking):\n%s", path, firstDiff(want, got))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + a + "\n  got: " + b
		}
	}
	return "(no line differs)"
}

// topKeys decodes the top-level object of a rendered record.
func topKeys(t *testing.T, doc []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("rendered record is not a JSON object: %v", err)
	}
	return m
}

// eq fails the test when got != want.
func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// val dereferences a nullable value, failing the test on null.
func val[T any](t *testing.T, what string, p *T) T {
	t.Helper()
	if p == nil {
		t.Fatalf("%s is null", what)
		var zero T
		return zero
	}
	return *p
}
