package directory_test

import (
	"fmt"
	"strings"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
)

func TestQuickRepliesScopesAndShortcuts(t *testing.T) {
	e := newEnv(t)
	a1 := e.agent(sb.Agent{Name: "Noam", Email: "noam@example.com"})
	a2 := e.agent(sb.Agent{Name: "Alex", Email: "alex@example.com"})
	save := func(r sb.QuickReply) (sb.QuickReply, error) { return e.dir.SaveQuickReply(e.ctx, r) }
	cat := func(c sb.QuickReplyCategory) sb.QuickReplyCategory {
		t.Helper()
		out, err := e.dir.SaveQuickReplyCategory(e.ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	pub := cat(sb.QuickReplyCategory{Name: "Greetings", Position: 2})
	mine := cat(sb.QuickReplyCategory{Name: "Greetings", AgentID: a1.ID, Position: 1}) // same name, other set
	if _, err := e.dir.SaveQuickReplyCategory(e.ctx, sb.QuickReplyCategory{Name: "greetings "}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("duplicate public category: %v", err)
	}
	hello, err := save(sb.QuickReply{Shortcut: "hello", Content: "Hello! How can I help?", CategoryID: pub.ID, Position: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := save(sb.QuickReply{Shortcut: "bye", Content: "Bye!", CategoryID: mine.ID, AgentID: a1.ID, Position: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := save(sb.QuickReply{Shortcut: "bye", Content: "See you", AgentID: a2.ID}); err != nil {
		t.Errorf("another agent's personal shortcut clashed: %v", err)
	}
	for name, c := range map[string]struct {
		r    sb.QuickReply
		code string
	}{
		"public clash, other case":  {sb.QuickReply{Shortcut: "HELLO", Content: "x", AgentID: a1.ID}, sb.ECONFLICT},
		"public over a personal":    {sb.QuickReply{Shortcut: "Bye", Content: "x"}, sb.ECONFLICT},
		"own clash":                 {sb.QuickReply{Shortcut: "bye", Content: "x", AgentID: a1.ID}, sb.ECONFLICT},
		"space":                     {sb.QuickReply{Shortcut: "good bye", Content: "x"}, sb.EINVALID},
		"tab":                       {sb.QuickReply{Shortcut: "good\tbye", Content: "x"}, sb.EINVALID},
		"31 characters":             {sb.QuickReply{Shortcut: strings.Repeat("é", 31), Content: "x"}, sb.EINVALID},
		"empty":                     {sb.QuickReply{Content: "x"}, sb.EINVALID},
		"slash":                     {sb.QuickReply{Shortcut: "/hi", Content: "x"}, sb.EINVALID},
		"no content":                {sb.QuickReply{Shortcut: "hi", Content: "  "}, sb.EINVALID},
		"long content":              {sb.QuickReply{Shortcut: "hi", Content: strings.Repeat("a", 5001)}, sb.EINVALID},
		"category of another set":   {sb.QuickReply{Shortcut: "hi", Content: "x", CategoryID: mine.ID}, sb.EINVALID},
		"personal in public cat":    {sb.QuickReply{Shortcut: "hi", Content: "x", CategoryID: pub.ID, AgentID: a2.ID}, sb.EINVALID},
		"missing category":          {sb.QuickReply{Shortcut: "hi", Content: "x", CategoryID: 99}, sb.EINVALID},
		"missing agent":             {sb.QuickReply{Shortcut: "hi", Content: "x", AgentID: 99}, sb.EINVALID},
		"owner changes":             {sb.QuickReply{ID: hello.ID, Shortcut: "hello", Content: "x", AgentID: a1.ID}, sb.EINVALID},
		"replacing a missing reply": {sb.QuickReply{ID: 99, Shortcut: "zz", Content: "x"}, sb.ENOTFOUND},
	} {
		if _, err := save(c.r); sb.ErrorCode(err) != c.code {
			t.Errorf("%s: err = %v, want %s", name, err, c.code)
		}
	}
	if _, err := save(sb.QuickReply{Shortcut: strings.Repeat("é", 30), Content: "x", AgentID: a2.ID, Position: 9}); err != nil {
		t.Errorf("a 30-character shortcut: %v", err)
	}
	// Renaming a reply to its own shortcut is no clash.
	hello.Content = "Hi there!"
	if _, err := save(hello); err != nil {
		t.Errorf("re-saving a reply: %v", err)
	}

	// Each agent sees the public set and its own, by position.
	cats, replies := e.reopen().QuickReplies(a1.ID, false)
	if len(cats) != 2 || cats[0].ID != mine.ID || cats[1].ID != pub.ID {
		t.Errorf("agent 1 categories %+v", cats)
	}
	if len(replies) != 2 || replies[0].Shortcut != "bye" || replies[1].Content != "Hi there!" {
		t.Errorf("agent 1 replies %+v", replies)
	}
	if _, replies := e.dir.QuickReplies(a2.ID, false); len(replies) != 3 {
		t.Errorf("agent 2 sees %d replies, want 3", len(replies))
	}
	if cats, replies := e.dir.QuickReplies(0, false); len(cats) != 1 || len(replies) != 1 {
		t.Errorf("the public set: %d categories, %d replies", len(cats), len(replies))
	}
	if cats, replies := e.dir.QuickReplies(0, true); len(cats) != 2 || len(replies) != 4 {
		t.Errorf("everything: %d categories, %d replies", len(cats), len(replies))
	}

	// A category with replies cannot go; an empty one can.
	if err := e.dir.DeleteQuickReplyCategory(e.ctx, pub.ID); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("deleting a category in use: %v", err)
	}
	if err := e.dir.DeleteQuickReply(e.ctx, hello.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.dir.DeleteQuickReplyCategory(e.ctx, pub.ID); err != nil {
		t.Errorf("deleting an empty category: %v", err)
	}
	if err := e.dir.DeleteQuickReply(e.ctx, hello.ID); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("deleting twice: %v", err)
	}
	if cats, replies := e.reopen().QuickReplies(0, true); len(cats) != 1 || len(replies) != 3 {
		t.Errorf("after the deletions: %d categories, %d replies", len(cats), len(replies))
	}
	// IDs are not reused after a reopen.
	d := e.reopen()
	r, err := d.SaveQuickReply(e.ctx, sb.QuickReply{Shortcut: "new", Content: "x"})
	if err != nil || r.ID != 5 {
		t.Errorf("next ID %d %v, want 5", r.ID, err)
	}
}

func TestQuickReplyCategoryLimitsAndOwner(t *testing.T) {
	e := newEnv(t)
	a := e.agent(sb.Agent{Name: "Noam", Email: "noam@example.com"})
	for i := range directory.MaxQuickReplyCategories {
		if _, err := e.dir.SaveQuickReplyCategory(e.ctx, sb.QuickReplyCategory{Name: fmt.Sprintf("C%d", i), AgentID: a.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.dir.SaveQuickReplyCategory(e.ctx, sb.QuickReplyCategory{Name: "One more", AgentID: a.ID}); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("category %d of a set: %v", directory.MaxQuickReplyCategories+1, err)
	}
	pub, err := e.dir.SaveQuickReplyCategory(e.ctx, sb.QuickReplyCategory{Name: "Public"})
	if err != nil {
		t.Errorf("the public set has its own limit: %v", err)
	}
	pub.AgentID = a.ID
	if _, err := e.dir.SaveQuickReplyCategory(e.ctx, pub); sb.ErrorCode(err) != sb.EINVALID {
		t.Errorf("moving a category to another set: %v", err)
	}
	if c, _ := e.reopen().GetQuickReplyCategory(pub.ID); c.AgentID != 0 || c.Name != "Public" {
		t.Errorf("stored %+v", c)
	}
}
