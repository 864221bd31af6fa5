package directory

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// KindWebPlugin is the config kind of web plugins.
const KindWebPlugin = "web_plugin"

// DefaultThemeColor is a web plugin's colour when none is chosen.
const DefaultThemeColor = "#2563eb"

// Web plugin limits.
const (
	MaxWebPlugins   = 200
	maxInvitations  = 20
	maxFAQ          = 50
	maxSelfService  = 20
	maxInviteDelay  = 24 * 3600
	pluginKeyBytes  = 16
	pluginSecretLen = 32
)

// WebPlugins lists the web plugins by ID.
func (d *Directory) WebPlugins() []sb.WebPlugin { return list(d, d.wplugs) }

// GetWebPlugin returns one web plugin.
func (d *Directory) GetWebPlugin(id int64) (sb.WebPlugin, error) {
	return get(d, d.wplugs, id, "web plugin")
}

// WebPluginByKey returns the web plugin with this public key.
func (d *Directory) WebPluginByKey(key string) (sb.WebPlugin, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, p := range d.wplugs {
		if p.Key == key {
			return *p, nil
		}
	}
	return sb.WebPlugin{}, sb.Errorf(sb.ENOTFOUND, "no web plugin has this key")
}

// SaveWebPlugin creates (ID 0) or replaces a web plugin. A new plugin gets
// a random public key and identity secret; a replaced one keeps both,
// whatever the input says.
func (d *Directory) SaveWebPlugin(ctx context.Context, p sb.WebPlugin) (sb.WebPlugin, error) {
	if err := validateWebPlugin(&p); err != nil {
		return p, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.queues[p.QueueID]; p.QueueID != 0 && !ok {
		return p, sb.Errorf(sb.EINVALID, "queue_id: queue %d not found", p.QueueID)
	}
	if old, ok := d.wplugs[p.ID]; ok {
		p.Key, p.IdentitySecret = old.Key, old.IdentitySecret
	} else if p.ID == 0 {
		if len(d.wplugs) >= MaxWebPlugins {
			return p, sb.Errorf(sb.ECONFLICT, "there are %d web plugins already, the most allowed", MaxWebPlugins)
		}
		var err error
		if p.Key, p.IdentitySecret, err = newPluginCredentials(); err != nil {
			return p, err
		}
	}
	for _, o := range d.wplugs {
		if o.ID != p.ID && strings.EqualFold(o.Name, p.Name) {
			return p, sb.Errorf(sb.ECONFLICT, "web plugin %d is named %q already", o.ID, o.Name)
		}
	}
	if err := stamp(ctx, d, KindWebPlugin, d.wplugs, &p.ID, &p.CreatedAt, func(o *sb.WebPlugin) time.Time { return o.CreatedAt }); err != nil {
		return p, err
	}
	p.UpdatedAt = d.clock.Now().UTC().Truncate(time.Millisecond)
	return p, persist(ctx, d, KindWebPlugin, p.ID, d.wplugs, p)
}

// DeleteWebPlugin deletes a web plugin. Its embed code stops working;
// sessions that came through it keep their records.
func (d *Directory) DeleteWebPlugin(ctx context.Context, id int64) error {
	return deleteFrom(ctx, d, KindWebPlugin, d.wplugs, id, "web plugin")
}

func newPluginCredentials() (key, secret string, err error) {
	k := make([]byte, pluginKeyBytes)
	s := make([]byte, pluginSecretLen)
	if _, err := rand.Read(k); err != nil {
		return "", "", fmt.Errorf("web plugin key: %w", err)
	}
	if _, err := rand.Read(s); err != nil {
		return "", "", fmt.Errorf("web plugin secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(k), hex.EncodeToString(s), nil
}

func validateWebPlugin(p *sb.WebPlugin) error {
	p.Name = strings.TrimSpace(p.Name)
	if p.ThemeColor == "" {
		p.ThemeColor = DefaultThemeColor
	}
	if p.Title == "" {
		p.Title = p.Name
	}
	if p.AfterHours == "" {
		p.AfterHours = sb.AfterHoursLeaveMessage
	}
	p.QuickButtons, p.Toolbar = nonNilStrings(p.QuickButtons), nonNilStrings(p.Toolbar)
	errs := []error{
		validate.Text("name", p.Name, 100, true),
		validate.Text("title", p.Title, 100, true),
		validate.Text("banner", p.Banner, 500, false),
		validate.Text("entry", p.Entry, 100, false),
		validate.URL("logo_url", p.LogoURL, "https"),
		validate.OneOf("after_hours", p.AfterHours, true, sb.AfterHoursLeaveMessage, sb.AfterHoursMessage, sb.AfterHoursOpenChat),
		validate.Text("after_hours_text", p.AfterHoursText, 1000, p.AfterHours == sb.AfterHoursMessage),
		validate.Range("leave_message_template_id", p.LeaveMessageTemplateID, 0, 1<<53),
		validate.Range("queue_id", p.QueueID, 0, 1<<53),
		validate.URL("sidebar.menu_url", p.Sidebar.MenuURL, "https", "http"),
		validate.Range("invitations", int64(len(p.Invitations)), 0, maxInvitations),
		validate.Range("sidebar.faq", int64(len(p.Sidebar.FAQ)), 0, maxFAQ),
		validate.Range("sidebar.self_service", int64(len(p.Sidebar.SelfService)), 0, maxSelfService),
		oneEach("quick_buttons", p.QuickButtons, sb.ButtonHuman, sb.ButtonRate, sb.ButtonLeaveMessage),
		oneEach("toolbar", p.Toolbar, sb.ToolEmoji, sb.ToolImage, sb.ToolAttachment, sb.ToolRating, sb.ToolMessage),
	}
	if !colorRe.MatchString(p.ThemeColor) {
		errs = append(errs, sb.Errorf(sb.EINVALID, "theme_color must be a hex colour such as #2563eb"))
	}
	for i, inv := range p.Invitations {
		f := fmt.Sprintf("invitations[%d]", i)
		errs = append(errs, validate.Text(f+".text", inv.Text, 500, true),
			validate.Text(f+".url_contains", inv.URLContains, 500, false),
			validate.Range(f+".after_seconds", int64(inv.AfterSeconds), 0, maxInviteDelay))
		if inv.AfterSeconds == 0 && inv.URLContains == "" {
			errs = append(errs, sb.Errorf(sb.EINVALID, "%s needs after_seconds or url_contains", f))
		}
	}
	for i, q := range p.Sidebar.FAQ {
		f := fmt.Sprintf("sidebar.faq[%d]", i)
		errs = append(errs, validate.Text(f+".question", q.Question, 200, true), validate.Text(f+".answer", q.Answer, 2000, true))
	}
	for i, q := range p.Sidebar.SelfService {
		errs = append(errs, validate.Text(fmt.Sprintf("sidebar.self_service[%d]", i), q, 200, true))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// oneEach checks that every value is allowed and none repeats.
func oneEach(field string, vals []string, allowed ...string) error {
	for i, v := range vals {
		if err := validate.OneOf(fmt.Sprintf("%s[%d]", field, i), v, true, allowed...); err != nil {
			return err
		}
		if slices.Contains(vals[:i], v) {
			return sb.Errorf(sb.EINVALID, "%s lists %s twice", field, v)
		}
	}
	return nil
}

func nonNilStrings(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
