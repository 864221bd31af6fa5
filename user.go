package switchboard

import (
	"context"
	"time"
)

// Login is a browser's logged-in session of a user: the secret of its
// cookie, stored only as a SHA-256 hash, and the CSRF token the browser
// echoes on every state-changing request.
type Login struct {
	ID        int64
	UserID    int64
	Hash      []byte
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// Active reports whether the login may authenticate requests at now.
func (l *Login) Active(now time.Time) bool {
	return l.RevokedAt == nil && now.Before(l.ExpiresAt)
}

// UserStore keeps the users who log in, their logins and the server's
// signing keys. Every implementation passes the conformance suite
// (storetest.RunUsers).
type UserStore interface {
	// CreateUser stores a new user and sets its ID. An e-mail in use
	// (regardless of case) is an ECONFLICT error.
	CreateUser(ctx context.Context, u *User) error
	// UpdateUser replaces a user (ENOTFOUND, ECONFLICT for an e-mail in use
	// or for demoting or disabling the last enabled administrator).
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUser deletes a user and its logins (ENOTFOUND, ECONFLICT for
	// the last enabled administrator). The check that an enabled
	// administrator remains and the change are one atomic step.
	DeleteUser(ctx context.Context, id int64) error
	// User returns one user (ENOTFOUND).
	User(ctx context.Context, id int64) (*User, error)
	// UserByEmail returns the user with this e-mail regardless of case (ENOTFOUND).
	UserByEmail(ctx context.Context, email string) (*User, error)
	// Users lists the users by ID.
	Users(ctx context.Context) ([]User, error)

	// CreateLogin stores a login and sets its ID.
	CreateLogin(ctx context.Context, l *Login) error
	// LoginByHash returns the login whose secret hashes to hash (ENOTFOUND).
	LoginByHash(ctx context.Context, hash []byte) (*Login, error)
	// RevokeLogin ends one login (ENOTFOUND when it is unknown or revoked).
	RevokeLogin(ctx context.Context, id int64, at time.Time) error
	// RevokeUserLogins ends every active login of a user but keep (0: none).
	RevokeUserLogins(ctx context.Context, userID, keep int64, at time.Time) error
	// DeleteExpiredLogins removes logins that expired or were revoked before t.
	DeleteExpiredLogins(ctx context.Context, t time.Time) (int64, error)

	// ServerKey returns the signing key stored under name, storing fresh
	// first when there is none, so every server process signs alike.
	ServerKey(ctx context.Context, name string, fresh []byte) ([]byte, error)
}
