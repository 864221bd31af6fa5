package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

var _ sb.UserStore = (*DB)(nil)

const userColumns = `id, email, name, role, agent_id, password_hash, disabled, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*sb.User, error) {
	var u sb.User
	var created, updated int64
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.AgentID, &u.PasswordHash, &u.Disabled, &created, &updated); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return &u, nil
}

// isUnique reports a UNIQUE constraint failure.
func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// CreateUser implements sb.UserStore.
func (db *DB) CreateUser(ctx context.Context, u *sb.User) (err error) {
	defer db.classify(&err)
	res, err := db.write.ExecContext(ctx, `INSERT INTO users (email, name, role, agent_id, password_hash, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.Email, u.Name, u.Role, u.AgentID, u.PasswordHash, u.Disabled, ms(u.CreatedAt), ms(u.UpdatedAt))
	if isUnique(err) {
		return sb.Errorf(sb.ECONFLICT, "a user with the e-mail %s exists already", u.Email)
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	u.ID, err = res.LastInsertId()
	return err
}

// keepsAnAdmin is the condition, on the users row being changed, under
// which an UPDATE or DELETE leaves an enabled administrator: the row is not
// one, or another one exists. It is part of the statement, so that two
// concurrent changes cannot both remove "the other" administrator.
const keepsAnAdmin = `(NOT (role = ? AND disabled = 0) OR EXISTS (SELECT 1 FROM users other
	WHERE other.id != users.id AND other.role = ? AND other.disabled = 0))`

// UpdateUser implements sb.UserStore.
func (db *DB) UpdateUser(ctx context.Context, u *sb.User) (err error) {
	defer db.classify(&err)
	stays := u.Role == sb.RoleAdmin && !u.Disabled
	res, err := db.write.ExecContext(ctx, `UPDATE users SET email = ?, name = ?, role = ?, agent_id = ?, password_hash = ?,
		disabled = ?, updated_at = ? WHERE id = ? AND (? OR `+keepsAnAdmin+`)`,
		u.Email, u.Name, u.Role, u.AgentID, u.PasswordHash, u.Disabled, ms(u.UpdatedAt), u.ID, stays, sb.RoleAdmin, sb.RoleAdmin)
	if isUnique(err) {
		return sb.Errorf(sb.ECONFLICT, "a user with the e-mail %s exists already", u.Email)
	}
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.notChanged(ctx, u.ID, "demoted or disabled")
	}
	return nil
}

// DeleteUser implements sb.UserStore. Its logins go with it (ON DELETE CASCADE).
func (db *DB) DeleteUser(ctx context.Context, id int64) (err error) {
	defer db.classify(&err)
	res, err := db.write.ExecContext(ctx, `DELETE FROM users WHERE id = ? AND `+keepsAnAdmin, id, sb.RoleAdmin, sb.RoleAdmin)
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.notChanged(ctx, id, "deleted")
	}
	return nil
}

// notChanged explains why an UPDATE or DELETE of user id changed no row:
// the user does not exist, or it is the last enabled administrator.
func (db *DB) notChanged(ctx context.Context, id int64, what string) error {
	var n int
	if err := db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = ?`, id).Scan(&n); err != nil {
		return fmt.Errorf("user %d: %w", id, err)
	}
	if n == 0 {
		return sb.Errorf(sb.ENOTFOUND, "user %d not found", id)
	}
	return sb.Errorf(sb.ECONFLICT, "user %d is the last enabled administrator and cannot be %s: "+
		"make another user an administrator first", id, what)
}

// User implements sb.UserStore.
func (db *DB) User(ctx context.Context, id int64) (*sb.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sb.Errorf(sb.ENOTFOUND, "user %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// UserByEmail implements sb.UserStore.
func (db *DB) UserByEmail(ctx context.Context, email string) (*sb.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sb.Errorf(sb.ENOTFOUND, "no user has the e-mail %s", email)
	}
	if err != nil {
		return nil, fmt.Errorf("user by e-mail: %w", err)
	}
	return u, nil
}

// Users implements sb.UserStore.
func (db *DB) Users(ctx context.Context) ([]sb.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
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
	return out, rows.Err()
}

// CreateLogin implements sb.UserStore.
func (db *DB) CreateLogin(ctx context.Context, l *sb.Login) (err error) {
	defer db.classify(&err)
	res, err := db.write.ExecContext(ctx, `INSERT INTO logins (user_id, hash, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		l.UserID, l.Hash, l.CSRFToken, ms(l.CreatedAt), ms(l.ExpiresAt))
	if err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") {
			return sb.Errorf(sb.ENOTFOUND, "user %d not found", l.UserID)
		}
		return fmt.Errorf("create login: %w", err)
	}
	l.ID, err = res.LastInsertId()
	return err
}

// LoginByHash implements sb.UserStore.
func (db *DB) LoginByHash(ctx context.Context, hash []byte) (*sb.Login, error) {
	var l sb.Login
	var created, expires int64
	var revoked sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT id, user_id, hash, csrf_token, created_at, expires_at, revoked_at FROM logins WHERE hash = ?`, hash).
		Scan(&l.ID, &l.UserID, &l.Hash, &l.CSRFToken, &created, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sb.Errorf(sb.ENOTFOUND, "login not found")
	}
	if err != nil {
		return nil, fmt.Errorf("login by hash: %w", err)
	}
	l.CreatedAt, l.ExpiresAt = fromMS(created), fromMS(expires)
	if revoked.Valid {
		r := fromMS(revoked.Int64)
		l.RevokedAt = &r
	}
	return &l, nil
}

// RevokeLogin implements sb.UserStore.
func (db *DB) RevokeLogin(ctx context.Context, id int64, at time.Time) (err error) {
	defer db.classify(&err)
	res, err := db.write.ExecContext(ctx, `UPDATE logins SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, ms(at), id)
	if err != nil {
		return fmt.Errorf("revoke login %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sb.Errorf(sb.ENOTFOUND, "login %d not found or revoked already", id)
	}
	return nil
}

// RevokeUserLogins implements sb.UserStore.
func (db *DB) RevokeUserLogins(ctx context.Context, userID, keep int64, at time.Time) (err error) {
	defer db.classify(&err)
	if _, err := db.write.ExecContext(ctx, `UPDATE logins SET revoked_at = ? WHERE user_id = ? AND id != ? AND revoked_at IS NULL`,
		ms(at), userID, keep); err != nil {
		return fmt.Errorf("revoke logins of user %d: %w", userID, err)
	}
	return nil
}

// DeleteExpiredLogins implements sb.UserStore.
func (db *DB) DeleteExpiredLogins(ctx context.Context, t time.Time) (_ int64, err error) {
	defer db.classify(&err)
	res, err := db.write.ExecContext(ctx, `DELETE FROM logins WHERE expires_at < ? OR revoked_at < ?`, ms(t), ms(t))
	if err != nil {
		return 0, fmt.Errorf("delete expired logins: %w", err)
	}
	return res.RowsAffected()
}

// ServerKey implements sb.UserStore.
func (db *DB) ServerKey(ctx context.Context, name string, fresh []byte) (_ []byte, err error) {
	defer db.classify(&err)
	if len(fresh) == 0 {
		return nil, errors.New("server key: an empty fresh key")
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO server_keys (name, key) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, fmt.Errorf("server key %s: %w", name, err)
	}
	var key []byte
	if err := db.write.QueryRowContext(ctx, `SELECT key FROM server_keys WHERE name = ?`, name).Scan(&key); err != nil {
		return nil, fmt.Errorf("server key %s: %w", name, err)
	}
	return key, nil
}
