package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// Idempotency implements sb.EventStore.
func (db *DB) Idempotency(ctx context.Context, key string) (r sb.IdempotencyRecord, err error) {
	defer classify(&err)
	r.Key = key
	var created int64
	err = db.pool.QueryRow(ctx, `SELECT fingerprint, session_id, from_seq, to_seq, created_at FROM idempotency_keys WHERE key = $1`, key).
		Scan(&r.Fingerprint, &r.SessionID, &r.FromSeq, &r.ToSeq, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, sb.Errorf(sb.ENOTFOUND, "no command has idempotency key %q", key)
	}
	if err != nil {
		return r, fmt.Errorf("idempotency key: %w", err)
	}
	r.CreatedAt = fromMS(created)
	return r, nil
}

// PruneIdempotency implements sb.EventStore.
func (db *DB) PruneIdempotency(ctx context.Context, before time.Time) (n int64, err error) {
	defer classify(&err)
	tag, err := db.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, ms(before))
	if err != nil {
		return 0, fmt.Errorf("prune idempotency keys: %w", err)
	}
	return tag.RowsAffected(), nil
}

// idempotencyCols are the idempotency records of a batch.
type idempotencyCols struct {
	key, fingerprint           []string
	session, from, to, created []int64
}

func (c *idempotencyCols) add(r *sb.IdempotencyRecord) {
	if r == nil {
		return
	}
	c.key = append(c.key, r.Key)
	c.fingerprint = append(c.fingerprint, r.Fingerprint)
	c.session = append(c.session, r.SessionID)
	c.from = append(c.from, r.FromSeq)
	c.to = append(c.to, r.ToSeq)
	c.created = append(c.created, ms(r.CreatedAt))
}

// insertIdempotencySQL records the keys; a key recorded already is not
// returned, which refuses the batch.
const insertIdempotencySQL = `INSERT INTO idempotency_keys (key, fingerprint, session_id, from_seq, to_seq, created_at)
	SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
	ON CONFLICT (key) DO NOTHING RETURNING key`

// queue queues the batch's records, refusing the batch through refuse
// when a key is recorded already.
func (c *idempotencyCols) queue(b *pgx.Batch, refuse func(error)) {
	if len(c.key) == 0 {
		return
	}
	onRows(b.Queue(insertIdempotencySQL, c.key, c.fingerprint, c.session, c.from, c.to, c.created), "idempotency keys", func(rows pgx.Rows) error {
		done := map[string]bool{}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			done[k] = true
		}
		for _, k := range c.key {
			if !done[k] {
				refuse(sb.Errorf(sb.EPRECONDITION, "idempotency key %q is recorded already", k))
				break
			}
		}
		return rows.Err()
	})
}
