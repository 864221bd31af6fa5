package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

var _ sb.ConfigStore = (*DB)(nil)

// PutConfig implements sb.ConfigStore. The kind's sequence is raised to
// id in the same transaction: the two statements go as one batch, which
// PostgreSQL runs as one implicit transaction.
func (db *DB) PutConfig(ctx context.Context, kind string, id int64, doc []byte) (err error) {
	defer classify(&err)
	if doc == nil {
		doc = []byte{}
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO config (kind, id, doc) VALUES ($1, $2, $3)
		ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc`, kind, id, doc)
	b.Queue(advanceSequenceSQL, configSequence(kind), id)
	if err := db.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("put %s %d: %w", kind, id, err)
	}
	return nil
}

// DeleteConfig implements sb.ConfigStore. The kind's sequence keeps the
// ID: it is never handed out again.
func (db *DB) DeleteConfig(ctx context.Context, kind string, id int64) (err error) {
	defer classify(&err)
	if _, err := db.pool.Exec(ctx, `DELETE FROM config WHERE kind = $1 AND id = $2`, kind, id); err != nil {
		return fmt.Errorf("delete %s %d: %w", kind, id, err)
	}
	return nil
}

// ConfigDocs implements sb.ConfigStore.
func (db *DB) ConfigDocs(ctx context.Context, kind string) (_ [][]byte, err error) {
	defer classify(&err)
	rows, err := db.pool.Query(ctx, `SELECT doc FROM config WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	return out, nil
}

// CreateToken implements sb.ConfigStore. A second token with the same
// hash is refused.
func (db *DB) CreateToken(ctx context.Context, t *sb.Token) (err error) {
	defer classify(&err)
	err = db.pool.QueryRow(ctx, `INSERT INTO tokens (name, role, agent_id, hash, created_at) VALUES ($1, $2, $3, $4, $5)
		RETURNING id`, t.Name, t.Role, t.AgentID, t.Hash, ms(t.CreatedAt)).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	return nil
}

const tokenColumns = `id, name, role, agent_id, hash, created_at, revoked_at`

func scanToken(row pgx.CollectableRow) (sb.Token, error) {
	var t sb.Token
	var created int64
	var revoked *int64
	if err := row.Scan(&t.ID, &t.Name, &t.Role, &t.AgentID, &t.Hash, &created, &revoked); err != nil {
		return t, err
	}
	t.CreatedAt, t.RevokedAt = fromMS(created), fromNullMS(revoked)
	return t, nil
}

// TokenByHash implements sb.ConfigStore.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (_ *sb.Token, err error) {
	defer classify(&err)
	rows, err := db.pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash)
	if err != nil {
		return nil, fmt.Errorf("token by hash: %w", err)
	}
	t, err := pgx.CollectExactlyOneRow(rows, scanToken)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, sb.Errorf(sb.ENOTFOUND, "token not found")
	}
	if err != nil {
		return nil, fmt.Errorf("token by hash: %w", err)
	}
	return &t, nil
}

// Tokens implements sb.ConfigStore.
func (db *DB) Tokens(ctx context.Context) (_ []sb.Token, err error) {
	defer classify(&err)
	rows, err := db.pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanToken)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	return out, nil
}

// RevokeToken implements sb.ConfigStore.
func (db *DB) RevokeToken(ctx context.Context, id int64, at time.Time) (err error) {
	defer classify(&err)
	tag, err := db.pool.Exec(ctx, `UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, ms(at), id)
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return sb.Errorf(sb.ENOTFOUND, "token %d not found or revoked already", id)
	}
	return nil
}
