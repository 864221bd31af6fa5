package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
)

// In WAL mode SQLite copies the log back into the database file in a
// checkpoint, and by default the connection whose commit grows the log
// past 1,000 pages runs it, fsync included. Here that connection is the
// single writer: every command behind it waited for the copy. A
// checkpointer of its own runs instead, on a connection of its own, after
// every checkpointEvery commits; a passive checkpoint runs beside the
// writer and never blocks it. The writer's own automatic checkpoint stays,
// at a higher mark (writerCheckpointPages), in case the checkpointer falls
// behind.

const (
	checkpointEvery       = 128
	writerCheckpointPages = 10000
)

// checkpointer runs passive checkpoints when kicked, until stop is closed.
type checkpointer struct {
	conn *sql.DB
	log  *slog.Logger
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once
	err  error
}

func startCheckpointer(conn *sql.DB, log *slog.Logger) *checkpointer {
	if log == nil {
		log = slog.Default()
	}
	c := &checkpointer{conn: conn, log: log, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
			if _, err := c.conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
				c.log.Warn("store checkpoint failed", "err", err)
			}
		}
	}
}

// committed counts a commit, kicking a checkpoint every checkpointEvery.
func (db *DB) committed() {
	if db.ckpt != nil && db.commits.Add(1)%checkpointEvery == 0 {
		select {
		case db.ckpt.kick <- struct{}{}:
		default: // one is running or due already
		}
	}
}

// close stops the checkpointer and closes its connection; again, it
// returns what the first call did.
func (c *checkpointer) close() error {
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		c.err = c.conn.Close()
	})
	return c.err
}
