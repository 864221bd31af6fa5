// Package webauth holds the credentials of people and browsers: argon2id
// password hashes, the login rate limiter, signed visitor tokens and the
// verification of identities a website signs for its logged-in users.
package webauth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters of new password hashes.
type Params struct {
	// Memory is in KiB.
	Memory  uint32
	Time    uint32
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// DefaultParams suit a small server: 19 MiB, two passes, one lane, which
// takes some tens of milliseconds on one core (the OWASP minimum).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// HashParams are the parameters Hash uses. Tests may lower them.
var HashParams = DefaultParams

// Password length limits, in characters.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 256
)

// ErrMismatch reports a password that does not match its hash.
var ErrMismatch = errors.New("password does not match")

// CheckPassword reports whether pw is acceptable as a new password.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return errors.New("the password is not valid UTF-8")
	case n < MinPasswordLen:
		return fmt.Errorf("the password must have at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return fmt.Errorf("the password must have at most %d characters", MaxPasswordLen)
	}
	return nil
}

// Hash returns the argon2id PHC string of pw with HashParams and a fresh
// random salt: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>.
func Hash(pw string) (string, error) {
	return HashWith(pw, HashParams)
}

// HashWith is Hash with explicit parameters.
func HashWith(pw string, p Params) (string, error) {
	if p.SaltLen < 8 || p.KeyLen < 16 || p.Time < 1 || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) {
		return "", errors.New("argon2id parameters are too weak")
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Limits on the parameters Verify accepts, so a corrupt or hostile hash
// cannot make the server allocate gigabytes or spin for minutes.
const (
	maxMemory = 1 << 20 // KiB: 1 GiB
	maxTime   = 100
)

// decodePHC parses an argon2id PHC string.
func decodePHC(phc string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("unsupported argon2 version")
	}
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, threads) != parts[3] {
		return p, nil, nil, errors.New("bad argon2id parameters")
	}
	if p.Time < 1 || p.Time > maxTime || threads < 1 || threads > 255 || p.Memory < 8*threads || p.Memory > maxMemory {
		return p, nil, nil, errors.New("argon2id parameters out of range")
	}
	p.Threads = uint8(threads)
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, errors.New("bad argon2id salt")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 1024 {
		return p, nil, nil, errors.New("bad argon2id key")
	}
	p.SaltLen, p.KeyLen = len(salt), uint32(len(key))
	return p, salt, key, nil
}

// Verify checks pw against a PHC string made by Hash, in constant time. It
// returns ErrMismatch for a wrong password and another error for a hash it
// cannot read.
func Verify(pw, phc string) error {
	p, salt, key, err := decodePHC(phc)
	if err != nil {
		return err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return ErrMismatch
	}
	return nil
}

// NeedsRehash reports whether phc was made with other parameters than
// HashParams, so it should be replaced after the next successful login.
func NeedsRehash(phc string) bool {
	p, _, _, err := decodePHC(phc)
	return err != nil || p.Memory != HashParams.Memory || p.Time != HashParams.Time || p.Threads != HashParams.Threads ||
		p.KeyLen != HashParams.KeyLen
}

// Waste spends the time of one password verification, for a login whose
// e-mail matches no user: answering faster would tell which e-mails exist.
func Waste(pw string) {
	p := HashParams
	salt := make([]byte, max(p.SaltLen, 8))
	argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}
