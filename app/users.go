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
		if password, err = randomPassword(); err != nil {
			return "", err
		}
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

// randomPassword returns a new password of 144 random bits.
func randomPassword() (string, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// ResetPassword gives the user with this e-mail a new random password and
// ends every browser login of that user. It returns the password, to be
// shown once. It works on the store alone, for a command run while the
// server is stopped.
func ResetPassword(ctx context.Context, users sb.UserStore, now time.Time, email string) (*sb.User, string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return nil, "", sb.Errorf(sb.EINVALID, "an e-mail is required")
	}
	u, err := users.UserByEmail(ctx, email)
	if err != nil {
		return nil, "", err
	}
	password, err := randomPassword()
	if err != nil {
		return nil, "", err
	}
	hash, err := webauth.Hash(password)
	if err != nil {
		return nil, "", err
	}
	now = now.UTC().Truncate(time.Millisecond)
	u.PasswordHash, u.UpdatedAt = hash, now
	if err := users.UpdateUser(ctx, u); err != nil {
		return nil, "", err
	}
	if err := users.RevokeUserLogins(ctx, u.ID, 0, now); err != nil {
		return nil, "", err
	}
	return u, password, nil
}

// IdempotencyKeyAge is how long idempotency keys are remembered at least.
const IdempotencyKeyAge = 24 * time.Hour

// sweepLogins deletes the logins that ended more than a day ago and the
// idempotency keys older than IdempotencyKeyAge, now and then every hour,
// until ctx ends.
func (a *App) sweepLogins(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		now := a.opt.Clock.Now()
		n, err := a.DB.DeleteExpiredLogins(ctx, now.Add(-24*time.Hour))
		if err != nil && ctx.Err() == nil {
			a.opt.Logger.Warn("sweep logins", "err", err)
		} else if n > 0 {
			a.opt.Logger.Debug("swept logins", "deleted", n)
		}
		n, err = a.DB.PruneIdempotency(ctx, now.Add(-IdempotencyKeyAge))
		if err != nil && ctx.Err() == nil {
			a.opt.Logger.Warn("prune idempotency keys", "err", err)
		} else if n > 0 {
			a.opt.Logger.Debug("pruned idempotency keys", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Bootstrap makes what a new store needs to be used: the first admin token
// (EnsureAdminToken, with tokenSecret) and the first admin user
// (EnsureAdminUser), returning the secret and password it generated ("" if
// none). On a store several processes share, it runs while no other does,
// so nodes starting together make them once.
func (a *App) Bootstrap(ctx context.Context, tokenSecret, email, password string) (secret, generated string, err error) {
	run := func(ctx context.Context) error {
		if secret, err = a.EnsureAdminToken(ctx, tokenSecret); err != nil {
			return err
		}
		if generated, err = a.EnsureAdminUser(ctx, email, password); err != nil {
			return fmt.Errorf("first admin user: %w", err)
		}
		return nil
	}
	if x, ok := a.DB.(interface {
		Exclusively(context.Context, func(context.Context) error) error
	}); ok {
		err = x.Exclusively(ctx, run)
	} else {
		err = run(ctx)
	}
	return secret, generated, err
}
