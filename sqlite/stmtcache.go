package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// stmtCache prepares each query once on its pool and keeps the statement
// for the life of the store, so a hot query is parsed by SQLite once, not
// on every call. database/sql prepares a kept statement again only on a
// connection that has not seen it, and Tx.StmtContext reuses the
// statement already prepared on the transaction's connection.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// cached returns q if it is kept.
func (c *stmtCache) cached(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[q]
}

// get returns q prepared on pool.
func (c *stmtCache) get(ctx context.Context, pool *sql.DB, q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if c.m == nil {
		c.m = make(map[string]*sql.Stmt)
	}
	c.m[q] = st
	return st, nil
}

// readQuery runs a kept read statement on the read pool.
func (db *DB) readQuery(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := db.readStmts.get(ctx, db.read, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// txStmt returns a kept write statement for use in tx. The write pool has
// one connection, which tx holds: a statement can be kept only by
// preparing it outside any transaction (warmWriteStmts, at open); any
// other is prepared for tx alone.
func (db *DB) txStmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	if st := db.writeStmts.cached(q); st != nil {
		return tx.StmtContext(ctx, st), nil
	}
	return tx.PrepareContext(ctx, q)
}

// warmWriteStmts prepares and keeps the statements writing report facts.
func (db *DB) warmWriteStmts(ctx context.Context) error {
	qs := append(factWriterSQL(), factReadSQL...)
	qs = append(qs, `SELECT queue_threshold FROM report_state WHERE id = 1`, `UPDATE report_state SET checkpoint = ? WHERE id = 1`)
	for _, r := range rollups() {
		qs = append(qs, r.upsertSQL(), r.deleteEmptySQL())
	}
	for _, q := range qs {
		if _, err := db.writeStmts.get(ctx, db.write, q); err != nil {
			return err
		}
	}
	return nil
}
