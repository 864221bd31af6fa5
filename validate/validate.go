// Package validate holds the field checks shared by the API's inputs:
// lengths, phone numbers, URLs, language tags and names. Each check returns
// an EINVALID *switchboard.Error that names the field.
package validate

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard"
)

var (
	e164Re = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	langRe = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`)
)

// Text checks that s is valid UTF-8, has no control characters other than
// newlines and tabs, and is at most max characters long. Empty is allowed
// unless required.
func Text(field, s string, max int, required bool) error {
	if s == "" {
		if required {
			return switchboard.Errorf(switchboard.EINVALID, "%s is required", field)
		}
		return nil
	}
	if !utf8.ValidString(s) {
		return switchboard.Errorf(switchboard.EINVALID, "%s is not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return switchboard.Errorf(switchboard.EINVALID, "%s is %d characters long; the limit is %d", field, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return switchboard.Errorf(switchboard.EINVALID, "%s contains a control character", field)
		}
	}
	return nil
}

// Phone checks an E.164 number such as +12223334444. Empty is allowed.
func Phone(field, s string) error {
	if s == "" || e164Re.MatchString(s) {
		return nil
	}
	return switchboard.Errorf(switchboard.EINVALID, "%s must be an E.164 phone number like +12223334444", field)
}

// NormalizePhone removes the spaces, dashes, dots and parentheses people
// write in numbers ("+1 800 555 0175") and then checks E.164.
func NormalizePhone(field, s string) (string, error) {
	n := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, s)
	return n, Phone(field, n)
}

// URL checks an absolute URL whose scheme is one of schemes (http and https
// when none are given). Empty is allowed.
func URL(field, s string, schemes ...string) error {
	if s == "" {
		return nil
	}
	if len(schemes) == 0 {
		schemes = []string{"http", "https"}
	}
	if len(s) > 2048 {
		return switchboard.Errorf(switchboard.EINVALID, "%s is longer than 2048 characters", field)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return switchboard.Errorf(switchboard.EINVALID, "%s must be an absolute URL", field)
	}
	for _, sc := range schemes {
		if strings.EqualFold(u.Scheme, sc) {
			if (strings.EqualFold(sc, "http") || strings.EqualFold(sc, "https")) && u.Host == "" {
				return switchboard.Errorf(switchboard.EINVALID, "%s must be an absolute URL with a host", field)
			}
			return nil
		}
	}
	return switchboard.Errorf(switchboard.EINVALID, "%s must use one of the schemes %s", field, strings.Join(schemes, ", "))
}

// Lang checks a language tag such as "en" or "fr-CA".
func Lang(field, s string) error {
	if langRe.MatchString(s) {
		return nil
	}
	return switchboard.Errorf(switchboard.EINVALID, "%s must be a language tag such as en or fr-CA", field)
}

// Email checks a plain e-mail address. Empty is allowed.
func Email(field, s string) error {
	if s == "" {
		return nil
	}
	at := strings.LastIndexByte(s, '@')
	if len(s) > 254 || at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>") || !strings.Contains(s[at:], ".") {
		return switchboard.Errorf(switchboard.EINVALID, "%s must be an e-mail address", field)
	}
	return nil
}

// OneOf checks that s is one of the allowed values. Empty is allowed unless required.
func OneOf(field, s string, required bool, allowed ...string) error {
	if s == "" && !required {
		return nil
	}
	for _, a := range allowed {
		if s == a {
			return nil
		}
	}
	return switchboard.Errorf(switchboard.EINVALID, "%s must be one of %s", field, strings.Join(allowed, ", "))
}

// Range checks min <= n <= max.
func Range(field string, n, min, max int64) error {
	if n < min || n > max {
		return switchboard.Errorf(switchboard.EINVALID, "%s must be between %d and %d", field, min, max)
	}
	return nil
}
