package directory_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/sqlite"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type env struct {
	t     *testing.T
	ctx   context.Context
	db    *sqlite.DB
	clock *clock.Virtual
	dir   *directory.Directory
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, ctx: ctx, db: db, clock: clock.NewVirtual(t0)}
	e.dir = e.reopen()
	return e
}

func (e *env) reopen() *directory.Directory {
	e.t.Helper()
	d, err := directory.Open(e.ctx, e.db, e.clock)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) queue(q sb.Queue) sb.Queue {
	e.t.Helper()
	saved, err := e.dir.SaveQueue(e.ctx, q)
	if err != nil {
		e.t.Fatalf("SaveQueue(%+v): %v", q, err)
	}
	return saved
}

func (e *env) agent(a sb.Agent) sb.Agent {
	e.t.Helper()
	saved, err := e.dir.SaveAgent(e.ctx, a)
	if err != nil {
		e.t.Fatalf("SaveAgent(%+v): %v", a, err)
	}
	return saved
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestQueueIDsAndPaths(t *testing.T) {
	e := newEnv(t)
	q1 := e.queue(sb.Queue{Name: "Sales"})
	q2 := e.queue(sb.Queue{Name: "Sales EN", ParentID: q1.ID})
	q3 := e.queue(sb.Queue{Name: "Sales EN Billing", ParentID: q2.ID, MenuType: "billing", SupportNumber: "+18005550175", Priority: 3})
	q4 := e.queue(sb.Queue{Name: "Support"})
	if q1.ID != 1 || q2.ID != 2 || q3.ID != 3 || q4.ID != 4 {
		t.Fatalf("IDs %d %d %d %d, want 1 2 3 4", q1.ID, q2.ID, q3.ID, q4.ID)
	}
	if !q1.CreatedAt.Equal(t0) || !q1.UpdatedAt.Equal(t0) {
		t.Errorf("q1 created %v updated %v, want %v", q1.CreatedAt, q1.UpdatedAt, t0)
	}
	for id, want := range map[int64]sb.QueueRef{
		1: {ID: 1, Name: "Sales", Path: "1", Priority: 1},
		2: {ID: 2, Name: "Sales EN", ParentID: 1, Path: "1/2", Priority: 1},
		3: {ID: 3, Name: "Sales EN Billing", ParentID: 2, Path: "1/2/3", MenuType: "billing", Priority: 3, SupportNumber: "+18005550175"},
		4: {ID: 4, Name: "Support", Path: "4", Priority: 1},
	} {
		got, err := e.dir.Queue(id)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("Queue(%d) = %+v, want %+v", id, got, want)
		}
	}
	// Moving a queue moves the paths of the queues below it.
	q2.ParentID = q4.ID
	e.queue(q2)
	if got, _ := e.dir.Queue(3); got.Path != "4/2/3" {
		t.Errorf("after moving 2 under 4, Queue(3).Path = %q, want 4/2/3", got.Path)
	}
	if qs := e.dir.Queues(); len(qs) != 4 || qs[0].ID != 1 || qs[3].ID != 4 {
		t.Errorf("Queues() = %+v", qs)
	}
}

func TestQueueParentMustExist(t *testing.T) {
	e := newEnv(t)
	e.queue(sb.Queue{Name: "Root"})
	if _, err := e.dir.SaveQueue(e.ctx, sb.Queue{Name: "Orphan", ParentID: 99}); sb.ErrorCode(err) != sb.EINVALID {
		t.Fatalf("unknown parent: %v, want invalid", err)
	}
	if _, err := e.dir.SaveQueue(e.ctx, sb.Queue{Name: "Negative", ParentID: -1}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("negative parent: %v, want invalid", err)
	}
	if qs := e.dir.Queues(); len(qs) != 1 {
		t.Errorf("refused queues were kept: %+v", qs)
	}
	if docs, _ := e.db.ConfigDocs(e.ctx, directory.KindQueue); len(docs) != 1 {
		t.Errorf("refused queues were stored: %q", docs)
	}
	if q := e.queue(sb.Queue{Name: "Next"}); q.ID != 2 {
		t.Errorf("a refused save used up an ID: next is %d, want 2", q.ID)
	}
}

func TestQueueCycleIsRefused(t *testing.T) {
	e := newEnv(t)
	q1 := e.queue(sb.Queue{Name: "One"})
	e.queue(sb.Queue{Name: "Two", ParentID: q1.ID})
	e.queue(sb.Queue{Name: "Three", ParentID: 2})

	for _, parent := range []int64{2, 3, 1} { // child, grandchild, itself
		bad := q1
		bad.ParentID = parent
		if _, err := e.dir.SaveQueue(e.ctx, bad); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("setting 1's parent to %d: %v, want invalid", parent, err)
		}
	}
	got, err := e.dir.GetQueue(1)
	if err != nil || got.ParentID != 0 {
		t.Errorf("queue 1 after refused cycles: %+v %v", got, err)
	}
	if ref, _ := e.dir.Queue(3); ref.Path != "1/2/3" {
		t.Errorf("Queue(3).Path = %q, want 1/2/3", ref.Path)
	}
	// Reopened from the store, nothing of the refused changes is there.
	if ref, _ := e.reopen().Queue(3); ref.Path != "1/2/3" {
		t.Errorf("reopened Queue(3).Path = %q, want 1/2/3", ref.Path)
	}
}

func TestQueueNamesAreUnique(t *testing.T) {
	e := newEnv(t)
	q1 := e.queue(sb.Queue{Name: "Support"})
	if _, err := e.dir.SaveQueue(e.ctx, sb.Queue{Name: "Support"}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Fatalf("duplicate name: %v, want conflict", err)
	}
	q2 := e.queue(sb.Queue{Name: "Sales"})
	renamed := q2
	renamed.Name = "Support"
	if _, err := e.dir.SaveQueue(e.ctx, renamed); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("renaming onto an existing name: %v, want conflict", err)
	}
	// Saving a queue under its own name is not a conflict.
	q1.Priority = 5
	if got := e.queue(q1); got.Priority != 5 {
		t.Errorf("update kept priority %d", got.Priority)
	}
	if qs := e.dir.Queues(); len(qs) != 2 || qs[1].Name != "Sales" {
		t.Errorf("Queues() = %+v", qs)
	}
}

func TestQueuePriority(t *testing.T) {
	e := newEnv(t)
	if q := e.queue(sb.Queue{Name: "Default"}); q.Priority != 1 {
		t.Errorf("default priority %d, want 1", q.Priority)
	}
	for _, p := range []int{1, 8} {
		if _, err := e.dir.SaveQueue(e.ctx, sb.Queue{Name: "P" + string(rune('0'+p)), Priority: p}); err != nil {
			t.Errorf("priority %d: %v", p, err)
		}
	}
	for _, p := range []int{9, -1, 100} {
		_, err := e.dir.SaveQueue(e.ctx, sb.Queue{Name: "Bad", Priority: p})
		if sb.ErrorCode(err) != sb.EINVALID || sb.ErrorMessage(err) != "priority must be between 1 and 8" {
			t.Errorf("priority %d: %v, want invalid priority", p, err)
		}
	}
	if _, err := e.dir.SaveQueue(e.ctx, sb.Queue{Name: ""}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("empty name: %v, want invalid", err)
	}
	if _, err := e.dir.SaveQueue(e.ctx, sb.Queue{Name: "Phone", SupportNumber: "555-0175"}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("bad support number: %v, want invalid", err)
	}
	if _, err := e.dir.SaveQueue(e.ctx, sb.Queue{ID: 42, Name: "Ghost"}); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("update of an unknown queue: %v, want not_found", err)
	}
	if n := len(e.dir.Queues()); n != 3 {
		t.Errorf("%d queues, want 3", n)
	}
}

func TestAgents(t *testing.T) {
	e := newEnv(t)
	if _, err := e.dir.SaveAgent(e.ctx, sb.Agent{Name: "No Mail"}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("agent without e-mail: %v, want invalid", err)
	}
	if _, err := e.dir.SaveAgent(e.ctx, sb.Agent{Name: "Bad Mail", Email: "not-an-address"}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("agent with a bad e-mail: %v, want invalid", err)
	}
	if _, err := e.dir.SaveAgent(e.ctx, sb.Agent{Email: "nameless@example.com"}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("agent without a name: %v, want invalid", err)
	}
	ann := e.agent(sb.Agent{Name: "Ann", Email: "Ann.Lee@Example.com"})
	bob := e.agent(sb.Agent{Name: "Bob", Email: "bob@example.com"})
	if ann.ID != 1 || bob.ID != 2 {
		t.Fatalf("agent IDs %d %d, want 1 2", ann.ID, bob.ID)
	}
	if _, err := e.dir.SaveAgent(e.ctx, sb.Agent{Name: "Ann again", Email: "ann.lee@example.COM"}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("duplicate e-mail in another case: %v, want conflict", err)
	}
	bob.Email = "ANN.LEE@EXAMPLE.COM"
	if _, err := e.dir.SaveAgent(e.ctx, bob); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("changing an e-mail onto another agent's: %v, want conflict", err)
	}
	if got, _ := e.dir.GetAgent(2); got.Email != "bob@example.com" {
		t.Errorf("refused update changed agent 2's e-mail to %q", got.Email)
	}

	// An update keeps CreatedAt and moves UpdatedAt; its own e-mail is fine.
	e.clock.Advance(90*time.Minute + 1500*time.Microsecond)
	ann.Name, ann.FirstName, ann.Email = "Ann Lee", "Ann", "ann.lee@example.com"
	ann.CreatedAt = time.Time{} // the caller's value is ignored
	upd := e.agent(ann)
	wantUpdated := t0.Add(90*time.Minute + time.Millisecond)
	if !upd.CreatedAt.Equal(t0) || !upd.UpdatedAt.Equal(wantUpdated) {
		t.Errorf("updated agent created %v updated %v, want %v and %v", upd.CreatedAt, upd.UpdatedAt, t0, wantUpdated)
	}
	got, err := e.dir.GetAgent(1)
	if err != nil || got.Name != "Ann Lee" || !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(wantUpdated) {
		t.Errorf("GetAgent(1) = %+v %v", got, err)
	}
	ref, err := e.dir.Agent(1)
	if err != nil || ref.ID != 1 || ref.Name != "Ann Lee" || ref.FirstName != "Ann" || ref.Email != "ann.lee@example.com" {
		t.Errorf("Agent(1) = %+v %v", ref, err)
	}
	if _, err := e.dir.SaveAgent(e.ctx, sb.Agent{ID: 9, Name: "Ghost", Email: "ghost@example.com"}); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("update of an unknown agent: %v, want not_found", err)
	}
	if as := e.dir.Agents(); len(as) != 2 {
		t.Errorf("Agents() = %+v", as)
	}
}

func TestVirtualAgents(t *testing.T) {
	e := newEnv(t)
	e.queue(sb.Queue{Name: "Q"}) // counters are per kind
	v := e.dir
	va, err := v.SaveVirtualAgent(e.ctx, sb.VirtualAgent{Name: "Bot", Alias: "Helper"})
	if err != nil || va.ID != 1 || !va.CreatedAt.Equal(t0) {
		t.Fatalf("SaveVirtualAgent = %+v %v", va, err)
	}
	ref, err := v.VirtualAgent(1)
	if err != nil || ref.ID != 1 || ref.Name != "Bot" {
		t.Errorf("VirtualAgent(1) = %+v %v", ref, err)
	}
	if _, err := v.SaveVirtualAgent(e.ctx, sb.VirtualAgent{Name: "Bot", AvatarURL: "ftp://x/y.png"}); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("bad avatar URL: %v, want invalid", err)
	}
}

func TestUnknownIDsAreNotFound(t *testing.T) {
	e := newEnv(t)
	e.queue(sb.Queue{Name: "Q"})
	e.agent(sb.Agent{Name: "A", Email: "a@example.com"})
	if _, err := e.dir.SaveVirtualAgent(e.ctx, sb.VirtualAgent{Name: "V"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.dir.Agent(2); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("Agent(2): %v", err)
	}
	if _, err := e.dir.VirtualAgent(2); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("VirtualAgent(2): %v", err)
	}
	if _, err := e.dir.Queue(2); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("Queue(2): %v", err)
	}
	if _, err := e.dir.GetAgent(0); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("GetAgent(0): %v", err)
	}
	if _, err := e.dir.GetVirtualAgent(2); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("GetVirtualAgent(2): %v", err)
	}
	if _, err := e.dir.GetQueue(-1); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("GetQueue(-1): %v", err)
	}
}

func TestReopenKeepsDataAndContinuesIDs(t *testing.T) {
	e := newEnv(t)
	e.queue(sb.Queue{Name: "Q1"})
	e.queue(sb.Queue{Name: "Q2", ParentID: 1})
	e.queue(sb.Queue{Name: "Q3", ParentID: 2, Priority: 4})
	e.clock.Advance(time.Minute)
	e.agent(sb.Agent{Name: "A1", Email: "a1@example.com", AgentNumber: 1001})
	e.agent(sb.Agent{Name: "A2", Email: "a2@example.com"})
	if _, err := e.dir.SaveVirtualAgent(e.ctx, sb.VirtualAgent{Name: "V1"}); err != nil {
		t.Fatal(err)
	}

	d2 := e.reopen()
	if got, want := asJSON(t, d2.Queues()), asJSON(t, e.dir.Queues()); got != want {
		t.Errorf("reopened queues\n%s\nwant\n%s", got, want)
	}
	if got, want := asJSON(t, d2.Agents()), asJSON(t, e.dir.Agents()); got != want {
		t.Errorf("reopened agents\n%s\nwant\n%s", got, want)
	}
	if got, want := asJSON(t, d2.VirtualAgents()), asJSON(t, e.dir.VirtualAgents()); got != want {
		t.Errorf("reopened virtual agents\n%s\nwant\n%s", got, want)
	}
	if ref, err := d2.Queue(3); err != nil || ref.Path != "1/2/3" || ref.Priority != 4 {
		t.Errorf("reopened Queue(3) = %+v %v", ref, err)
	}
	// Uniqueness holds across a reopen.
	if _, err := d2.SaveAgent(e.ctx, sb.Agent{Name: "A1 again", Email: "A1@example.com"}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("duplicate e-mail after reopen: %v, want conflict", err)
	}

	// IDs continue after the highest, not after the count: drop queue 2
	// and agent 1 from the store behind the directory's back.
	if err := e.db.DeleteConfig(e.ctx, directory.KindQueue, 2); err != nil {
		t.Fatal(err)
	}
	if err := e.db.DeleteConfig(e.ctx, directory.KindAgent, 1); err != nil {
		t.Fatal(err)
	}
	d3 := e.reopen()
	if n := len(d3.Queues()); n != 2 {
		t.Fatalf("%d queues after deleting one, want 2", n)
	}
	q, err := d3.SaveQueue(e.ctx, sb.Queue{Name: "Q4"})
	if err != nil || q.ID != 4 {
		t.Errorf("new queue after reopen: ID %d %v, want 4", q.ID, err)
	}
	a, err := d3.SaveAgent(e.ctx, sb.Agent{Name: "A3", Email: "a3@example.com"})
	if err != nil || a.ID != 3 {
		t.Errorf("new agent after reopen: ID %d %v, want 3", a.ID, err)
	}
	v, err := d3.SaveVirtualAgent(e.ctx, sb.VirtualAgent{Name: "V2"})
	if err != nil || v.ID != 2 {
		t.Errorf("new virtual agent after reopen: ID %d %v, want 2", v.ID, err)
	}
}

// Configuration IDs come from the store: the ID of a deleted queue is not
// given again after a restart, and two directories on one store (each
// opened before the other saved) never overwrite each other's records.
func TestConfigIDsAreNeverReused(t *testing.T) {
	e := newEnv(t)
	e.queue(sb.Queue{Name: "Sales", Priority: 2})
	last := e.queue(sb.Queue{Name: "Support", Priority: 2})
	if err := e.dir.DeleteQueue(e.ctx, last.ID); err != nil {
		t.Fatal(err)
	}
	e.dir = e.reopen()
	if q := e.queue(sb.Queue{Name: "Billing", Priority: 2}); q.ID == last.ID {
		t.Errorf("a new queue got the ID %d of the deleted one", q.ID)
	}

	other := e.reopen()
	mine := e.queue(sb.Queue{Name: "Returns", Priority: 2})
	theirs, err := other.SaveQueue(e.ctx, sb.Queue{Name: "Refunds", Priority: 2})
	if err != nil {
		t.Fatal(err)
	}
	if mine.ID == theirs.ID {
		t.Fatalf("two directories gave queue ID %d to two queues", mine.ID)
	}
	names := map[string]bool{}
	for _, q := range e.reopen().Queues() {
		names[q.Name] = true
	}
	if !names["Returns"] || !names["Refunds"] {
		t.Errorf("after both saves the store holds %v", names)
	}
}
