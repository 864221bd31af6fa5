package directory_test

import (
	"fmt"
	"strings"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
)

func form(name string, fields ...sb.TemplateField) sb.LeaveMessageTemplate {
	return sb.LeaveMessageTemplate{Name: name, Fields: fields}
}

func TestLeaveMessageTemplatesKeepOneDefault(t *testing.T) {
	e := newEnv(t)
	save := func(tp sb.LeaveMessageTemplate) sb.LeaveMessageTemplate {
		t.Helper()
		out, err := e.dir.SaveLeaveMessageTemplate(e.ctx, tp)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	defaults := func() []int64 {
		var out []int64
		for _, tp := range e.dir.LeaveMessageTemplates() {
			if tp.Default {
				out = append(out, tp.ID)
			}
		}
		return out
	}
	if _, err := e.dir.ResolveLeaveMessageTemplate(0); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("default of none: %v", err)
	}
	first := save(form("Contact us", sb.TemplateField{Key: "email", Label: "E-mail", Type: "email", Required: true}))
	if !first.Default || first.Fields[0].Key != "email" {
		t.Errorf("the first template is not the default: %+v", first)
	}
	second := save(form("Sales"))
	if second.Default || second.Fields == nil {
		t.Errorf("second %+v", second)
	}
	second.Default = true
	save(second)
	if got := defaults(); len(got) != 1 || got[0] != second.ID {
		t.Errorf("defaults %v, want [%d]", got, second.ID)
	}
	if r, _ := e.dir.ResolveLeaveMessageTemplate(0); r.ID != second.ID {
		t.Errorf("resolved default %d", r.ID)
	}
	if r, _ := e.dir.ResolveLeaveMessageTemplate(first.ID); r.ID != first.ID {
		t.Errorf("resolved %d", r.ID)
	}
	second.Default = false
	if _, err := e.dir.SaveLeaveMessageTemplate(e.ctx, second); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("unsetting the default: %v", err)
	}
	if err := e.dir.DeleteLeaveMessageTemplate(e.ctx, second.ID); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("deleting the default while others exist: %v", err)
	}
	if _, err := e.dir.SaveLeaveMessageTemplate(e.ctx, form("SALES")); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("duplicate name: %v", err)
	}
	// After a reopen the same one is the default.
	d := e.reopen()
	if r, _ := d.ResolveLeaveMessageTemplate(0); r.ID != second.ID {
		t.Errorf("after reopen the default is %d", r.ID)
	}
	if err := e.dir.DeleteLeaveMessageTemplate(e.ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.dir.DeleteLeaveMessageTemplate(e.ctx, second.ID); err != nil {
		t.Errorf("deleting the last template: %v", err)
	}
	third := save(form("Again"))
	if !third.Default || third.ID != 3 {
		t.Errorf("a template after all were deleted: %+v", third)
	}
}

func TestLeaveMessageTemplateValidation(t *testing.T) {
	e := newEnv(t)
	f := func(key, typ string, options ...string) sb.TemplateField {
		return sb.TemplateField{Key: key, Label: "Label", Type: typ, Options: options}
	}
	many := make([]sb.TemplateField, 21)
	for i := range many {
		many[i] = f(fmt.Sprintf("k%d", i), "text")
	}
	for name, tp := range map[string]sb.LeaveMessageTemplate{
		"no name":             form(" "),
		"21 fields":           form("x", many...),
		"upper-case key":      form("x", f("Order", "text")),
		"key with a dash":     form("x", f("order-no", "text")),
		"empty key":           form("x", f("", "text")),
		"duplicate key":       form("x", f("a", "text"), f("a", "textarea")),
		"content key":         form("x", f("content", "textarea")),
		"unknown type":        form("x", f("a", "date")),
		"no label":            form("x", sb.TemplateField{Key: "a", Type: "text"}),
		"select no options":   form("x", f("a", "select")),
		"options on text":     form("x", f("a", "text", "one")),
		"duplicate option":    form("x", f("a", "select", "one", "one")),
		"empty option":        form("x", f("a", "select", "one", "")),
		"email typed as text": form("x", f("email", "text")),
		"phone typed as text": form("x", f("phone", "textarea")),
		"long intro":          {Name: "x", Intro: strings.Repeat("i", 1001)},
	} {
		if _, err := e.dir.SaveLeaveMessageTemplate(e.ctx, tp); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("%s: err = %v, want invalid", name, err)
		}
	}
	if len(e.dir.LeaveMessageTemplates()) != 0 {
		t.Error("a refused template was stored")
	}
	if _, err := e.dir.SaveLeaveMessageTemplate(e.ctx, form("twenty", many[:20]...)); err != nil {
		t.Errorf("20 fields: %v", err)
	}
}

func TestCheckAnswers(t *testing.T) {
	tp := form("Contact",
		sb.TemplateField{Key: "name", Label: "Name", Type: "text", Required: true},
		sb.TemplateField{Key: "email", Label: "E-mail", Type: "email"},
		sb.TemplateField{Key: "phone", Label: "Phone", Type: "phone"},
		sb.TemplateField{Key: "topic", Label: "Topic", Type: "select", Options: []string{"Sales", "Billing"}, Required: true},
		sb.TemplateField{Key: "order_no", Label: "Order", Type: "text"},
	)
	answers := map[string]string{"name": " Dana ", "email": "dana@example.com", "phone": "+1 222 333-4444", "topic": "Billing", "order_no": ""}
	name, email, phone, err := directory.CheckAnswers(tp, answers)
	if err != nil {
		t.Fatal(err)
	}
	if name != "Dana" || email != "dana@example.com" || phone != "+12223334444" || len(answers) != 1 || answers["topic"] != "Billing" {
		t.Errorf("got %q %q %q %v", name, email, phone, answers)
	}
	for why, a := range map[string]map[string]string{
		"required missing":   {"topic": "Sales"},
		"required blank":     {"name": "  ", "topic": "Sales"},
		"bad e-mail":         {"name": "D", "topic": "Sales", "email": "dana@"},
		"bad phone":          {"name": "D", "topic": "Sales", "phone": "call me"},
		"not an option":      {"name": "D", "topic": "sales"},
		"unknown field":      {"name": "D", "topic": "Sales", "colour": "red"},
		"too long":           {"name": strings.Repeat("n", 201), "topic": "Sales"},
		"control character":  {"name": "D\x00", "topic": "Sales"},
		"required null-like": {"name": "", "topic": "Sales"},
	} {
		if _, _, _, err := directory.CheckAnswers(tp, a); sb.ErrorCode(err) != sb.EINVALID {
			t.Errorf("%s: err = %v, want invalid", why, err)
		}
	}
}

// A write that failed half-way may leave two defaults or none in the
// store; opening the directory keeps exactly one, the lowest ID.
func TestOpenRepairsTheDefaultTemplate(t *testing.T) {
	e := newEnv(t)
	put := func(id int64, def bool) {
		t.Helper()
		doc := fmt.Sprintf(`{"id":%d,"name":"T%d","fields":[],"default":%t}`, id, id, def)
		if err := e.db.PutConfig(e.ctx, directory.KindLeaveMessageTemplate, id, []byte(doc)); err != nil {
			t.Fatal(err)
		}
	}
	put(4, true)
	put(2, false)
	put(7, true)
	if r, err := e.reopen().ResolveLeaveMessageTemplate(0); err != nil || r.ID != 4 {
		t.Errorf("two defaults: resolved %d %v, want 4", r.ID, err)
	}
	put(4, false)
	put(7, false)
	if r, err := e.reopen().ResolveLeaveMessageTemplate(0); err != nil || r.ID != 2 {
		t.Errorf("no default: resolved %d %v, want 2", r.ID, err)
	}
}
