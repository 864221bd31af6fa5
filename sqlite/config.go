package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

var _ sb.ConfigStore = (*DB)(nil)

// PutConfig implements sb.ConfigStore. The kind's sequence is raised to
// id in the same transaction.
func (db *DB) PutConfig(ctx context.Context, kind string, id int64, doc []byte) (err error) {
	defer db.classify(&err)
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put %s %d: %w", kind, id, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `INSERT INTO config (kind, id, doc) VALUES (?, ?, ?)
		ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc`, kind, id, doc); err != nil {
		return fmt.Errorf("put %s %d: %w", kind, id, err)
	}
	if err := advanceSequence(ctx, tx, configSequence(kind), id); err != nil {
		return fmt.Errorf("put %s %d: %w", kind, id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put %s %d: %w", kind, id, err)
	}
	return nil
}

// DeleteConfig implements sb.ConfigStore.
func (db *DB) DeleteConfig(ctx context.Context, kind string, id int64) (err error) {
	defer db.classify(&err)
	if _, err := db.write.ExecContext(ctx, `DELETE FROM config WHERE kind = ? AND id = ?`, kind, id); err != nil {
		return fmt.Errorf("delete %s %d: %w", kind, id, err)
	}
	return nil
}

// ConfigDocs implements sb.ConfigStore.
func (db *DB) ConfigDocs(ctx context.Context, kind string) ([][]byte, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT doc FROM config WHERE kind = ? ORDER BY id`, kind)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("list %s: %w", kind, err)
		}
		out = append(out, doc)
	}
	return out, rows.Err()
}

// CreateToken implements sb.ConfigStore.
func (db *DB) CreateToken(ctx context.Context, t *sb.Token) (err error) {
	defer db.classify(&err)
	res, err := db.write.ExecContext(ctx, `INSERT INTO tokens (name, role, agent_id, hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.Name, t.Role, t.AgentID, t.Hash, ms(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	t.ID, err = res.LastInsertId()
	return err
}

func scanToken(row interface{ Scan(...any) error }) (*sb.Token, error) {
	var t sb.Token
	var created int64
	var revoked sql.NullInt64
	if err := row.Scan(&t.ID, &t.Name, &t.Role, &t.AgentID, &t.Hash, &created, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMS(created)
	if revoked.Valid {
		r := fromMS(revoked.Int64)
		t.RevokedAt = &r
	}
	return &t, nil
}

// TokenByHash implements sb.ConfigStore.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*sb.Token, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, `SELECT id, name, role, agent_id, hash, created_at, revoked_at FROM tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sb.Errorf(sb.ENOTFOUND, "token not found")
	}
	if err != nil {
		return nil, fmt.Errorf("token by hash: %w", err)
	}
	return t, nil
}

// Tokens implements sb.ConfigStore.
func (db *DB) Tokens(ctx context.Context) ([]sb.Token, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, role, agent_id, hash, created_at, revoked_at FROM tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	defer rows.Close()
	var out []sb.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("tokens: %w", err)
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// RevokeToken implements sb.ConfigStore.
func (db *DB) RevokeToken(ctx context.Context, id int64, at time.Time) (err error) {
	defer db.classify(&err)
	res, err := db.write.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, ms(at), id)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sb.Errorf(sb.ENOTFOUND, "token %d not found or revoked already", id)
	}
	return nil
}
