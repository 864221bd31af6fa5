package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/agentindex"
)

var _ sb.EventStore = (*DB)(nil)

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func nullMS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// Commit implements sb.EventStore: all changes in one transaction. A
// session changed several times in the batch has its row written once,
// with its last version, checked against the version before the first.
func (db *DB) Commit(ctx context.Context, changes []*sb.Change) (err error) {
	defer db.classify(&err)
	rows, err := sessionRows(changes)
	if err != nil {
		return err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("commit: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	// Each statement once per transaction: Tx.StmtContext reuses the
	// statement prepared on the connection, but wraps it anew per call.
	stmts := make(map[string]*sql.Stmt, 8)
	st := func(name string) *sql.Stmt {
		s, ok := stmts[name]
		if !ok {
			s = tx.StmtContext(ctx, db.stmts[name])
			stmts[name] = s
		}
		return s
	}
	w := &commitWriter{st: st}
	var newest int64 // the largest ID of a new session
	for i, c := range changes {
		if err := db.commitOne(ctx, w, rows[i], c); err != nil {
			return err
		}
		if c.ExpectedSeq == 0 {
			newest = max(newest, c.Session.ID)
		}
	}
	if newest > 0 {
		if _, err := st("advanceSequence").ExecContext(ctx, sessionSequence, newest); err != nil {
			return fmt.Errorf("commit: session sequence: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.indexed.Add(w.indexed)
	db.committed()
	if w.messages {
		db.textPending.Store(true)
	}
	return nil
}

// sessionRow says how a change writes its session's row: only the last
// change of a session in a batch writes it (write), inserting it when the
// session's first change in the batch creates it (expected 0), else
// updating it from the version before that first change (expected).
type sessionRow struct {
	write    bool
	expected int64
	// tail: the write may leave the stored projection behind (see
	// leavesTail in projection.go); messages: every event the batch adds
	// to the session up to this change is a message.
	tail, messages bool
}

// sessionRows plans the row writes of a batch. Each change of a session
// must follow the one before it in the batch.
func sessionRows(changes []*sb.Change) ([]sessionRow, error) {
	rows := make([]sessionRow, len(changes))
	last := make(map[int64]int, len(changes)) // session → its latest change so far
	for i, c := range changes {
		id := c.Session.ID
		rows[i] = sessionRow{write: true, expected: c.ExpectedSeq, messages: onlyMessages(c.Events)}
		if j, ok := last[id]; ok {
			if c.ExpectedSeq != changes[j].Session.Seq {
				return nil, sb.Errorf(sb.EPRECONDITION, "session %d is not at version %d", id, c.ExpectedSeq)
			}
			rows[i].expected = rows[j].expected
			rows[i].messages = rows[i].messages && rows[j].messages
			rows[j].write = false
		}
		last[id] = i
	}
	for _, i := range last {
		rows[i].tail = rows[i].messages && leavesTail(changes[i].Session, rows[i].expected)
	}
	return rows, nil
}

// commitWriter is what the changes of one transaction share: its
// statements, a buffer to encode projections in, and the agent index rows
// it wrote.
type commitWriter struct {
	st      func(string) *sql.Stmt
	buf     bytes.Buffer
	indexed []agentindex.Pair
	// messages says whether the transaction adds a chat message, which
	// IndexMessages then indexes (messagetext.go).
	messages bool
}

// encode returns s as JSON, in a buffer reused by the next call: the
// driver copies its arguments while it runs a statement.
func (w *commitWriter) encode(s *sb.Session) ([]byte, error) {
	w.buf.Reset()
	if err := json.NewEncoder(&w.buf).Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(w.buf.Bytes(), []byte("\n")), nil
}

func (db *DB) commitOne(ctx context.Context, w *commitWriter, row sessionRow, c *sb.Change) error {
	st := w.st
	s := c.Session
	var agentID, queueID int64
	if s.Agent != nil {
		agentID = s.Agent.ID
	}
	if s.Queue != nil {
		queueID = s.Queue.ID
	}
	if row.write && row.tail {
		res, err := st("updateSessionTail").ExecContext(ctx, int(s.Status), s.Seq, nullID(agentID), nullID(queueID),
			ms(s.UpdatedAt), nullMS(s.EndedAt), s.ID, row.expected)
		if err != nil {
			return fmt.Errorf("commit: update session %d: %w", s.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return sb.Errorf(sb.EPRECONDITION, "session %d is not at version %d", s.ID, row.expected)
		}
	} else if row.write {
		state, err := w.encode(s)
		if err != nil {
			return fmt.Errorf("commit: encode session %d: %w", s.ID, err)
		}
		if row.expected == 0 {
			_, err = st("insertSession").ExecContext(ctx, s.ID, s.UUID, string(s.Type), string(s.Medium), int(s.Status), s.Seq,
				nullID(agentID), nullID(queueID), ms(s.CreatedAt), ms(s.UpdatedAt), nullMS(s.EndedAt), state, string(s.Channel),
				sql.NullString{String: s.EndUser.Identifier, Valid: s.EndUser.Identifier != ""})
			if err != nil {
				if isConstraint(err) {
					return sb.Errorf(sb.EPRECONDITION, "session %d exists already", s.ID)
				}
				return fmt.Errorf("commit: insert session %d: %w", s.ID, err)
			}
		} else {
			res, err := st("updateSession").ExecContext(ctx, int(s.Status), s.Seq, nullID(agentID), nullID(queueID),
				ms(s.UpdatedAt), nullMS(s.EndedAt), state, s.ID, row.expected)
			if err != nil {
				return fmt.Errorf("commit: update session %d: %w", s.ID, err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return sb.Errorf(sb.EPRECONDITION, "session %d is not at version %d", s.ID, row.expected)
			}
		}
	}
	pair := agentindex.Pair{Agent: agentID, Session: s.ID}
	indexed := agentID != 0 && db.indexed.Has(pair)
	if agentID != 0 && !indexed {
		// Every handler is the current agent of some committed version,
		// so this records every agent who handled the session.
		if _, err := st("indexAgent").ExecContext(ctx, agentID, s.ID); err != nil {
			return fmt.Errorf("commit: index agent: %w", err)
		}
		w.indexed = append(w.indexed, pair)
	}
	if err := indexCustomer(ctx, st, c, indexed); err != nil {
		return err
	}
	for i := range c.Events {
		e := &c.Events[i]
		actor, err := json.Marshal(e.Actor)
		if err != nil {
			return fmt.Errorf("commit: encode actor: %w", err)
		}
		res, err := st("insertEvent").ExecContext(ctx, e.SessionID, e.Seq, string(e.Type), e.Version, ms(e.Time), actor, []byte(e.Data))
		if err != nil {
			if isConstraint(err) {
				return sb.Errorf(sb.EPRECONDITION, "session %d already has event %d", e.SessionID, e.Seq)
			}
			return fmt.Errorf("commit: insert event: %w", err)
		}
		if e.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("commit: event id: %w", err)
		}
		if e.Type == textEvent {
			if err := checkMessage(e); err != nil {
				return err
			}
			w.messages = true
		}
	}
	// Fired timers first: the change they cause may cancel or re-arm a
	// timer of the same kind.
	for _, t := range c.FiredTimers {
		res, err := st("firedTimer").ExecContext(ctx, t.SessionID, t.Kind, ms(t.DueAt))
		if err != nil {
			return fmt.Errorf("commit: fired timer: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return sb.Errorf(sb.EPRECONDITION, "timer %s of session %d is no longer pending", t.Kind, t.SessionID)
		}
	}
	for _, kind := range c.CancelTimers {
		if _, err := st("cancelTimer").ExecContext(ctx, s.ID, kind); err != nil {
			return fmt.Errorf("commit: cancel timer: %w", err)
		}
	}
	for _, t := range c.SetTimers {
		if _, err := st("setTimer").ExecContext(ctx, t.SessionID, t.Kind, ms(t.DueAt), []byte(t.Data)); err != nil {
			return fmt.Errorf("commit: timer: %w", err)
		}
	}
	for _, t := range c.EnsureTimers {
		if _, err := st("ensureTimer").ExecContext(ctx, t.SessionID, t.Kind, ms(t.DueAt), []byte(t.Data)); err != nil {
			return fmt.Errorf("commit: timer: %w", err)
		}
	}
	for _, o := range c.Outbox {
		if _, err := st("insertOutbox").ExecContext(ctx, o.Kind, o.SessionID, o.Key, o.Payload, sb.OutboxPending,
			ms(o.CreatedAt), ms(o.NextAttemptAt)); err != nil {
			return fmt.Errorf("commit: outbox: %w", err)
		}
	}
	return recordIdempotency(ctx, st, c.Idempotency)
}

func isConstraint(err error) bool {
	return err != nil && strings.Contains(err.Error(), "constraint failed")
}

// Session implements sb.EventStore.
func (db *DB) Session(ctx context.Context, id int64) (*sb.Session, error) {
	var r storedState
	err := r.scan(db.reads["session"].QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sb.Errorf(sb.ENOTFOUND, "session %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("session %d: %w", id, err)
	}
	return db.project(ctx, r)
}

// Sessions implements sb.EventStore.
func (db *DB) Sessions(ctx context.Context, f sb.SessionFilter) ([]*sb.Session, error) {
	var where []string
	var args []any
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, int(*f.Status))
	}
	if f.Medium != "" {
		where, args = append(where, "medium = ?"), append(args, string(f.Medium))
	}
	if f.Type != "" {
		where, args = append(where, "type = ?"), append(args, string(f.Type))
	}
	if f.AgentID != 0 {
		where, args = append(where, "agent_id = ?"), append(args, f.AgentID)
	}
	if f.QueueID != 0 {
		where, args = append(where, "queue_id = ?"), append(args, f.QueueID)
	}
	if f.EndUser != "" {
		where, args = append(where, "end_user = ?"), append(args, f.EndUser)
	}
	if f.BeforeID != 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	if f.Channel != "" {
		where, args = append(where, "channel = ?"), append(args, string(f.Channel))
	}
	if !f.From.IsZero() {
		where, args = append(where, "created_at >= ?"), append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "created_at < ?"), append(args, ms(f.To))
	}
	if f.Ended {
		where = append(where, "ended_at IS NOT NULL")
	}
	if f.HandledBy != 0 {
		where, args = append(where, "id IN (SELECT session_id FROM session_agents WHERE agent_id = ?)"), append(args, f.HandledBy)
	}
	if f.TagID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM json_each(CAST(state AS TEXT), '$.tags') t WHERE json_extract(t.value, '$.id') = ?)")
		args = append(args, f.TagID)
	}
	if f.Text != "" {
		if err := db.IndexMessages(ctx); err != nil {
			return nil, fmt.Errorf("sessions: %w", err)
		}
		where = append(where, `id IN (SELECT e.session_id FROM message_text m JOIN events e ON e.id = m.rowid WHERE m.text LIKE ? ESCAPE '\')`)
		args = append(args, "%"+likeEscaper.Replace(f.Text)+"%")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT ` + sessionColumns + ` FROM sessions`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	out, err := db.projectAll(ctx, rows)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	return out, nil
}

// likeEscaper escapes LIKE's wildcards in searched text.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// liveSessionsQuery reads the partial index of sessions not ended: routing
// rebuilds its queues from them at start.
const liveSessionsQuery = `SELECT ` + sessionColumns + ` FROM sessions WHERE ended_at IS NULL ORDER BY id`

// LiveSessions implements sb.EventStore.
func (db *DB) LiveSessions(ctx context.Context) ([]*sb.Session, error) {
	rows, err := db.read.QueryContext(ctx, liveSessionsQuery)
	if err != nil {
		return nil, fmt.Errorf("live sessions: %w", err)
	}
	out, err := db.projectAll(ctx, rows)
	if err != nil {
		return nil, fmt.Errorf("live sessions: %w", err)
	}
	return out, nil
}

// MaxSessionID implements sb.EventStore.
func (db *DB) MaxSessionID(ctx context.Context) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM sessions`).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("max session id: %w", err)
	}
	return id, nil
}

// LastEventID implements sb.EventStore.
func (db *DB) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("last event id: %w", err)
	}
	return id, nil
}

// SessionEvents implements sb.EventStore.
func (db *DB) SessionEvents(ctx context.Context, sessionID, afterSeq int64, limit int) ([]sb.Event, error) {
	return db.preparedEvents(ctx, db.reads["sessionEvents"], sessionID, afterSeq, clampLimit(limit))
}

// Events implements sb.EventStore.
func (db *DB) Events(ctx context.Context, afterID int64, limit int) ([]sb.Event, error) {
	return db.preparedEvents(ctx, db.reads["events"], afterID, clampLimit(limit))
}

func clampLimit(n int) int {
	if n <= 0 || n > 10000 {
		return 10000
	}
	return n
}

func (db *DB) queryEvents(ctx context.Context, q string, args ...any) ([]sb.Event, error) {
	rows, err := db.readQuery(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return scanEvents(rows)
}

// preparedEvents is queryEvents with a prepared statement.
func (db *DB) preparedEvents(ctx context.Context, q *sql.Stmt, args ...any) ([]sb.Event, error) {
	rows, err := q.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return scanEvents(rows)
}

func scanEvents(rows *sql.Rows) ([]sb.Event, error) {
	defer rows.Close()
	var out []sb.Event
	for rows.Next() {
		var e sb.Event
		var t int64
		var actor, data []byte
		if err := rows.Scan(&e.ID, &e.SessionID, &e.Seq, &e.Type, &e.Version, &t, &actor, &data); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		e.Time = fromMS(t)
		e.Data = data
		if err := json.Unmarshal(actor, &e.Actor); err != nil {
			return nil, fmt.Errorf("events: decode actor: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
