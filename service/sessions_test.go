package service_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/broker"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/service"
	"github.com/switchboardhq/switchboard/sqlite"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type fixture struct {
	t   *testing.T
	ctx context.Context
	db  *sqlite.DB
	dir *directory.Directory
	svc *service.Sessions
	// noam and alex are agents 1 and 2; support (1) has both as
	// members, empty (2) none.
	noam, alex service.Caller
}

// newFixture runs the service on a real store, directory and engine, with
// no transport in front of it.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	c := clock.NewVirtual(t0)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.Open(ctx, db, c)
	if err != nil {
		t.Fatal(err)
	}
	feed := broker.New()
	eng, err := engine.New(ctx, db, engine.Options{Clock: c, Directory: dir, Publisher: feed, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		feed.Close()
		eng.Close()
		db.Close()
	})
	for _, q := range []sb.Queue{{Name: "Support", Priority: 2}, {Name: "Empty", Priority: 2}} {
		if _, err := dir.SaveQueue(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []sb.Agent{{Name: "Noam B", Nickname: "Noam", Email: "noam@example.com", Groups: []int64{1}},
		{Name: "Alex B", Email: "alex@example.com", Groups: []int64{1}}} {
		if _, err := dir.SaveAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{t: t, ctx: ctx, db: db, dir: dir, svc: service.NewSessions(eng, dir, service.Options{}),
		noam: service.Caller{Role: sb.RoleAgent, AgentID: 1, Name: "Noam B"},
		alex: service.Caller{Role: sb.RoleAgent, AgentID: 2, Name: "Alex B"}}
}

func connect() lifecycle.Command {
	c, _ := lifecycle.NewCommand("connect")
	return c
}

var integration = service.Caller{Role: sb.RoleIntegration, TokenID: 3, Name: "crm"}

// chat starts a web chat in Support and returns its ID.
func (f *fixture) chat() int64 {
	f.t.Helper()
	res, err := f.svc.Create(f.ctx, integration, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1, EndUser: sb.EndUser{Name: "Ada", Identifier: "v-ada"}}, service.RunOptions{})
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Session.ID
}

// run runs cmd for c and returns the code of its error ("" for none).
func (f *fixture) run(c service.Caller, id int64, cmd lifecycle.Command) string {
	f.t.Helper()
	_, err := f.svc.Run(f.ctx, c, id, cmd, service.RunOptions{})
	if err != nil {
		return sb.ErrorCode(err)
	}
	return ""
}

func (f *fixture) seq(id int64) int64 {
	f.t.Helper()
	s, err := f.db.Session(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return s.Seq
}

// The rules hold without HTTP in front: an agent acts only on its own
// sessions, and a refused command appends nothing.
func TestAgentsActOnlyOnTheirSessions(t *testing.T) {
	f := newFixture(t)
	id := f.chat()
	refused := func(c service.Caller, cmd lifecycle.Command) {
		t.Helper()
		before := f.seq(id)
		if code := f.run(c, id, cmd); code != sb.EFORBIDDEN {
			t.Errorf("%s %s: %q, want forbidden", c.Name, cmd.Name(), code)
		}
		if f.seq(id) != before {
			t.Errorf("%s %s: a refused command changed the session", c.Name, cmd.Name())
		}
	}
	refused(f.alex, &lifecycle.Assign{AgentID: 1}) // not for someone else
	if code := f.run(f.noam, id, &lifecycle.Assign{AgentID: 1}); code != "" {
		t.Fatalf("assign to itself: %s", code)
	}
	refused(f.alex, connect()) // Noam's session
	if code := f.run(f.noam, id, connect()); code != "" {
		t.Fatalf("connect: %s", code)
	}
	refused(f.noam, &lifecycle.Rate{Rating: 5}) // ratings are the end user's
	refused(f.noam, &lifecycle.Message{From: sb.FromEndUser, Kind: "text", Text: "hi"})
}

// A visitor keeps to its side of its own chat: it writes as the end user,
// and nothing else.
func TestVisitorsKeepToTheirSide(t *testing.T) {
	f := newFixture(t)
	id := f.chat()
	ada := service.Caller{Role: sb.RoleVisitor, VisitorID: "v-ada", PluginID: 1, Name: "Ada"}
	other := service.Caller{Role: sb.RoleVisitor, VisitorID: "v-bob", PluginID: 1, Name: "Bob"}
	res, err := f.svc.Run(f.ctx, ada, id, &lifecycle.Message{Kind: "text", Text: "hello"}, service.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		From string `json:"from"`
	}
	if err := json.Unmarshal(res.Events[0].Data, &m); err != nil || m.From != sb.FromEndUser {
		t.Errorf("a visitor's message is from %q (%v), want end_user", m.From, err)
	}
	for _, cmd := range []lifecycle.Command{&lifecycle.Message{From: sb.FromAgent, Kind: "text", Text: "x"}, &lifecycle.Assign{AgentID: 1}} {
		if code := f.run(ada, id, cmd); code != sb.EFORBIDDEN {
			t.Errorf("visitor %s: %q, want forbidden", cmd.Name(), code)
		}
	}
	if code := f.run(other, id, &lifecycle.Message{Kind: "text", Text: "hi"}); code != sb.EFORBIDDEN {
		t.Errorf("another visitor's message: %q, want forbidden", code)
	}
}

// What a command takes from the settings and the directory rather than
// from the request: the agent's names on its messages, a confirmed
// transfer when the setting asks for one, and no transfer to a group with
// no members.
func TestCommandsTakeTheSettings(t *testing.T) {
	f := newFixture(t)
	id := f.chat()
	for _, cmd := range []lifecycle.Command{&lifecycle.Assign{AgentID: 1}, connect()} {
		if code := f.run(f.noam, id, cmd); code != "" {
			t.Fatalf("%s: %s", cmd.Name(), code)
		}
	}
	chat := f.dir.ChatSettings()
	chat.ShowAgentNickname = true
	if _, err := f.dir.SaveChatSettings(f.ctx, chat); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Run(f.ctx, f.noam, id, &lifecycle.Message{Kind: "text", Text: "Hello Ada"}, service.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		From      string `json:"from"`
		AgentID   int64  `json:"agent_id"`
		AgentName string `json:"agent_name"`
		Nickname  string `json:"nickname"`
	}
	if err := json.Unmarshal(res.Events[0].Data, &m); err != nil {
		t.Fatal(err)
	}
	if m.From != sb.FromAgent || m.AgentID != 1 || m.AgentName != "Noam B" || m.Nickname != "Noam" {
		t.Errorf("the agent's message carries %+v, want agent 1, Noam B, nickname Noam", m)
	}

	if code := f.run(f.noam, id, &lifecycle.Transfer{Kind: sb.TransferToQueue, QueueID: 2}); code != sb.ECONFLICT {
		t.Errorf("transfer to a group with no members: %q, want conflict", code)
	}
	rs := f.dir.RoutingSettings()
	rs.TransferConfirmation = true
	if _, err := f.dir.SaveRoutingSettings(f.ctx, rs); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Run(f.ctx, f.noam, id, &lifecycle.Transfer{Kind: sb.TransferToAgent, AgentID: 2}, service.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	s, err := f.db.Session(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.CurrentHandle() == nil || s.CurrentHandle().Agent.ID != 1 || s.PendingTransfer() == nil {
		t.Errorf("with transfer confirmation on, the transfer must wait for agent 2; handle %+v, pending %+v", s.CurrentHandle(), s.PendingTransfer())
	}
}

// A Caller travels as JSON (a node forwards it to the leader) and comes
// back the same, recorded as the same actor.
func TestCallerRoundTrips(t *testing.T) {
	for _, c := range []service.Caller{
		{Role: sb.RoleAgent, AgentID: 7, Name: "Noam", UserID: 4},
		{Role: sb.RoleAdmin, UserID: 2, Name: "Root"},
		{Role: sb.RoleIntegration, TokenID: 9, Name: "crm"},
		{Role: sb.RoleVisitor, VisitorID: "v-1", PluginID: 3, Name: "访客", Contact: service.Contact{Name: "王芳", Email: "f@example.cn"}},
	} {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back service.Caller
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back != c || back.Actor() != c.Actor() {
			t.Errorf("%s came back as %+v", b, back)
		}
	}
	if got := (service.Caller{Role: sb.RoleAdmin, UserID: 2}).Actor().ID; got != "user:2" {
		t.Errorf("a logged-in admin is recorded as %q, want user:2", got)
	}
}
