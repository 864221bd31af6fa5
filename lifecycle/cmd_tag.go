package lifecycle

import (
	"slices"

	sb "github.com/switchboardhq/switchboard"
)

// TagsData is the data of tags_changed.
type TagsData struct {
	Added   []sb.TagRef `json:"added,omitempty"`
	Removed []int64     `json:"removed,omitempty"`
}

// Tag adds and removes session tags. The server resolves Add into AddRefs
// (the tags' names at the time) before the command runs.
type Tag struct {
	Add     []int64     `json:"add,omitempty"`
	Remove  []int64     `json:"remove,omitempty"`
	AddRefs []sb.TagRef `json:"-"`
}

// Name implements Command.
func (*Tag) Name() string { return "tag" }

// Validate implements Command.
func (c *Tag) Validate() error {
	if len(c.Add)+len(c.Remove) == 0 {
		return sb.Errorf(sb.EINVALID, "give tags to add or to remove")
	}
	if len(c.Add)+len(c.Remove) > 50 {
		return sb.Errorf(sb.EINVALID, "at most 50 tags at once")
	}
	for _, id := range c.Add {
		if slices.Contains(c.Remove, id) {
			return sb.Errorf(sb.EINVALID, "session tag %d is both added and removed", id)
		}
	}
	if len(c.AddRefs) != len(c.Add) {
		return sb.Errorf(sb.EINVALID, "the tags to add were not resolved")
	}
	return nil
}

func (c *Tag) decide(s *sb.Session, _ *Env) ([]draft, error) {
	d := &TagsData{}
	for _, t := range c.AddRefs {
		if !slices.ContainsFunc(s.Tags, func(o sb.TagRef) bool { return o.ID == t.ID }) {
			d.Added = append(d.Added, t)
		}
	}
	for _, id := range c.Remove {
		if slices.ContainsFunc(s.Tags, func(o sb.TagRef) bool { return o.ID == id }) {
			d.Removed = append(d.Removed, id)
		}
	}
	if len(d.Added)+len(d.Removed) == 0 {
		return nil, conflict("tag", s, "the session has these tags already, or not the ones to remove")
	}
	return []draft{{EventTagsChanged, d}}, nil
}
