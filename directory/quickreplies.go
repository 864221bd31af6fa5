package directory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// Config kinds of quick replies and their categories (SPEC §2.4).
const (
	KindQuickReplyCategory = "quick_reply_category"
	KindQuickReply         = "quick_reply"
)

// Quick reply limits, per owner (the public set, or one agent's personal set).
const (
	MaxShortcutLength       = 30
	MaxQuickReplyContent    = 5000
	MaxQuickReplies         = 1000
	MaxQuickReplyCategories = 100
)

// QuickReplies returns the categories and replies an agent sees: the
// public ones and, when agentID is not 0, that agent's personal ones; with
// all set, every one. Both lists are ordered by position, then ID.
func (d *Directory) QuickReplies(agentID int64, all bool) ([]sb.QuickReplyCategory, []sb.QuickReply) {
	visible := func(owner int64) bool { return all || owner == 0 || owner == agentID }
	cats := []sb.QuickReplyCategory{}
	for _, c := range list(d, d.qcats) {
		if visible(c.AgentID) {
			cats = append(cats, c)
		}
	}
	replies := []sb.QuickReply{}
	for _, r := range list(d, d.qrs) {
		if visible(r.AgentID) {
			replies = append(replies, r)
		}
	}
	slices.SortStableFunc(cats, func(a, b sb.QuickReplyCategory) int { return a.Position - b.Position })
	slices.SortStableFunc(replies, func(a, b sb.QuickReply) int { return a.Position - b.Position })
	return cats, replies
}

// GetQuickReplyCategory returns one quick reply category.
func (d *Directory) GetQuickReplyCategory(id int64) (sb.QuickReplyCategory, error) {
	return get(d, d.qcats, id, "quick reply category")
}

// GetQuickReply returns one quick reply.
func (d *Directory) GetQuickReply(id int64) (sb.QuickReply, error) {
	return get(d, d.qrs, id, "quick reply")
}

// SaveQuickReplyCategory creates (ID 0) or replaces a quick reply
// category. Names are unique within the owner's set regardless of case; the
// owner (AgentID, 0 for public) cannot change.
func (d *Directory) SaveQuickReplyCategory(ctx context.Context, c sb.QuickReplyCategory) (sb.QuickReplyCategory, error) {
	c.Name = strings.TrimSpace(c.Name)
	for _, err := range []error{
		validate.Text("name", c.Name, 50, true),
		validate.Range("position", int64(c.Position), 0, 100000),
		validate.Range("agent_id", c.AgentID, 0, 1<<53),
	} {
		if err != nil {
			return c, err
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ownerLocked(c.ID, c.AgentID, func() (int64, bool) {
		old, ok := d.qcats[c.ID]
		if !ok {
			return 0, false
		}
		return old.AgentID, true
	}); err != nil {
		return c, err
	}
	n := 0
	for _, o := range d.qcats {
		if o.ID == c.ID || o.AgentID != c.AgentID {
			continue
		}
		n++
		if strings.EqualFold(o.Name, c.Name) {
			return c, sb.Errorf(sb.ECONFLICT, "quick reply category %d is named %q already", o.ID, o.Name)
		}
	}
	if n >= MaxQuickReplyCategories {
		return c, sb.Errorf(sb.ECONFLICT, "there are %d quick reply categories in this set already, the most allowed", n)
	}
	if err := stamp(ctx, d, KindQuickReplyCategory, d.qcats, &c.ID, &c.CreatedAt, func(o *sb.QuickReplyCategory) time.Time { return o.CreatedAt }); err != nil {
		return c, err
	}
	c.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	return c, persist(ctx, d, KindQuickReplyCategory, c.ID, d.qcats, c)
}

// SaveQuickReply creates (ID 0) or replaces a quick reply. The shortcut is
// 1 to 30 characters without spaces, unique regardless of case among the
// public replies and the owner's personal ones (a public shortcut among
// all replies); the category, if any, has the same owner; the owner cannot
// change.
func (d *Directory) SaveQuickReply(ctx context.Context, r sb.QuickReply) (sb.QuickReply, error) {
	for _, err := range []error{
		validate.Text("shortcut", r.Shortcut, MaxShortcutLength, true),
		validate.Text("content", r.Content, MaxQuickReplyContent, true),
		validate.Range("position", int64(r.Position), 0, 100000),
		validate.Range("category_id", r.CategoryID, 0, 1<<53),
		validate.Range("agent_id", r.AgentID, 0, 1<<53),
	} {
		if err != nil {
			return r, err
		}
	}
	if strings.IndexFunc(r.Shortcut, unicode.IsSpace) >= 0 {
		return r, sb.Errorf(sb.EINVALID, "shortcut must not contain spaces")
	}
	if strings.HasPrefix(r.Shortcut, "/") {
		return r, sb.Errorf(sb.EINVALID, "shortcut is typed after a /; leave the / out")
	}
	if strings.TrimSpace(r.Content) == "" {
		return r, sb.Errorf(sb.EINVALID, "content is required")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ownerLocked(r.ID, r.AgentID, func() (int64, bool) {
		old, ok := d.qrs[r.ID]
		if !ok {
			return 0, false
		}
		return old.AgentID, true
	}); err != nil {
		return r, err
	}
	if r.CategoryID != 0 {
		c, ok := d.qcats[r.CategoryID]
		if !ok {
			return r, sb.Errorf(sb.EINVALID, "category_id: quick reply category %d not found", r.CategoryID)
		}
		if c.AgentID != r.AgentID {
			return r, sb.Errorf(sb.EINVALID, "category_id: quick reply category %d belongs to another set", r.CategoryID)
		}
	}
	n := 0
	for _, o := range d.qrs {
		if o.ID == r.ID {
			continue
		}
		if o.AgentID == r.AgentID {
			n++
		}
		clash := r.AgentID == 0 || o.AgentID == 0 || o.AgentID == r.AgentID
		if clash && strings.EqualFold(o.Shortcut, r.Shortcut) {
			return r, sb.Errorf(sb.ECONFLICT, "quick reply %d has the shortcut %q already", o.ID, o.Shortcut)
		}
	}
	if n >= MaxQuickReplies {
		return r, sb.Errorf(sb.ECONFLICT, "there are %d quick replies in this set already, the most allowed", n)
	}
	if err := stamp(ctx, d, KindQuickReply, d.qrs, &r.ID, &r.CreatedAt, func(o *sb.QuickReply) time.Time { return o.CreatedAt }); err != nil {
		return r, err
	}
	r.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	return r, persist(ctx, d, KindQuickReply, r.ID, d.qrs, r)
}

// ownerLocked checks the owner of a quick reply or category: an agent that
// exists, and for a replaced record the owner it had. d.mu must be held.
func (d *Directory) ownerLocked(id, agentID int64, stored func() (int64, bool)) error {
	if _, ok := d.agents[agentID]; agentID != 0 && !ok {
		return sb.Errorf(sb.EINVALID, "agent_id: agent %d not found", agentID)
	}
	if id == 0 {
		return nil
	}
	owner, ok := stored()
	if !ok {
		return nil // stamp reports it missing
	}
	if owner != agentID {
		return sb.Errorf(sb.EINVALID, "agent_id cannot change: the record belongs to %s", ownerName(owner))
	}
	return nil
}

func ownerName(agentID int64) string {
	if agentID == 0 {
		return "the public set"
	}
	return fmt.Sprintf("agent %d", agentID)
}

// DeleteQuickReplyCategory deletes a category that holds no reply.
func (d *Directory) DeleteQuickReplyCategory(ctx context.Context, id int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.qcats[id]; !ok {
		return sb.Errorf(sb.ENOTFOUND, "quick reply category %d not found", id)
	}
	for _, r := range d.qrs {
		if r.CategoryID == id {
			return inUse("quick reply category", id, fmt.Sprintf("quick reply %d is in it", r.ID))
		}
	}
	return d.remove(ctx, KindQuickReplyCategory, id, func() { delete(d.qcats, id) })
}

// DeleteQuickReply deletes a quick reply.
func (d *Directory) DeleteQuickReply(ctx context.Context, id int64) error {
	return deleteFrom(ctx, d, KindQuickReply, d.qrs, id, "quick reply")
}
