package sqlite

import (
	"context"
	"errors"
	"fmt"

	sb "github.com/switchboardhq/switchboard"
	driver "modernc.org/sqlite"
	lib "modernc.org/sqlite/lib"
)

// unavailableMessages are the caller-safe messages of the SQLite result
// codes that mean the store cannot write for now: the condition lies in
// the disk, not in the request, and clears when an operator frees space or
// remounts the disk.
var unavailableMessages = map[int]string{
	lib.SQLITE_FULL:     "the store cannot write: the disk or database is full",
	lib.SQLITE_READONLY: "the store cannot write: the database is read-only",
	lib.SQLITE_IOERR:    "the store cannot write: a disk read or write failed",
	lib.SQLITE_CANTOPEN: "the store cannot write: it cannot open its files",
}

// classify turns a SQLite error that means the store cannot write (a full
// disk or database, a read-only file or file system, an I/O error, a file
// that cannot be opened) into an EUNAVAILABLE error that still wraps it,
// and marks the store as failing its writes until a write check succeeds
// (see CheckWrite). Other errors are returned as they are. Use it as
// defer db.classify(&err) in every method that writes.
func (db *DB) classify(err *error) {
	if *err == nil {
		return
	}
	var se *driver.Error
	if !errors.As(*err, &se) {
		return
	}
	msg, ok := unavailableMessages[se.Code()&0xff]
	if !ok {
		return
	}
	db.writeFailed.Store(true)
	*err = fmt.Errorf("%w: %w", sb.Errorf(sb.EUNAVAILABLE, "%s", msg), *err)
}

// probeBytes is what CheckWrite writes after a write failed: room for a
// group commit of a few hundred commands.
const probeBytes = 1 << 20

// CheckWrite reports whether the store takes writes: it commits a small
// update, and — after a write has failed with an unavailable error — a
// transaction that allocates probeBytes and frees them again, so that the
// store is reported able to write only once there is room again. The freed
// pages stay in the database for the next writes.
func (db *DB) CheckWrite(ctx context.Context) (err error) {
	defer db.classify(&err)
	if !db.writeFailed.Load() {
		if _, err := db.write.ExecContext(ctx, `UPDATE write_probe SET at = at + 1 WHERE id = 1`); err != nil {
			return fmt.Errorf("write check: %w", err)
		}
		return nil
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write check: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	res, err := tx.ExecContext(ctx, `INSERT INTO write_probe (at, pad) VALUES (0, zeroblob(?))`, probeBytes)
	if err != nil {
		return fmt.Errorf("write check: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("write check: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM write_probe WHERE id = ?`, id); err != nil {
		return fmt.Errorf("write check: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE write_probe SET at = at + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("write check: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write check: %w", err)
	}
	db.writeFailed.Store(false)
	return nil
}
