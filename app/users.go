package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
	"github.com/switchboardhq/switchboard/webauth"
)

// DefaultAdminEmail is the first administrator's e-mail when none is given.
const DefaultAdminEmail = "admin@localhost"

// EnsureAdminUser creates the first administrator when the store has no
// user: email (default admin@localhost) with password, or with a random
// password when password is empty. It returns the generated password, to
// be shown once, and "" when it generated none or users existed already.
func (a *App) EnsureAdminUser(ctx context.Context, email, password string) (generated string, err error) {
	users, err := a.DB.Users(ctx)
	if err != nil {
		return "", err
	}
	if len(users) > 0 {
		return "", nil
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		email = DefaultAdminEmail
	}
	if email != DefaultAdminEmail {
		if err := validate.Email("SWITCHBOARD_ADMIN_EMAIL", email); err != nil {
			return "", err
		}
	}
	if password == "" {
		var b [18]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("admin password: %w", err)
		}
		password = base64.RawURLEncoding.EncodeToString(b[:])
		generated = password
	} else if err := webauth.CheckPassword(password); err != nil {
		return "", fmt.Errorf("SWITCHBOARD_ADMIN_PASSWORD: %w", err)
	}
	hash, err := webauth.Hash(password)
	if err != nil {
		return "", err
	}
	now := a.opt.Clock.Now().UTC().Truncate(time.Millisecond)
	u := sb.User{Email: email, Name: "Administrator", Role: sb.RoleAdmin, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	if err := a.DB.CreateUser(ctx, &u); err != nil {
		return "", err
	}
	return generated, nil
}

// sweepLogins deletes the logins that ended more than a day ago, now and
// then every hour, until ctx ends.
func (a *App) sweepLogins(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := a.DB.DeleteExpiredLogins(ctx, a.opt.Clock.Now().Add(-24*time.Hour))
		if err != nil && ctx.Err() == nil {
			a.opt.Logger.Warn("sweep logins", "err", err)
		} else if n > 0 {
			a.opt.Logger.Debug("swept logins", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
