package directory

import (
	"context"
	"regexp"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

var colorRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// CustomerTags lists the customer tags by ID.
func (d *Directory) CustomerTags() []sb.CustomerTag { return list(d, d.tags) }

// GetCustomerTag returns one customer tag.
func (d *Directory) GetCustomerTag(id int64) (sb.CustomerTag, error) {
	return get(d, d.tags, id, "customer tag")
}

// SaveCustomerTag creates (ID 0) or replaces a customer tag. Names are
// unique regardless of case; the level is 0 to 9.
func (d *Directory) SaveCustomerTag(ctx context.Context, t sb.CustomerTag) (sb.CustomerTag, error) {
	t.Name = strings.TrimSpace(t.Name)
	for _, err := range []error{
		validate.Text("name", t.Name, 50, true),
		validate.Range("level", int64(t.Level), 0, 9),
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
	for _, o := range d.tags {
		if o.ID != t.ID && strings.EqualFold(o.Name, t.Name) {
			return t, sb.Errorf(sb.ECONFLICT, "customer tag %d is named %q already", o.ID, o.Name)
		}
	}
	if err := stamp(ctx, d, KindCustomerTag, d.tags, &t.ID, &t.CreatedAt, func(o *sb.CustomerTag) time.Time { return o.CreatedAt }); err != nil {
		return t, err
	}
	t.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	return t, persist(ctx, d, KindCustomerTag, t.ID, d.tags, t)
}

// CustomerLevel returns the priority level of a customer with these tags:
// the highest level among the configured tags it carries (0 when none).
// Tags match regardless of case.
func (d *Directory) CustomerLevel(tags []string) int {
	if len(tags) == 0 {
		return 0
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	level := 0
	for _, name := range tags {
		for _, t := range d.tags {
			if t.Level > level && strings.EqualFold(t.Name, name) {
				level = t.Level
			}
		}
	}
	return level
}
