package dispatch

import (
	"slices"
	"strings"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/routing"
)

// welcome sends the company welcome message when a chat starts, before
// anybody writes (SPEC §4.3), signed with the dispatcher's nickname.
func (d *Dispatcher) welcome(after *sb.Session, events []sb.Event) []engine.Followup {
	cs := d.dir.ChatSettings()
	if after.Medium != sb.MediumChat || !cs.Welcome.On() || !hasEvent(events, lifecycle.EventCreated) || after.Status.Terminal() {
		return nil
	}
	return []engine.Followup{notice(after.ID, lifecycle.PurposeWelcome, cs.Welcome.Text, cs.DispatcherNickname)}
}

// closing sends the closing message when a chat ends, then — under the
// CSAT rules of SPEC §4.4 — invites the visitor to rate it.
func (d *Dispatcher) closing(after *sb.Session, events []sb.Event) []engine.Followup {
	if after.Medium != sb.MediumChat || !hasEvent(events, lifecycle.EventEnded) {
		return nil
	}
	var out []engine.Followup
	if cs := d.dir.ChatSettings(); cs.Closing.On() {
		out = append(out, notice(after.ID, lifecycle.PurposeClosing, cs.Closing.Text, ""))
	}
	if autoInvite(after, d.dir.CSATSettings()) {
		out = append(out, engine.Followup{SessionID: after.ID, Command: &lifecycle.InviteRating{By: sb.FromSystem, Auto: true}})
	}
	return out
}

// autoInvite applies the CSAT rules to a chat that just ended: invite
// when auto-invite is on, an agent handled the chat (not a bot alone),
// the system did not end it, nobody invited and the visitor did not rate,
// enough human messages followed the pick-up, and — when one-sided chats
// are skipped — both sides wrote within the last 50 human messages.
func autoInvite(s *sb.Session, c sb.CSATSettings) bool {
	switch {
	case !c.AutoInvite, len(s.Handles) == 0, s.DisconnectedBy == lifecycle.BySystem,
		s.RatingInvites > 0, s.Rating != nil, s.Messages.AfterPickup < c.MinMessages:
		return false
	case c.SkipOneSided:
		return strings.Contains(s.Messages.Sides, "v") && strings.Contains(s.Messages.Sides, "a")
	}
	return true
}

// receipt thanks the visitor for the counted rating of a chat.
func (d *Dispatcher) receipt(after *sb.Session, events []sb.Event) []engine.Followup {
	text := d.dir.CSATSettings().Receipt
	if after.Medium != sb.MediumChat || text == "" {
		return nil
	}
	for _, e := range events {
		if e.Type == lifecycle.EventRated && after.Ratings == 1 {
			return []engine.Followup{notice(after.ID, lifecycle.PurposeRatingReceipt, text, "")}
		}
	}
	return nil
}

// noFreeAgent tells a visitor whose chat starts waiting that no agent is
// free, when routing could not hand it to anybody at once.
func (d *Dispatcher) noFreeAgent(after *sb.Session, ds []routing.Decision) []engine.Followup {
	cs := d.dir.ChatSettings()
	if after.Medium != sb.MediumChat || !cs.NoFreeAgent.On() ||
		slices.ContainsFunc(ds, func(dec routing.Decision) bool { return dec.SessionID == after.ID }) {
		return nil
	}
	return []engine.Followup{notice(after.ID, lifecycle.PurposeNoFreeAgent, cs.NoFreeAgent.Text, cs.DispatcherNickname)}
}

func notice(sessionID int64, purpose, text, nickname string) engine.Followup {
	return engine.Followup{SessionID: sessionID, Command: &lifecycle.Notice{Purpose: purpose, Text: text, Nickname: nickname}}
}

func hasEvent(events []sb.Event, t sb.EventType) bool {
	return slices.ContainsFunc(events, func(e sb.Event) bool { return e.Type == t })
}
