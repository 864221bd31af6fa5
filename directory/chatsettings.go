package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// Config kinds of the chat feature settings and the CSAT settings (one
// document each).
const (
	KindChatSettings = "chat_settings"
	KindCSATSettings = "csat_settings"
)

// MaxUploadLimit is the largest attachment size administrators may allow.
const MaxUploadLimit = 100 << 20

// ChatSettings returns the chat feature settings.
func (d *Directory) ChatSettings() sb.ChatSettings {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.chat
}

// CSATSettings returns the satisfaction settings.
func (d *Directory) CSATSettings() sb.CSATSettings {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.csat
}

// SaveChatSettings validates and stores the chat feature settings.
func (d *Directory) SaveChatSettings(ctx context.Context, s sb.ChatSettings) (sb.ChatSettings, error) {
	if err := validateChatSettings(&s); err != nil {
		return s, err
	}
	s.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	if err := d.putSingleton(ctx, KindChatSettings, s); err != nil {
		return s, err
	}
	d.mu.Lock()
	d.chat = s
	d.writes++
	d.mu.Unlock()
	return s, nil
}

// SaveCSATSettings validates and stores the satisfaction settings.
func (d *Directory) SaveCSATSettings(ctx context.Context, s sb.CSATSettings) (sb.CSATSettings, error) {
	if err := validateCSATSettings(&s); err != nil {
		return s, err
	}
	s.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	if err := d.putSingleton(ctx, KindCSATSettings, s); err != nil {
		return s, err
	}
	d.mu.Lock()
	d.csat = s
	d.writes++
	d.mu.Unlock()
	return s, nil
}

func validateChatSettings(s *sb.ChatSettings) error {
	if s.MaxUploadBytes == 0 {
		s.MaxUploadBytes = sb.DefaultChatSettings().MaxUploadBytes
	}
	errs := []error{
		validate.Text("dispatcher_nickname", s.DispatcherNickname, 50, true),
		validate.OneOf("visitor_nickname", s.VisitorNickname, true, "region", "network", "date", "all"),
		validate.Range("max_upload_bytes", s.MaxUploadBytes, 1024, MaxUploadLimit),
		validate.Range("disposition_codes", int64(len(s.DispositionCodes)), 0, 200),
	}
	for name, t := range map[string]sb.SystemText{"welcome": s.Welcome, "company_greeting": s.CompanyGreeting,
		"closing": s.Closing, "no_free_agent": s.NoFreeAgent} {
		errs = append(errs, validate.Text(name+".text", t.Text, 1000, t.Enabled))
	}
	for i, c := range s.DispositionCodes {
		errs = append(errs, validate.Text(fmt.Sprintf("disposition_codes[%d]", i), c, 100, true))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func validateCSATSettings(s *sb.CSATSettings) error {
	errs := []error{
		validate.Range("min_messages", int64(s.MinMessages), 0, 1000),
		validate.Range("deadline_seconds", int64(s.DeadlineSeconds), 0, 30*24*3600),
		validate.Text("receipt", s.Receipt, 1000, false),
		validate.OneOf("attribution", s.Attribution, true, sb.RatingAllAgents, sb.RatingLastAgent),
		validate.Text("solved_prompt", s.SolvedPrompt, 200, false),
		validate.Text("score_prompt", s.ScorePrompt, 200, false),
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if len(s.Scores) != 5 {
		return sb.Errorf(sb.EINVALID, "scores must list the five stars, one star first")
	}
	for i, o := range s.Scores {
		if o.Stars != i+1 {
			return sb.Errorf(sb.EINVALID, "scores[%d].stars must be %d", i, i+1)
		}
		if err := validate.Text(fmt.Sprintf("scores[%d].text", i), o.Text, 100, true); err != nil {
			return err
		}
		if len(o.Tags) > 20 {
			return sb.Errorf(sb.EINVALID, "scores[%d].tags: at most 20 tags", i)
		}
		for j, t := range o.Tags {
			if err := validate.Text(fmt.Sprintf("scores[%d].tags[%d]", i, j), t, 50, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// putSingleton stores the one document of a settings kind.
func (d *Directory) putSingleton(ctx context.Context, kind string, v any) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("save %s: %w", kind, err)
	}
	return d.store.PutConfig(ctx, kind, 1, doc)
}

// loadSingleton reads the one document of a settings kind into v, which
// holds the defaults when none is stored.
func loadSingleton(ctx context.Context, store sb.ConfigStore, kind string, v any) error {
	docs, err := store.ConfigDocs(ctx, kind)
	if err != nil {
		return fmt.Errorf("load %s: %w", kind, err)
	}
	if len(docs) > 0 {
		if err := json.Unmarshal(docs[0], v); err != nil {
			return fmt.Errorf("load %s: %w", kind, err)
		}
	}
	return nil
}
