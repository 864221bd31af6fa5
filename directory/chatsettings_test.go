package directory_test

import (
	"testing"

	sb "github.com/switchboardhq/switchboard"
)

func TestChatSettingsDefaultsSaveAndReload(t *testing.T) {
	e := newEnv(t)
	if got := e.dir.ChatSettings(); got.DispatcherNickname != "Assistant" || got.MaxUploadBytes != 10<<20 {
		t.Fatalf("defaults = %+v", got)
	}
	s := e.dir.ChatSettings()
	s.Welcome = sb.SystemText{Enabled: true, Text: "Welcome to Acme!"}
	s.DispositionCodes = []string{"resolved", "follow_up"}
	if _, err := e.dir.SaveChatSettings(e.ctx, s); err != nil {
		t.Fatal(err)
	}
	got := e.reopen().ChatSettings()
	if !got.Welcome.On() || got.Welcome.Text != "Welcome to Acme!" || len(got.DispositionCodes) != 2 || !got.UpdatedAt.Equal(t0) {
		t.Fatalf("after reload = %+v", got)
	}
}

func TestChatSettingsRefusals(t *testing.T) {
	e := newEnv(t)
	for name, change := range map[string]func(*sb.ChatSettings){
		"switched on without text": func(s *sb.ChatSettings) { s.Closing = sb.SystemText{Enabled: true} },
		"no nickname":              func(s *sb.ChatSettings) { s.DispatcherNickname = "" },
		"nickname format":          func(s *sb.ChatSettings) { s.VisitorNickname = "zodiac" },
		"upload too large":         func(s *sb.ChatSettings) { s.MaxUploadBytes = 1 << 30 },
	} {
		s := e.dir.ChatSettings()
		change(&s)
		if _, err := e.dir.SaveChatSettings(e.ctx, s); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("%s: err = %v, want invalid", name, err)
		}
	}
	if got := e.reopen().ChatSettings(); got.Closing.Enabled || got.DispatcherNickname != "Assistant" {
		t.Fatalf("a refused save changed the settings: %+v", got)
	}
}

func TestCSATSettings(t *testing.T) {
	e := newEnv(t)
	s := e.dir.CSATSettings()
	if !s.AutoInvite || s.Attribution != sb.RatingAllAgents || len(s.Scores) != 5 {
		t.Fatalf("defaults = %+v", s)
	}
	s.DeadlineSeconds, s.Attribution, s.MinMessages = 3600, sb.RatingLastAgent, 4
	if _, err := e.dir.SaveCSATSettings(e.ctx, s); err != nil {
		t.Fatal(err)
	}
	if got := e.reopen().CSATSettings(); got.DeadlineSeconds != 3600 || got.Attribution != sb.RatingLastAgent || got.MinMessages != 4 {
		t.Fatalf("after reload = %+v", got)
	}
	bad := s
	bad.Scores = s.Scores[:4]
	if _, err := e.dir.SaveCSATSettings(e.ctx, bad); sb.ErrorCode(err) != sb.EINVALID {
		t.Fatalf("four scores: err = %v", err)
	}
	bad = s
	bad.Scores = append([]sb.ScoreOption(nil), s.Scores...)
	bad.Scores[0], bad.Scores[1] = bad.Scores[1], bad.Scores[0]
	if _, err := e.dir.SaveCSATSettings(e.ctx, bad); sb.ErrorCode(err) != sb.EINVALID {
		t.Fatalf("stars out of order: err = %v", err)
	}
}
