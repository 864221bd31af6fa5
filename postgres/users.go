package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

var _ sb.UserStore = (*DB)(nil)

// Times are kept as Unix milliseconds (bigint), as the SQLite store keeps
// them, so that both stores round-trip a time alike.
func userMS(t time.Time) int64 { return t.UnixMilli() }

func userTime(v int64) time.Time { return time.UnixMilli(v).UTC() }

// adminLock is the advisory lock key under which a change that may demote,
// disable or delete an administrator checks that another enabled one
// remains. Under READ COMMITTED two such changes would each see the other
// administrator still enabled; the lock makes the check and the change one
// step across every node of the cluster.
const adminLock = 0x5357_4144 // "SWAD"

// Unique and foreign key violations (SQLSTATE).
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

const userColumns = `id, email, name, role, agent_id, password_hash, disabled, created_at, updated_at`

// emailKey is the expression the unique index on users' e-mails is built
// on (migrations/0020_users.sql): ASCII case folded, as SQLite's NOCASE.
const emailKey = `lower(email COLLATE "C")`

func scanUser(row pgx.Row) (*sb.User, error) {
	var u sb.User
	var created, updated int64
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.AgentID, &u.PasswordHash, &u.Disabled, &created, &updated); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = userTime(created), userTime(updated)
	return &u, nil
}

func emailInUse(email string) error {
	return sb.Errorf(sb.ECONFLICT, "a user with the e-mail %s exists already", email)
}

// CreateUser implements sb.UserStore.
func (db *DB) CreateUser(ctx context.Context, u *sb.User) (err error) {
	defer classify(&err)
	err = db.pool.QueryRow(ctx, `INSERT INTO users (email, name, role, agent_id, password_hash, disabled, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		u.Email, u.Name, u.Role, u.AgentID, u.PasswordHash, u.Disabled, userMS(u.CreatedAt), userMS(u.UpdatedAt)).Scan(&u.ID)
	if pgCode(err) == uniqueViolation {
		return emailInUse(u.Email)
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// keepsAnAdmin is the condition, on the users row being changed, under
// which an UPDATE or DELETE leaves an enabled administrator: the row is not
// one, or another one exists. It takes the administrator role as $1; the
// statements run holding adminLock (see changeUser).
const keepsAnAdmin = `(NOT (role = $1 AND NOT disabled) OR EXISTS (SELECT 1 FROM users other
	WHERE other.id <> users.id AND other.role = $1 AND NOT other.disabled))`

// changeUser runs an UPDATE or DELETE of one user that keeps an enabled
// administrator, in a transaction holding adminLock, and returns the
// number of rows it changed.
func (db *DB) changeUser(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, adminLock); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, q, args...)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

// UpdateUser implements sb.UserStore.
func (db *DB) UpdateUser(ctx context.Context, u *sb.User) (err error) {
	defer classify(&err)
	stays := u.Role == sb.RoleAdmin && !u.Disabled
	n, err := db.changeUser(ctx, `UPDATE users SET email = $2, name = $3, role = $4, agent_id = $5, password_hash = $6,
		disabled = $7, updated_at = $8 WHERE id = $9 AND ($10 OR `+keepsAnAdmin+`)`,
		sb.RoleAdmin, u.Email, u.Name, u.Role, u.AgentID, u.PasswordHash, u.Disabled, userMS(u.UpdatedAt), u.ID, stays)
	if pgCode(err) == uniqueViolation {
		return emailInUse(u.Email)
	}
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	if n == 0 {
		return db.notChanged(ctx, u.ID, "demoted or disabled")
	}
	return nil
}

// DeleteUser implements sb.UserStore. Its logins go with it (ON DELETE CASCADE).
func (db *DB) DeleteUser(ctx context.Context, id int64) (err error) {
	defer classify(&err)
	n, err := db.changeUser(ctx, `DELETE FROM users WHERE id = $2 AND `+keepsAnAdmin, sb.RoleAdmin, id)
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	if n == 0 {
		return db.notChanged(ctx, id, "deleted")
	}
	return nil
}

// notChanged explains why an UPDATE or DELETE of user id changed no row:
// the user does not exist, or it is the last enabled administrator.
func (db *DB) notChanged(ctx context.Context, id int64, what string) error {
	var exists bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)`, id).Scan(&exists); err != nil {
		return fmt.Errorf("user %d: %w", id, err)
	}
	if !exists {
		return sb.Errorf(sb.ENOTFOUND, "user %d not found", id)
	}
	return sb.Errorf(sb.ECONFLICT, "user %d is the last enabled administrator and cannot be %s: "+
		"make another user an administrator first", id, what)
}

// User implements sb.UserStore.
func (db *DB) User(ctx context.Context, id int64) (_ *sb.User, err error) {
	defer classify(&err)
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, sb.Errorf(sb.ENOTFOUND, "user %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// UserByEmail implements sb.UserStore.
func (db *DB) UserByEmail(ctx context.Context, email string) (_ *sb.User, err error) {
	defer classify(&err)
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+emailKey+` = lower($1::text COLLATE "C")`, email))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, sb.Errorf(sb.ENOTFOUND, "no user has the e-mail %s", email)
	}
	if err != nil {
		return nil, fmt.Errorf("user by e-mail: %w", err)
	}
	return u, nil
}

// Users implements sb.UserStore.
func (db *DB) Users(ctx context.Context) (_ []sb.User, err error) {
	defer classify(&err)
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	var out []sb.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		out = append(out, *u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return out, nil
}

// CreateLogin implements sb.UserStore.
func (db *DB) CreateLogin(ctx context.Context, l *sb.Login) (err error) {
	defer classify(&err)
	err = db.pool.QueryRow(ctx, `INSERT INTO logins (user_id, hash, csrf_token, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		l.UserID, l.Hash, l.CSRFToken, userMS(l.CreatedAt), userMS(l.ExpiresAt)).Scan(&l.ID)
	if pgCode(err) == foreignKeyViolation {
		return sb.Errorf(sb.ENOTFOUND, "user %d not found", l.UserID)
	}
	if err != nil {
		return fmt.Errorf("create login: %w", err)
	}
	return nil
}

// LoginByHash implements sb.UserStore.
func (db *DB) LoginByHash(ctx context.Context, hash []byte) (_ *sb.Login, err error) {
	defer classify(&err)
	var l sb.Login
	var created, expires int64
	var revoked *int64
	err = db.pool.QueryRow(ctx, `SELECT id, user_id, hash, csrf_token, created_at, expires_at, revoked_at FROM logins WHERE hash = $1`, hash).
		Scan(&l.ID, &l.UserID, &l.Hash, &l.CSRFToken, &created, &expires, &revoked)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, sb.Errorf(sb.ENOTFOUND, "login not found")
	}
	if err != nil {
		return nil, fmt.Errorf("login by hash: %w", err)
	}
	l.CreatedAt, l.ExpiresAt = userTime(created), userTime(expires)
	if revoked != nil {
		r := userTime(*revoked)
		l.RevokedAt = &r
	}
	return &l, nil
}

// RevokeLogin implements sb.UserStore.
func (db *DB) RevokeLogin(ctx context.Context, id int64, at time.Time) (err error) {
	defer classify(&err)
	tag, err := db.pool.Exec(ctx, `UPDATE logins SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, userMS(at), id)
	if err != nil {
		return fmt.Errorf("revoke login %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return sb.Errorf(sb.ENOTFOUND, "login %d not found or revoked already", id)
	}
	return nil
}

// RevokeUserLogins implements sb.UserStore.
func (db *DB) RevokeUserLogins(ctx context.Context, userID, keep int64, at time.Time) (err error) {
	defer classify(&err)
	if _, err := db.pool.Exec(ctx, `UPDATE logins SET revoked_at = $1 WHERE user_id = $2 AND id <> $3 AND revoked_at IS NULL`,
		userMS(at), userID, keep); err != nil {
		return fmt.Errorf("revoke logins of user %d: %w", userID, err)
	}
	return nil
}

// DeleteExpiredLogins implements sb.UserStore.
func (db *DB) DeleteExpiredLogins(ctx context.Context, t time.Time) (_ int64, err error) {
	defer classify(&err)
	tag, err := db.pool.Exec(ctx, `DELETE FROM logins WHERE expires_at < $1 OR revoked_at < $1`, userMS(t))
	if err != nil {
		return 0, fmt.Errorf("delete expired logins: %w", err)
	}
	return tag.RowsAffected(), nil
}

// ServerKey implements sb.UserStore. Two statements, not one: a row another
// node inserted meanwhile is visible to the second statement's snapshot,
// not to the first's.
func (db *DB) ServerKey(ctx context.Context, name string, fresh []byte) (_ []byte, err error) {
	defer classify(&err)
	if len(fresh) == 0 {
		return nil, errors.New("server key: an empty fresh key")
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO server_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, fmt.Errorf("server key %s: %w", name, err)
	}
	var key []byte
	if err := db.pool.QueryRow(ctx, `SELECT key FROM server_keys WHERE name = $1`, name).Scan(&key); err != nil {
		return nil, fmt.Errorf("server key %s: %w", name, err)
	}
	return key, nil
}
