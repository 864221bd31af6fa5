package directory

import (
	"context"
	"slices"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// KindSessionTag is the config kind of session tags.
const KindSessionTag = "session_tag"

// Session tag tree limits (SPEC §4.6).
const (
	MaxTagDepth     = 10
	MaxTopLevelTags = 30
	MaxSessionTags  = 1000
)

// SessionTags lists the session tags: parents before children, siblings
// by position, then ID.
func (d *Directory) SessionTags() []sb.SessionTag {
	all := list(d, d.stags)
	children := map[int64][]sb.SessionTag{}
	for _, t := range all {
		children[t.ParentID] = append(children[t.ParentID], t)
	}
	var out []sb.SessionTag
	var walk func(parent int64)
	walk = func(parent int64) {
		kids := children[parent]
		slices.SortStableFunc(kids, func(a, b sb.SessionTag) int { return a.Position - b.Position })
		for _, k := range kids {
			out = append(out, k)
			walk(k.ID)
		}
	}
	walk(0)
	return out
}

// GetSessionTag returns one session tag.
func (d *Directory) GetSessionTag(id int64) (sb.SessionTag, error) {
	return get(d, d.stags, id, "session tag")
}

// SaveSessionTag creates (ID 0) or replaces a session tag, keeping the
// tree within its limits: a parent that exists, no cycle, at most 10
// levels, 30 first-level tags and 1000 tags, names unique among siblings.
func (d *Directory) SaveSessionTag(ctx context.Context, t sb.SessionTag) (sb.SessionTag, error) {
	t.Name = strings.TrimSpace(t.Name)
	for _, err := range []error{
		validate.Text("name", t.Name, 50, true),
		validate.Range("parent_id", t.ParentID, 0, 1<<53),
		validate.Range("position", int64(t.Position), 0, 100000),
	} {
		if err != nil {
			return t, err
		}
	}
	if t.Color != "" && !colorRe.MatchString(t.Color) {
		return t, sb.Errorf(sb.EINVALID, "color must be a hex colour such as #d93f0b")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	_, exists := d.stags[t.ID]
	if !exists && len(d.stags) >= MaxSessionTags {
		return t, sb.Errorf(sb.ECONFLICT, "there are %d session tags already, the most allowed", MaxSessionTags)
	}
	depth := 1
	for p := t.ParentID; p != 0; depth++ {
		if p == t.ID && t.ID != 0 {
			return t, sb.Errorf(sb.EINVALID, "parent_id %d would make a cycle", t.ParentID)
		}
		parent, ok := d.stags[p]
		if !ok {
			return t, sb.Errorf(sb.EINVALID, "parent session tag %d not found", p)
		}
		p = parent.ParentID
	}
	if depth+d.subtreeHeight(t.ID)-1 > MaxTagDepth {
		return t, sb.Errorf(sb.EINVALID, "session tags nest at most %d levels", MaxTagDepth)
	}
	top := 0
	for _, o := range d.stags {
		if o.ID == t.ID {
			continue
		}
		if o.ParentID == 0 {
			top++
		}
		if o.ParentID == t.ParentID && strings.EqualFold(o.Name, t.Name) {
			return t, sb.Errorf(sb.ECONFLICT, "session tag %d is named %q under the same parent", o.ID, o.Name)
		}
	}
	if t.ParentID == 0 && top >= MaxTopLevelTags {
		return t, sb.Errorf(sb.ECONFLICT, "there are %d first-level session tags already, the most allowed", MaxTopLevelTags)
	}
	if err := stamp(ctx, d, KindSessionTag, d.stags, &t.ID, &t.CreatedAt, func(o *sb.SessionTag) time.Time { return o.CreatedAt }); err != nil {
		return t, err
	}
	t.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	return t, persist(ctx, d, KindSessionTag, t.ID, d.stags, t)
}

// subtreeHeight is how many levels a tag and its descendants span (0 for
// a new tag). d.mu must be held.
func (d *Directory) subtreeHeight(id int64) int {
	if id == 0 {
		return 1
	}
	h := 1
	for _, o := range d.stags {
		if o.ParentID == id {
			h = max(h, 1+d.subtreeHeight(o.ID))
		}
	}
	return h
}

// DeleteSessionTag deletes a session tag without children. Sessions keep
// the tag's name in their log.
func (d *Directory) DeleteSessionTag(ctx context.Context, id int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.stags[id]; !ok {
		return sb.Errorf(sb.ENOTFOUND, "session tag %d not found", id)
	}
	for _, o := range d.stags {
		if o.ParentID == id {
			return inUse("session tag", id, "session tag "+o.Name+" is its child")
		}
	}
	return d.remove(ctx, KindSessionTag, id, func() { delete(d.stags, id) })
}

// SessionTagRefs resolves session tag IDs to their snapshots.
func (d *Directory) SessionTagRefs(ids []int64) ([]sb.TagRef, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]sb.TagRef, 0, len(ids))
	for _, id := range ids {
		t, ok := d.stags[id]
		if !ok {
			return nil, sb.Errorf(sb.EINVALID, "session tag %d not found", id)
		}
		out = append(out, sb.TagRef{ID: t.ID, Name: t.Name})
	}
	return out, nil
}
