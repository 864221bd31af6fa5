package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// Times are stored as unix milliseconds (bigint), as the SQLite store
// keeps them, so that both stores round-trip the same instants.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// nullMS is a nullable time column's value.
func nullMS(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

// fromNullMS reads a nullable time column.
func fromNullMS(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := fromMS(*v)
	return &t
}

// Session implements sb.EventStore.
func (db *DB) Session(ctx context.Context, id int64) (_ *sb.Session, err error) {
	defer classify(&err)
	var state []byte
	err = db.pool.QueryRow(ctx, `SELECT state FROM sessions WHERE id = $1`, id).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, sb.Errorf(sb.ENOTFOUND, "session %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("session %d: %w", id, err)
	}
	s := new(sb.Session)
	if err := json.Unmarshal(state, s); err != nil {
		return nil, fmt.Errorf("session %d: decode: %w", id, err)
	}
	return s, nil
}

// where gathers the conditions of a query, numbering its parameters.
type where struct {
	conds []string
	args  []any
}

// add appends a condition in which each "?" stands for the next of args.
func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	for _, a := range args {
		i := strings.IndexByte(cond, '?')
		b.WriteString(cond[:i])
		b.WriteString(w.param(a))
		cond = cond[i+1:]
	}
	b.WriteString(cond)
	w.conds = append(w.conds, b.String())
}

// param adds a parameter and returns its placeholder.
func (w *where) param(a any) string {
	w.args = append(w.args, a)
	return "$" + strconv.Itoa(len(w.args))
}

// sql returns the WHERE clause, "" when there is no condition.
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Sessions implements sb.EventStore. The text condition reads the trigram
// index of message text (migrations/0008_history_search.sql): ILIKE folds
// the case of Latin letters, as the SQLite store's search does.
func (db *DB) Sessions(ctx context.Context, f sb.SessionFilter) (_ []*sb.Session, err error) {
	defer classify(&err)
	var w where
	if f.Status != nil {
		w.add("status = ?", int32(*f.Status))
	}
	if f.Medium != "" {
		w.add("medium = ?", string(f.Medium))
	}
	if f.Type != "" {
		w.add("type = ?", string(f.Type))
	}
	if f.AgentID != 0 {
		w.add("agent_id = ?", f.AgentID)
	}
	if f.QueueID != 0 {
		w.add("queue_id = ?", f.QueueID)
	}
	if f.EndUser != "" {
		w.add("end_user = ?", f.EndUser)
	}
	if f.BeforeID != 0 {
		w.add("id < ?", f.BeforeID)
	}
	if f.Channel != "" {
		w.add("channel = ?", string(f.Channel))
	}
	if !f.From.IsZero() {
		w.add("created_at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		w.add("created_at < ?", ms(f.To))
	}
	if f.Ended {
		w.add("ended_at IS NOT NULL")
	}
	if f.HandledBy != 0 {
		w.add("id IN (SELECT session_id FROM session_agents WHERE agent_id = ?)", f.HandledBy)
	}
	if f.TagID != 0 {
		w.add("tags @> ARRAY[?::bigint]", f.TagID)
	}
	if f.Text != "" {
		w.add(`id IN (SELECT session_id FROM events WHERE text ILIKE ? ESCAPE '\')`, likePattern(f.Text))
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q := `SELECT state FROM sessions` + w.sql()
	q += ` ORDER BY id DESC LIMIT ` + w.param(limit)
	out, err := db.querySessions(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	return out, nil
}

// likeEscaper escapes LIKE's wildcards and its escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// likePattern returns a LIKE pattern that matches values containing q.
func likePattern(q string) string { return "%" + likeEscaper.Replace(q) + "%" }

// LiveSessions implements sb.EventStore: it reads the partial index of the
// sessions not ended.
func (db *DB) LiveSessions(ctx context.Context) (_ []*sb.Session, err error) {
	defer classify(&err)
	out, err := db.querySessions(ctx, `SELECT state FROM sessions WHERE ended_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("live sessions: %w", err)
	}
	return out, nil
}

// querySessions decodes the state column of each row of q.
func (db *DB) querySessions(ctx context.Context, q string, args ...any) ([]*sb.Session, error) {
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*sb.Session, error) {
		var state []byte
		if err := row.Scan(&state); err != nil {
			return nil, err
		}
		s := new(sb.Session)
		if err := json.Unmarshal(state, s); err != nil {
			return nil, fmt.Errorf("decode session: %w", err)
		}
		return s, nil
	})
}

// MaxSessionID implements sb.EventStore.
func (db *DB) MaxSessionID(ctx context.Context) (_ int64, err error) {
	defer classify(&err)
	var id int64
	if err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM sessions`).Scan(&id); err != nil {
		return 0, fmt.Errorf("max session id: %w", err)
	}
	return id, nil
}
