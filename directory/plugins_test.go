package directory_test

import (
	"testing"

	sb "github.com/switchboardhq/switchboard"
)

func TestWebPluginCreateKeepsCredentialsAndReloads(t *testing.T) {
	e := newEnv(t)
	p, err := e.dir.SaveWebPlugin(e.ctx, sb.WebPlugin{Name: "Shop", QuickButtons: []string{sb.ButtonHuman},
		Invitations: []sb.AutoInvitation{{AfterSeconds: 30, Text: "Need help?"}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != 1 || len(p.Key) != 22 || len(p.IdentitySecret) != 64 || p.ThemeColor != "#2563eb" || p.Title != "Shop" ||
		p.AfterHours != sb.AfterHoursLeaveMessage || p.Toolbar == nil || !p.CreatedAt.Equal(t0) {
		t.Fatalf("created %+v", p)
	}
	other, _ := e.dir.SaveWebPlugin(e.ctx, sb.WebPlugin{Name: "Docs"})
	if other.Key == p.Key || other.IdentitySecret == p.IdentitySecret {
		t.Error("two plugins share a key or a secret")
	}
	// A replace keeps the key and secret whatever the input says.
	p.Key, p.IdentitySecret, p.ThemeColor = "mine", "guessable", "#00AA11"
	q, err := e.dir.SaveWebPlugin(e.ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if q.Key == "mine" || q.IdentitySecret == "guessable" || q.ThemeColor != "#00AA11" {
		t.Errorf("replaced %+v", q)
	}
	got, err := e.reopen().WebPluginByKey(q.Key)
	if err != nil || got.ID != 1 || got.IdentitySecret != q.IdentitySecret || len(got.Invitations) != 1 {
		t.Fatalf("after reload by key: %+v %v", got, err)
	}
	if err := e.dir.DeleteWebPlugin(e.ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := e.dir.WebPluginByKey(q.Key); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("deleted plugin found by key: %v", err)
	}
	if err := e.dir.DeleteWebPlugin(e.ctx, 1); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("second delete: %v", err)
	}
}

func TestWebPluginRefusals(t *testing.T) {
	e := newEnv(t)
	if _, err := e.dir.SaveWebPlugin(e.ctx, sb.WebPlugin{Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]sb.WebPlugin{
		"no name":             {},
		"colour":              {Name: "A", ThemeColor: "blue"},
		"short colour":        {Name: "A", ThemeColor: "#fff"},
		"button":              {Name: "A", QuickButtons: []string{"call"}},
		"button twice":        {Name: "A", QuickButtons: []string{"rate", "rate"}},
		"tool":                {Name: "A", Toolbar: []string{"video"}},
		"after hours":         {Name: "A", AfterHours: "close"},
		"after hours no text": {Name: "A", AfterHours: sb.AfterHoursMessage},
		"logo over http":      {Name: "A", LogoURL: "http://cdn.example.com/logo.png"},
		"logo javascript":     {Name: "A", LogoURL: "javascript:alert(1)"},
		"menu url":            {Name: "A", Sidebar: sb.PluginSidebar{MenuURL: "ftp://x"}},
		"faq without answer":  {Name: "A", Sidebar: sb.PluginSidebar{FAQ: []sb.FAQItem{{Question: "Q"}}}},
		"invitation trigger":  {Name: "A", Invitations: []sb.AutoInvitation{{Text: "Hi"}}},
		"invitation text":     {Name: "A", Invitations: []sb.AutoInvitation{{AfterSeconds: 5}}},
		"invitation delay":    {Name: "A", Invitations: []sb.AutoInvitation{{AfterSeconds: -1, Text: "Hi"}}},
		"name taken":          {Name: "shop"},
		"unknown id":          {ID: 9, Name: "B"},
	} {
		if _, err := e.dir.SaveWebPlugin(e.ctx, p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if n := len(e.dir.WebPlugins()); n != 1 {
		t.Errorf("%d plugins after refusals, want 1", n)
	}
}
