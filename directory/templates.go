package directory

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// KindLeaveMessageTemplate is the config kind of leave-message templates.
const KindLeaveMessageTemplate = "leave_message_template"

// Leave-message template limits (SPEC §2.3).
const (
	MaxTemplateFields  = 20
	MaxFieldOptions    = 50
	MaxTemplates       = 100
	MaxFieldKeyLength  = 40
	MaxTemplateIntro   = 1000
	MaxFieldLabelChars = 100
)

// Template field types.
const (
	FieldText     = "text"
	FieldTextarea = "textarea"
	FieldEmail    = "email"
	FieldPhone    = "phone"
	FieldSelect   = "select"
)

var fieldKeyRe = regexp.MustCompile(`^[a-z0-9_]+$`)

// contactKeys are the field keys whose answers an offline message keeps in
// its own name, email and phone members, with the type each must have.
var contactKeys = map[string]string{"name": FieldText, "email": FieldEmail, "phone": FieldPhone}

// LeaveMessageTemplates lists the templates by ID.
func (d *Directory) LeaveMessageTemplates() []sb.LeaveMessageTemplate { return list(d, d.forms) }

// GetLeaveMessageTemplate returns one template.
func (d *Directory) GetLeaveMessageTemplate(id int64) (sb.LeaveMessageTemplate, error) {
	return get(d, d.forms, id, "leave-message template")
}

// ResolveLeaveMessageTemplate returns the template with this ID, or the
// default template for ID 0. ENOTFOUND when there is none.
func (d *Directory) ResolveLeaveMessageTemplate(id int64) (sb.LeaveMessageTemplate, error) {
	if id != 0 {
		return d.GetLeaveMessageTemplate(id)
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, t := range d.forms {
		if t.Default {
			return *t, nil
		}
	}
	return sb.LeaveMessageTemplate{}, sb.Errorf(sb.ENOTFOUND, "there is no default leave-message template")
}

// SaveLeaveMessageTemplate creates (ID 0) or replaces a template. Exactly
// one template is the default: the first one becomes it, making another
// one the default clears the old, and the default cannot be unset (make
// another template the default instead).
func (d *Directory) SaveLeaveMessageTemplate(ctx context.Context, t sb.LeaveMessageTemplate) (sb.LeaveMessageTemplate, error) {
	t.Name = strings.TrimSpace(t.Name)
	if err := validateTemplate(&t); err != nil {
		return t, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	old, exists := d.forms[t.ID]
	if t.ID != 0 && !exists {
		return t, sb.Errorf(sb.ENOTFOUND, "leave-message template %d not found", t.ID)
	}
	if !exists && len(d.forms) >= MaxTemplates {
		return t, sb.Errorf(sb.ECONFLICT, "there are %d leave-message templates already, the most allowed", MaxTemplates)
	}
	var previous *sb.LeaveMessageTemplate // the default t replaces
	for _, o := range d.forms {
		if o.ID == t.ID {
			continue
		}
		if strings.EqualFold(o.Name, t.Name) {
			return t, sb.Errorf(sb.ECONFLICT, "leave-message template %d is named %q already", o.ID, o.Name)
		}
		if o.Default {
			previous = o
		}
	}
	switch {
	case exists && old.Default && !t.Default:
		return t, sb.Errorf(sb.ECONFLICT, "template %d is the default; make another template the default instead", t.ID)
	case previous == nil:
		t.Default = true // the first template
	}
	if err := stamp(ctx, d, KindLeaveMessageTemplate, d.forms, &t.ID, &t.CreatedAt, func(o *sb.LeaveMessageTemplate) time.Time { return o.CreatedAt }); err != nil {
		return t, err
	}
	now := d.clock.Now().UTC().Truncate(time.Millisecond)
	t.UpdatedAt = now
	if t.Default && previous != nil {
		// Clear the old default first: should the second write fail, no
		// template is the default and Open picks one, rather than two.
		cleared := *previous
		cleared.Default, cleared.UpdatedAt = false, now
		if err := persist(ctx, d, KindLeaveMessageTemplate, cleared.ID, d.forms, cleared); err != nil {
			return t, err
		}
		if err := persist(ctx, d, KindLeaveMessageTemplate, t.ID, d.forms, t); err != nil {
			if rerr := persist(ctx, d, KindLeaveMessageTemplate, previous.ID, d.forms, *previous); rerr != nil {
				return t, fmt.Errorf("%w (restoring the old default: %w)", err, rerr)
			}
			return t, err
		}
		return t, nil
	}
	return t, persist(ctx, d, KindLeaveMessageTemplate, t.ID, d.forms, t)
}

func validateTemplate(t *sb.LeaveMessageTemplate) error {
	for _, err := range []error{
		validate.Text("name", t.Name, 100, true),
		validate.Text("intro", t.Intro, MaxTemplateIntro, false),
	} {
		if err != nil {
			return err
		}
	}
	if len(t.Fields) > MaxTemplateFields {
		return sb.Errorf(sb.EINVALID, "fields: at most %d fields", MaxTemplateFields)
	}
	if t.Fields == nil {
		t.Fields = []sb.TemplateField{}
	}
	seen := map[string]bool{}
	for i := range t.Fields {
		f := &t.Fields[i]
		at := fmt.Sprintf("fields[%d]", i)
		f.Label = strings.TrimSpace(f.Label)
		if f.Key == "" || len(f.Key) > MaxFieldKeyLength || !fieldKeyRe.MatchString(f.Key) {
			return sb.Errorf(sb.EINVALID, "%s.key must be 1 to %d characters of a-z, 0-9 and _", at, MaxFieldKeyLength)
		}
		if f.Key == "content" {
			return sb.Errorf(sb.EINVALID, "%s.key: content is the message itself, always asked for", at)
		}
		if seen[f.Key] {
			return sb.Errorf(sb.EINVALID, "%s.key %q is used twice", at, f.Key)
		}
		seen[f.Key] = true
		if err := validate.Text(at+".label", f.Label, MaxFieldLabelChars, true); err != nil {
			return err
		}
		if err := validate.OneOf(at+".type", f.Type, true, FieldText, FieldTextarea, FieldEmail, FieldPhone, FieldSelect); err != nil {
			return err
		}
		if want, ok := contactKeys[f.Key]; ok && f.Type != want {
			return sb.Errorf(sb.EINVALID, "%s: the %s field must have the type %s", at, f.Key, want)
		}
		if f.Type != FieldSelect {
			if len(f.Options) > 0 {
				return sb.Errorf(sb.EINVALID, "%s.options are only for the select type", at)
			}
			continue
		}
		if len(f.Options) == 0 || len(f.Options) > MaxFieldOptions {
			return sb.Errorf(sb.EINVALID, "%s.options: a select field has 1 to %d options", at, MaxFieldOptions)
		}
		for j, o := range f.Options {
			if err := validate.Text(fmt.Sprintf("%s.options[%d]", at, j), o, 100, true); err != nil {
				return err
			}
			if slices.Index(f.Options, o) != j {
				return sb.Errorf(sb.EINVALID, "%s.options: %q is listed twice", at, o)
			}
		}
	}
	return nil
}

// DeleteLeaveMessageTemplate deletes a template. The default template can
// go only when it is the last one.
func (d *Directory) DeleteLeaveMessageTemplate(ctx context.Context, id int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.forms[id]
	if !ok {
		return sb.Errorf(sb.ENOTFOUND, "leave-message template %d not found", id)
	}
	if t.Default && len(d.forms) > 1 {
		return inUse("leave-message template", id, "it is the default; make another template the default first")
	}
	return d.remove(ctx, KindLeaveMessageTemplate, id, func() { delete(d.forms, id) })
}

// normalizeDefaultTemplate keeps exactly one default template after
// loading: the lowest ID wins when a failed write left none or two.
func (c *caches) normalizeDefaultTemplate() {
	var ids []int64
	for id := range c.forms {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	found := false
	for _, id := range ids {
		t := c.forms[id]
		if t.Default && found {
			t.Default = false
		}
		found = found || t.Default
	}
	if !found && len(ids) > 0 {
		c.forms[ids[0]].Default = true
	}
}

// CheckAnswers validates the answers of a leave-message form against t:
// required fields answered, e-mail and phone answers well-formed (phones
// normalized to E.164), select answers among the options, no answer
// without a field. Answers to the name, email and phone fields are taken
// from answers too and returned separately; the rest stay in answers.
func CheckAnswers(t sb.LeaveMessageTemplate, answers map[string]string) (name, email, phone string, err error) {
	for key := range answers {
		if !slices.ContainsFunc(t.Fields, func(f sb.TemplateField) bool { return f.Key == key }) {
			return "", "", "", sb.Errorf(sb.EINVALID, "fields.%s: the form has no such field", key)
		}
	}
	for _, f := range t.Fields {
		v := strings.TrimSpace(answers[f.Key])
		at := "fields." + f.Key
		if v == "" {
			if f.Required {
				return "", "", "", sb.Errorf(sb.EINVALID, "%s (%s) is required", at, f.Label)
			}
			delete(answers, f.Key)
			continue
		}
		limit := 200
		if f.Type == FieldTextarea {
			limit = 2000
		}
		if err := validate.Text(at, v, limit, true); err != nil {
			return "", "", "", err
		}
		switch f.Type {
		case FieldEmail:
			if err := validate.Email(at, v); err != nil {
				return "", "", "", err
			}
		case FieldPhone:
			if v, err = validate.NormalizePhone(at, v); err != nil {
				return "", "", "", err
			}
		case FieldSelect:
			if !slices.Contains(f.Options, v) {
				return "", "", "", sb.Errorf(sb.EINVALID, "%s must be one of the options %s", at, strings.Join(f.Options, ", "))
			}
		}
		answers[f.Key] = v
	}
	name, email, phone = answers["name"], answers["email"], answers["phone"]
	delete(answers, "name")
	delete(answers, "email")
	delete(answers, "phone")
	return name, email, phone, nil
}
