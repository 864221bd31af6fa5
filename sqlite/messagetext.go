package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	sb "github.com/switchboardhq/switchboard"
)

// textEvent is the event type whose text is indexed for history search.
const textEvent = "message_sent"

// The history-search index (message_text, FTS5 with the trigram
// tokenizer) is derived from the log after the commit rather than in it.
// FTS5 writes a new index segment for every transaction that adds text, and
// merges segments as they pile up: inside the command's commit that was
// about a third of a chat message's cost in the writer. IndexMessages adds
// the messages committed since its last run a span of events at a time, so
// the segment work is paid once per span, and a command waits for the
// write connection one span at most (under 1 ms). Searches call it first,
// so a search finds every message committed before it; the report
// projector calls it after each catch-up to keep the backlog small.

// indexSpan is how many events one IndexMessages transaction reads.
const indexSpan = 64

// textStatements are IndexMessages' statements on the write connection.
var textStatements = map[string]string{
	"textCheckpoint":    `SELECT last_event FROM message_text_state WHERE id = 1`,
	"lastEvent":         `SELECT COALESCE(MAX(id), 0) FROM events`,
	"setTextCheckpoint": `UPDATE message_text_state SET last_event = ? WHERE id = 1`,
	// The text of the messages in (from, to].
	"indexMessages": `INSERT INTO message_text (rowid, text)
		SELECT id, json_extract(CAST(data AS TEXT), '$.text') FROM events
		WHERE id > ? AND id <= ? AND type = '` + textEvent + `'
			AND json_valid(data) AND json_type(CAST(data AS TEXT), '$.text') = 'text'
			AND json_extract(CAST(data AS TEXT), '$.text') <> ''
		ORDER BY id`,
}

// IndexMessages brings the history-search index up to date with the log.
// It returns at once when no message was committed since its last run.
func (db *DB) IndexMessages(ctx context.Context) (err error) {
	if !db.textPending.Load() {
		return nil
	}
	db.textMu.Lock()
	defer db.textMu.Unlock()
	if !db.textPending.Load() {
		return nil // indexed while this call waited
	}
	// Cleared before the range is read: a message committed after this
	// point sets it again, and the next call indexes it.
	db.textPending.Store(false)
	defer func() {
		if err != nil {
			db.textPending.Store(true)
		}
	}()
	defer db.classify(&err)
	for {
		more, err := db.indexSpan(ctx)
		if err != nil || !more {
			return err
		}
	}
}

// indexSpan indexes the messages among the next indexSpan events after
// the checkpoint, in one transaction, and says whether more follow.
func (db *DB) indexSpan(ctx context.Context) (more bool, err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("index messages: begin: %w", err)
	}
	defer tx.Rollback()
	st := func(name string) *sql.Stmt { return tx.StmtContext(ctx, db.stmts[name]) }
	var from, last int64
	if err := st("textCheckpoint").QueryRowContext(ctx).Scan(&from); err != nil {
		return false, fmt.Errorf("index messages: checkpoint: %w", err)
	}
	if err := st("lastEvent").QueryRowContext(ctx).Scan(&last); err != nil {
		return false, fmt.Errorf("index messages: last event: %w", err)
	}
	if last <= from {
		return false, nil
	}
	to := min(last, from+indexSpan)
	if _, err := st("indexMessages").ExecContext(ctx, from, to); err != nil {
		return false, fmt.Errorf("index messages: %w", err)
	}
	if _, err := st("setTextCheckpoint").ExecContext(ctx, to); err != nil {
		return false, fmt.Errorf("index messages: checkpoint: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("index messages: %w", err)
	}
	return to < last, nil
}

// checkMessage refuses a message event whose data is not a JSON object
// with a string text, as the index reads it.
func checkMessage(e *sb.Event) error {
	var m struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(e.Data, &m); err != nil {
		return fmt.Errorf("commit: decode message %d/%d: %w", e.SessionID, e.Seq, err)
	}
	return nil
}
