package directory_test

import (
	"regexp"
	"slices"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/validate"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// FuzzCheckAnswers feeds arbitrary answers to a form: they are refused as
// invalid, or every kept answer fits its field.
func FuzzCheckAnswers(f *testing.F) {
	tp := form("Contact",
		sb.TemplateField{Key: "name", Label: "Name", Type: "text", Required: true},
		sb.TemplateField{Key: "email", Label: "E-mail", Type: "email"},
		sb.TemplateField{Key: "phone", Label: "Phone", Type: "phone"},
		sb.TemplateField{Key: "topic", Label: "Topic", Type: "select", Options: []string{"Sales", "Billing"}},
		sb.TemplateField{Key: "details", Label: "Details", Type: "textarea", Required: true},
	)
	f.Add("name", "Dana", "email", "dana@example.com", "phone", "+1 222 333 4444", "details", "x")
	f.Add("name", " ", "topic", "Sales", "details", "y", "colour", "red")
	f.Add("topic", "sales", "name", "D\x00", "email", "@", "phone", "()")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3, k4, v4 string) {
		answers := map[string]string{k1: v1, k2: v2, k3: v3, k4: v4}
		name, email, phone, err := directory.CheckAnswers(tp, answers)
		if err != nil {
			if sb.ErrorCode(err) != sb.EINVALID {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if name == "" || answers["details"] == "" {
			t.Fatalf("a required answer is missing: %q %v", name, answers)
		}
		if validate.Email("email", email) != nil || (phone != "" && !e164.MatchString(phone)) {
			t.Fatalf("accepted e-mail %q, phone %q", email, phone)
		}
		for k, v := range answers {
			switch k {
			case "topic":
				if !slices.Contains([]string{"Sales", "Billing"}, v) {
					t.Fatalf("topic %q", v)
				}
			case "details":
				if validate.Text(k, v, 2000, true) != nil {
					t.Fatalf("details %q", v)
				}
			default:
				t.Fatalf("answer %q kept", k)
			}
		}
	})
}
