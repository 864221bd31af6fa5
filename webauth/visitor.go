package webauth

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// VisitorTokenPrefix starts every visitor token.
const VisitorTokenPrefix = "sbv_"

// visitorTokenVersion is the payload format; a token of another version
// is refused, so the format can change without misreading old tokens.
const visitorTokenVersion = 1

// VerifiedPrefix starts the visitor ID of a visitor whose site vouched for
// its user ID; anonymous IDs start with AnonymousPrefix.
const (
	VerifiedPrefix  = "u:"
	AnonymousPrefix = "a:"
)

// Size limits of visitor tokens and site user IDs.
const (
	maxVisitorToken = 2048
	MaxUserIDLen    = 200
)

// ErrBadToken reports a visitor token that is malformed, forged or expired.
var ErrBadToken = errors.New("the visitor token is not valid")

// Visitor is what a visitor token says: who the visitor is, through which
// web plugin it came, and when the token was issued. Name, Email and Phone
// are the profile the visitor's site gave, if any.
type Visitor struct {
	ID       string
	PluginID int64
	Name     string
	Email    string
	Phone    string
	IssuedAt time.Time
}

// Verified reports whether the visitor's site vouched for its identity.
func (v Visitor) Verified() bool { return strings.HasPrefix(v.ID, VerifiedPrefix) }

type visitorPayload struct {
	V   int    `json:"v"`
	VID string `json:"vid"`
	PID int64  `json:"pid"`
	IAT int64  `json:"iat"` // unix seconds
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	P   string `json:"p,omitempty"`
}

// maxProfileLen bounds each profile field of a visitor token.
const maxProfileLen = 200

func checkProfile(v Visitor) error {
	for _, f := range []string{v.Name, v.Email, v.Phone} {
		if len(f) > maxProfileLen || !utf8.ValidString(f) {
			return errors.New("a visitor profile field is too long or not UTF-8")
		}
	}
	return nil
}

// NewServerKey returns a fresh random key for signing visitor tokens.
func NewServerKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// NewAnonymousID returns a fresh random anonymous visitor ID.
func NewAnonymousID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return AnonymousPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// SignVisitor returns the token of v signed with key: sbv_<payload>.<mac>,
// both base64url, the MAC an HMAC-SHA256 over the prefix and payload.
func SignVisitor(key []byte, v Visitor) (string, error) {
	if err := checkVisitorID(v.ID); err != nil {
		return "", err
	}
	if v.PluginID <= 0 {
		return "", errors.New("a visitor token needs a plugin")
	}
	if err := checkProfile(v); err != nil {
		return "", err
	}
	body, err := json.Marshal(visitorPayload{V: visitorTokenVersion, VID: v.ID, PID: v.PluginID, IAT: v.IssuedAt.Unix(),
		N: v.Name, E: v.Email, P: v.Phone})
	if err != nil {
		return "", fmt.Errorf("sign visitor: %w", err)
	}
	payload := base64.RawURLEncoding.EncodeToString(body)
	return VisitorTokenPrefix + payload + "." + base64.RawURLEncoding.EncodeToString(mac(key, payload)), nil
}

func mac(key []byte, payload string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(VisitorTokenPrefix))
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// ParseVisitor checks a visitor token's signature with key and returns
// what it says. Tokens issued more than maxAge before now are refused
// (maxAge 0: no limit). Every failure is ErrBadToken.
func ParseVisitor(key []byte, token string, now time.Time, maxAge time.Duration) (Visitor, error) {
	rest, ok := strings.CutPrefix(token, VisitorTokenPrefix)
	if !ok || len(token) > maxVisitorToken {
		return Visitor{}, ErrBadToken
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || payload == "" {
		return Visitor{}, ErrBadToken
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, payload)) {
		return Visitor{}, ErrBadToken
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Visitor{}, ErrBadToken
	}
	var p visitorPayload
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil || dec.More() {
		return Visitor{}, ErrBadToken
	}
	if p.V != visitorTokenVersion || p.PID <= 0 || checkVisitorID(p.VID) != nil {
		return Visitor{}, ErrBadToken
	}
	v := Visitor{ID: p.VID, PluginID: p.PID, Name: p.N, Email: p.E, Phone: p.P, IssuedAt: time.Unix(p.IAT, 0).UTC()}
	if checkProfile(v) != nil {
		return Visitor{}, ErrBadToken
	}
	if maxAge > 0 && now.Sub(v.IssuedAt) > maxAge {
		return Visitor{}, ErrBadToken
	}
	return v, nil
}

func checkVisitorID(id string) error {
	user, verified := strings.CutPrefix(id, VerifiedPrefix)
	if !verified && !strings.HasPrefix(id, AnonymousPrefix) {
		return errors.New("a visitor ID must start with u: (verified) or a: (anonymous)")
	}
	if verified {
		return CheckUserID(user)
	}
	if len(id) <= len(AnonymousPrefix) || len(id) > 64 {
		return errors.New("bad anonymous visitor ID")
	}
	return nil
}

// CheckUserID checks a site's user ID: 1 to 200 printable characters.
func CheckUserID(id string) error {
	if id == "" || !utf8.ValidString(id) || utf8.RuneCountInString(id) > MaxUserIDLen {
		return fmt.Errorf("user_id must be 1 to %d characters of valid UTF-8", MaxUserIDLen)
	}
	for _, r := range id {
		if !unicode.IsPrint(r) {
			return errors.New("user_id must not contain control or invisible characters")
		}
	}
	return nil
}

// UserHash is what a site computes to vouch for one of its users:
// hex(HMAC-SHA256(secret, userID)).
func UserHash(secret, userID string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(userID))
	return hex.EncodeToString(h.Sum(nil))
}

// VerifyUserHash reports whether hash is UserHash(secret, userID), in
// constant time. Upper-case hex is accepted.
func VerifyUserHash(secret, userID, hash string) bool {
	got, err := hex.DecodeString(hash)
	if err != nil || secret == "" {
		return false
	}
	want, _ := hex.DecodeString(UserHash(secret, userID))
	return hmac.Equal(got, want)
}
