package validate_test

import (
	"strconv"
	"strings"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// check fails unless err is nil when ok, and otherwise an invalid error
// whose message starts with the field name and contains want.
func check(t *testing.T, what string, err error, ok bool, field, want string) {
	t.Helper()
	if ok {
		if err != nil {
			t.Errorf("%s: unexpected error %v", what, err)
		}
		return
	}
	if err == nil {
		t.Errorf("%s: accepted, want an error", what)
		return
	}
	if code := sb.ErrorCode(err); code != sb.EINVALID {
		t.Errorf("%s: code %q, want %q", what, code, sb.EINVALID)
	}
	msg := sb.ErrorMessage(err)
	if !strings.HasPrefix(msg, field+" ") {
		t.Errorf("%s: message %q does not name the field %q", what, msg, field)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("%s: message %q, want it to contain %q", what, msg, want)
	}
}

func TestText(t *testing.T) {
	for _, c := range []struct {
		s        string
		max      int
		required bool
		ok       bool
		want     string
	}{
		{"", 10, false, true, ""},
		{"", 10, true, false, "subject is required"},
		{"hello", 10, true, true, ""},
		{"line 1\nline 2\r\n\tindented", 100, false, true, ""},
		{"a\x00b", 10, false, false, "subject contains a control character"},
		{"\x1b[31mred", 20, false, false, "control character"},
		{"bell\a", 10, false, false, "control character"},
		{"del\x7f", 10, false, false, "control character"},
		{"c1\u0085", 10, false, false, "control character"}, // NEL, a C1 control
		{"\v", 10, false, false, "control character"},
		{"bad \xff\xfe", 10, false, false, "subject is not valid UTF-8"},
		{"\xc3", 10, true, false, "not valid UTF-8"}, // truncated é
		// The limit counts characters, not bytes.
		{"héllo", 5, false, true, ""}, // 5 characters, 6 bytes
		{"日本語日本", 5, false, true, ""}, // 5 characters, 15 bytes
		{"😀😀😀😀😀", 5, false, true, ""}, // 5 characters, 20 bytes
		{"日本語日本語", 5, false, false, "subject is 6 characters long; the limit is 5"},
		{"hello!", 5, false, false, "subject is 6 characters long; the limit is 5"},
		{"e\u0301e\u0301e\u0301", 5, false, false, "is 6 characters long"}, // combining accents count
		{strings.Repeat("é", 100), 100, true, true, ""},
		{strings.Repeat("é", 101), 100, true, false, "is 101 characters long; the limit is 100"},
	} {
		err := validate.Text("subject", c.s, c.max, c.required)
		check(t, "Text("+quote(c.s)+")", err, c.ok, "subject", c.want)
	}
}

func TestPhone(t *testing.T) {
	for _, c := range []struct {
		s  string
		ok bool
	}{
		{"", true},
		{"+12223334444", true},
		{"+442071838750", true},
		{"+12", true},                // shortest: country code and one digit
		{"+123456789012345", true},   // 15 digits, the E.164 maximum
		{"+1234567890123456", false}, // 16 digits
		{"+1", false},
		{"+", false},
		{"12223334444", false},     // no plus
		{"+02223334444", false},    // leading zero
		{"+1 222 333 4444", false}, // spaces
		{"+1-222-333-4444", false},
		{"+1222333444a", false},
		{"+12223334444\n", false},
		{" +12223334444", false},
		{"++12223334444", false},
		{"+１２２２", false}, // full-width digits
	} {
		check(t, "Phone("+quote(c.s)+")", validate.Phone("end_user.phone", c.s), c.ok, "end_user.phone", "must be an E.164 phone number")
	}
}

func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct {
		in, out string
		ok      bool
	}{
		{"+1 800 555 0175", "+18005550175", true},
		{"+1 (800) 555-0175", "+18005550175", true},
		{"+1.800.555.0175", "+18005550175", true},
		{"+18005550175", "+18005550175", true},
		{"  +44 20 7183 8750 ", "+442071838750", true},
		{"", "", true},
		{"800 555 0175", "8005550175", false},
		{"+1 800 FLOWERS", "+1800FLOWERS", false},
		{"+0 800 555", "+0800555", false},
		{"+1\t800", "+1\t800", false}, // a tab is not removed
	} {
		got, err := validate.NormalizePhone("phone", c.in)
		if got != c.out {
			t.Errorf("NormalizePhone(%q) = %q, want %q", c.in, got, c.out)
		}
		check(t, "NormalizePhone("+quote(c.in)+")", err, c.ok, "phone", "E.164")
	}
}

func TestURL(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("a", 2048-len("https://example.com/"))
	for _, c := range []struct {
		s       string
		schemes []string
		ok      bool
		want    string
	}{
		{"", nil, true, ""},
		{"https://example.com/a.png?x=1#y", nil, true, ""},
		{"http://example.com", nil, true, ""},
		{"HTTPS://EXAMPLE.COM/", nil, true, ""},
		{"http://127.0.0.1:8080/hook", nil, true, ""},
		{long, nil, true, ""},
		{long + "a", nil, false, "webhook_url is longer than 2048 characters"},
		{"ftp://example.com/f", nil, false, "webhook_url must use one of the schemes http, https"},
		{"javascript:alert(1)", nil, false, "must use one of the schemes http, https"},
		{"example.com/path", nil, false, "webhook_url must be an absolute URL"},
		{"/relative/path", nil, false, "must be an absolute URL"},
		{"//example.com/x", nil, false, "must be an absolute URL"},
		{"://missing-scheme", nil, false, "must be an absolute URL"},
		{"http://exa mple.com", nil, false, "must be an absolute URL"},
		{"https://", nil, false, "webhook_url must be an absolute URL with a host"},
		{"https:///path", nil, false, "with a host"},
		{"https:example.com", nil, false, "with a host"},
		{"wss://example.com/socket", []string{"wss"}, true, ""},
		{"WSS://example.com/socket", []string{"WSS"}, true, ""}, // schemes match in any case
		{"https://example.com", []string{"wss"}, false, "must use one of the schemes wss"},
		{"sip:+12223334444@example.com", []string{"sip", "tel"}, true, ""}, // no host needed
		{"tel:+12223334444", []string{"sip", "tel"}, true, ""},
		{"mailto:a@example.com", []string{"sip", "tel"}, false, "must use one of the schemes sip, tel"},
		{"http://", []string{"ftp", "http"}, false, "with a host"},
	} {
		what := "URL(" + quote(c.s) + ", " + strings.Join(c.schemes, ",") + ")"
		check(t, what, validate.URL("webhook_url", c.s, c.schemes...), c.ok, "webhook_url", c.want)
	}
}

func TestLang(t *testing.T) {
	for _, c := range []struct {
		s  string
		ok bool
	}{
		{"en", true},
		{"fr-CA", true},
		{"yue", true},
		{"zh-Hant-TW", true},
		{"es-419", true},
		{"en-a1-b2-c3", true},
		{"en-a1-b2-c3-d4", false}, // four subtags
		{"", false},
		{"e", false},
		{"EN", false},
		{"engl", false},
		{"english", false},
		{"en_US", false},
		{"en-", false},
		{"en-a", false},
		{"en-abcdefghi", false},
		{"en-CA ", false},
		{"fr-ÇA", false},
	} {
		check(t, "Lang("+quote(c.s)+")", validate.Lang("lang", c.s), c.ok, "lang", "must be a language tag")
	}
}

func TestEmail(t *testing.T) {
	for _, c := range []struct {
		s  string
		ok bool
	}{
		{"", true},
		{"ann@example.com", true},
		{"Ann.Lee+tag@mail.example.co.uk", true},
		{strings.Repeat("a", 254-len("@example.com")) + "@example.com", true}, // 254 characters
		{strings.Repeat("a", 255-len("@example.com")) + "@example.com", false},
		{"ann", false},
		{"@example.com", false},
		{"ann@", false},
		{"ann@example", false},
		{"ann.lee@localhost", false},
		{"ann lee@example.com", false},
		{"ann@example.com\n", false},
		{"ann\t@example.com", false},
		{"<ann@example.com>", false},
		{"Ann <ann@example.com>", false},
	} {
		check(t, "Email("+quote(c.s)+")", validate.Email("email", c.s), c.ok, "email", "email must be an e-mail address")
	}
}

func TestOneOf(t *testing.T) {
	allowed := []string{"agent", "end_user", "system"}
	for _, c := range []struct {
		s        string
		required bool
		ok       bool
	}{
		{"", false, true},
		{"", true, false},
		{"agent", true, true},
		{"system", false, true},
		{"Agent", false, false}, // case matters
		{"agent ", false, false},
		{"bot", true, false},
	} {
		err := validate.OneOf("disconnected_by", c.s, c.required, allowed...)
		check(t, "OneOf("+quote(c.s)+")", err, c.ok, "disconnected_by", "disconnected_by must be one of agent, end_user, system")
	}
	check(t, "OneOf with nothing allowed", validate.OneOf("kind", "x", false), false, "kind", "kind must be one of")
}

func TestRange(t *testing.T) {
	for _, c := range []struct {
		n, min, max int64
		ok          bool
		want        string
	}{
		{1, 1, 8, true, ""},
		{8, 1, 8, true, ""},
		{4, 1, 8, true, ""},
		{0, 1, 8, false, "priority must be between 1 and 8"},
		{9, 1, 8, false, "priority must be between 1 and 8"},
		{-5, -10, -1, true, ""},
		{0, -10, -1, false, "priority must be between -10 and -1"},
		{1 << 53, 0, 1 << 53, true, ""},
		{1<<53 + 1, 0, 1 << 53, false, "priority must be between 0 and 9007199254740992"},
		{7, 7, 7, true, ""},
	} {
		check(t, "Range", validate.Range("priority", c.n, c.min, c.max), c.ok, "priority", c.want)
	}
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}
