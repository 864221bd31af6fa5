package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/agentindex"
)

var _ sb.EventStore = (*DB)(nil)

// textEvent is the event type whose text the history search reads.
const textEvent = "message_sent"

// Commit implements sb.EventStore: all changes in one transaction, sent as
// one pgx batch that begins it (one round trip), then the commit. The
// batch writes each table with one statement over arrays of rows
// (unnest), whatever the number of changes.
//
// A session changed several times in the batch has its row written once,
// with its last version, checked against the version before the first:
// an update names the version it expects and a row not at it is not
// updated, which refuses the batch (EPRECONDITION); an insert of a session
// that exists refuses it too, as does an event whose (session_id, seq) is
// stored already.
//
// Event IDs are taken from the counter row event_position, in the
// transaction, by the last statement of the batch: the update holds the
// row's lock until the transaction ends, so a committer takes its IDs only
// once every committer before it has committed or rolled back. IDs
// therefore increase in commit order and have no gaps among committed
// events, and a reader that pages with Events(afterID) never skips an
// event whose ID is below one it has read. A sequence default would hand
// out IDs in the order transactions ask for them, and a transaction could
// commit an ID below one a reader has already seen.
func (db *DB) Commit(ctx context.Context, changes []*sb.Change) (err error) {
	defer classify(&err)
	if len(changes) == 0 {
		return nil
	}
	p, err := db.planCommit(changes)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.BeginTx(pgx.TxOptions{})
	if f := db.fence.Load(); f != nil {
		p.queueFence(b, *f)
	}
	p.queue(b)
	br := db.pool.SendBatch(ctx, b)
	tx := br.Tx()
	defer tx.Rollback(context.WithoutCancel(ctx)) // after Commit: ErrTxClosed, nothing sent
	err = br.Close()
	if p.refused != nil {
		return p.refused // the first refusal, before any error it caused
	}
	if err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for i, e := range p.eventRefs {
		e.ID = p.firstEventID + int64(i)
	}
	db.indexed.Add(p.indexed)
	return nil
}

// commitPlan is what a batch writes, table by table.
type commitPlan struct {
	inserts, updates sessionCols
	newest           int64 // the largest ID of a new session
	agents           struct{ agent, session []int64 }
	indexed          []agentindex.Pair // session_agents rows written
	customers        customerRows
	timers           timerPlan
	outbox           outboxCols
	idempotency      idempotencyCols
	events           eventCols
	eventRefs        []*sb.Event // the events, in the order of their IDs
	firstEventID     int64
	// refused is the first precondition the database found failed.
	refused error
}

func (p *commitPlan) refuse(err error) {
	if p.refused == nil {
		p.refused = err
	}
}

// sessionCols are the session rows of one statement.
type sessionCols struct {
	id, expected, seq, agent, queue, created, updated []int64
	ended                                             []*int64
	uuid, typ, medium, channel, endUser, tags         []string
	status                                            []int32
	state                                             [][]byte
}

type eventCols struct {
	session, seq, time []int64
	typ, text          []string
	v                  []int32
	actor, data        [][]byte
}

type outboxCols struct {
	kind, key       []string
	session         []int64
	payload         [][]byte
	created, nextAt []int64
}

// sessionRow says how a change writes its session's row: only the last
// change of a session in a batch writes it (write), inserting it when the
// session's first change in the batch creates it (expected 0), else
// updating it from the version before that first change (expected).
type sessionRow struct {
	write    bool
	expected int64
}

// sessionRows plans the row writes of a batch. Each change of a session
// must follow the one before it in the batch.
func sessionRows(changes []*sb.Change) ([]sessionRow, error) {
	rows := make([]sessionRow, len(changes))
	last := make(map[int64]int, len(changes)) // session → its latest change so far
	for i, c := range changes {
		id := c.Session.ID
		rows[i] = sessionRow{write: true, expected: c.ExpectedSeq}
		if j, ok := last[id]; ok {
			if c.ExpectedSeq != changes[j].Session.Seq {
				return nil, sb.Errorf(sb.EPRECONDITION, "session %d is not at version %d", id, c.ExpectedSeq)
			}
			rows[i].expected = rows[j].expected
			rows[j].write = false
		}
		last[id] = i
	}
	return rows, nil
}

// planCommit gathers the rows of a batch. It refuses a batch that could
// not commit whatever is stored: a change that does not follow the one
// before it, a timer fired after the batch removed it.
func (db *DB) planCommit(changes []*sb.Change) (*commitPlan, error) {
	rows, err := sessionRows(changes)
	if err != nil {
		return nil, err
	}
	p := &commitPlan{timers: timerPlan{sequential: db.timersOpByOp}}
	pairs := make(map[agentindex.Pair]bool)
	for i, c := range changes {
		s := c.Session
		if rows[i].write {
			if err := p.addSession(s, rows[i].expected); err != nil {
				return nil, err
			}
		}
		if c.ExpectedSeq == 0 {
			p.newest = max(p.newest, s.ID)
		}
		var agentID int64
		if s.Agent != nil {
			agentID = s.Agent.ID
		}
		pair := agentindex.Pair{Agent: agentID, Session: s.ID}
		indexed := agentID != 0 && db.indexed.Has(pair)
		if agentID != 0 && !indexed && !pairs[pair] {
			// Every handler is the current agent of some committed
			// version, so this records every agent who handled the
			// session.
			pairs[pair] = true
			p.agents.agent = append(p.agents.agent, agentID)
			p.agents.session = append(p.agents.session, s.ID)
			p.indexed = append(p.indexed, pair)
		}
		p.customers.index(c, indexed)
		for j := range c.Events {
			if err := p.addEvent(&c.Events[j]); err != nil {
				return nil, err
			}
		}
		if err := p.timers.add(c); err != nil {
			return nil, err
		}
		for _, o := range c.Outbox {
			payload := o.Payload
			if payload == nil {
				payload = []byte{}
			}
			p.outbox.kind = append(p.outbox.kind, o.Kind)
			p.outbox.session = append(p.outbox.session, o.SessionID)
			p.outbox.key = append(p.outbox.key, o.Key)
			p.outbox.payload = append(p.outbox.payload, payload)
			p.outbox.created = append(p.outbox.created, ms(o.CreatedAt))
			p.outbox.nextAt = append(p.outbox.nextAt, ms(o.NextAttemptAt))
		}
		p.idempotency.add(c.Idempotency)
	}
	return p, nil
}

// addSession adds the row of a session's last version in the batch.
func (p *commitPlan) addSession(s *sb.Session, expected int64) error {
	state, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("commit: encode session %d: %w", s.ID, err)
	}
	var agentID, queueID int64
	if s.Agent != nil {
		agentID = s.Agent.ID
	}
	if s.Queue != nil {
		queueID = s.Queue.ID
	}
	tags := []byte{'{'}
	for i, t := range s.Tags {
		if i > 0 {
			tags = append(tags, ',')
		}
		tags = strconv.AppendInt(tags, t.ID, 10)
	}
	tags = append(tags, '}')
	r := &p.updates
	if expected == 0 {
		r = &p.inserts
		r.uuid = append(r.uuid, s.UUID)
		r.typ = append(r.typ, string(s.Type))
		r.medium = append(r.medium, string(s.Medium))
		r.channel = append(r.channel, string(s.Channel))
		r.endUser = append(r.endUser, s.EndUser.Identifier)
		r.created = append(r.created, ms(s.CreatedAt))
	}
	r.id = append(r.id, s.ID)
	r.expected = append(r.expected, expected)
	r.status = append(r.status, int32(s.Status))
	r.seq = append(r.seq, s.Seq)
	r.agent = append(r.agent, agentID)
	r.queue = append(r.queue, queueID)
	r.updated = append(r.updated, ms(s.UpdatedAt))
	r.ended = append(r.ended, nullMS(s.EndedAt))
	r.tags = append(r.tags, string(tags))
	r.state = append(r.state, state)
	return nil
}

// addEvent adds an event, with the text of a chat message for the history
// search. A message whose data is not a JSON object with a string text is
// refused, as the SQLite store refuses it.
func (p *commitPlan) addEvent(e *sb.Event) error {
	actor, err := json.Marshal(e.Actor)
	if err != nil {
		return fmt.Errorf("commit: encode actor: %w", err)
	}
	var text string
	if e.Type == textEvent {
		var m struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(e.Data, &m); err != nil {
			return fmt.Errorf("commit: decode message %d/%d: %w", e.SessionID, e.Seq, err)
		}
		text = m.Text
	}
	data := []byte(e.Data)
	if data == nil {
		data = []byte{}
	}
	ev := &p.events
	ev.session = append(ev.session, e.SessionID)
	ev.seq = append(ev.seq, e.Seq)
	ev.typ = append(ev.typ, string(e.Type))
	ev.v = append(ev.v, int32(e.Version))
	ev.time = append(ev.time, ms(e.Time))
	ev.actor = append(ev.actor, actor)
	ev.data = append(ev.data, data)
	ev.text = append(ev.text, text)
	p.eventRefs = append(p.eventRefs, e)
	return nil
}

const (
	// insertSessionsSQL returns the sessions it inserted: one that exists
	// (by ID or UUID) is skipped, which refuses the batch.
	insertSessionsSQL = `INSERT INTO sessions (id, uuid, type, medium, channel, status, seq, agent_id, queue_id,
			end_user, tags, created_at, updated_at, ended_at, state)
		SELECT id, uuid, type, medium, channel, status, seq, NULLIF(agent_id, 0), NULLIF(queue_id, 0),
			NULLIF(end_user, ''), tags::bigint[], created_at, updated_at, ended_at, state
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::bigint[],
			$8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bytea[])
			AS u(id, uuid, type, medium, channel, status, seq, agent_id, queue_id, end_user, tags, created_at,
				updated_at, ended_at, state)
		ORDER BY id
		ON CONFLICT DO NOTHING
		RETURNING id`
	// updateSessionsSQL returns the sessions it updated: one not at the
	// version expected is not, which refuses the batch. Rows are locked in
	// ID order, so that two committers cannot deadlock on them.
	updateSessionsSQL = `UPDATE sessions AS s SET status = u.status, seq = u.seq, agent_id = NULLIF(u.agent_id, 0),
			queue_id = NULLIF(u.queue_id, 0), updated_at = u.updated_at, ended_at = u.ended_at,
			tags = u.tags::bigint[], state = u.state
		FROM (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::integer[], $4::bigint[], $5::bigint[], $6::bigint[],
				$7::bigint[], $8::bigint[], $9::text[], $10::bytea[])
				AS u(id, expected, status, seq, agent_id, queue_id, updated_at, ended_at, tags, state) ORDER BY id) AS u
		WHERE s.id = u.id AND s.seq = u.expected
		RETURNING s.id`
	insertAgentsSQL = `INSERT INTO session_agents (agent_id, session_id)
		SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING`
	// insertOutboxSQL keeps one delivery per key: the first.
	insertOutboxSQL = `INSERT INTO outbox (kind, session_id, key, payload, state, created_at, next_attempt_at)
		SELECT kind, session_id, key, payload, $7, created_at, next_attempt_at
		FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bytea[], $5::bigint[], $6::bigint[])
			WITH ORDINALITY AS o(kind, session_id, key, payload, created_at, next_attempt_at, n)
		ORDER BY n
		ON CONFLICT (key) DO NOTHING`
	// insertEventsSQL advances the event position by $1 and gives the
	// events the IDs after the old position, in array order; it returns
	// the new position. See Commit.
	insertEventsSQL = `WITH p AS (
			UPDATE event_position SET last = last + $1 WHERE id = 1 RETURNING last
		), ins AS (
			INSERT INTO events (id, session_id, seq, type, v, time, actor, data, text)
			SELECT p.last - $1 + e.n, e.session_id, e.seq, e.type, e.v, e.time, e.actor, e.data, NULLIF(e.text, '')
			FROM p, unnest($2::bigint[], $3::bigint[], $4::text[], $5::integer[], $6::bigint[], $7::bytea[], $8::bytea[], $9::text[])
				WITH ORDINALITY AS e(session_id, seq, type, v, time, actor, data, text, n)
		)
		SELECT last FROM p`
)

// queue queues the batch's statements. The sequence and event position
// rows, which every committer locks, come last and in that order: each
// committer holds them for the shortest time, and all take them in the
// same order.
func (p *commitPlan) queue(b *pgx.Batch) {
	if r := &p.inserts; len(r.id) > 0 {
		onRows(b.Queue(insertSessionsSQL, r.id, r.uuid, r.typ, r.medium, r.channel, r.status, r.seq, r.agent, r.queue,
			r.endUser, r.tags, r.created, r.updated, r.ended, r.state), "insert sessions", func(rows pgx.Rows) error {
			return p.checkRows(rows, r.id, func(i int) error {
				return sb.Errorf(sb.EPRECONDITION, "session %d exists already", r.id[i])
			})
		})
	}
	if r := &p.updates; len(r.id) > 0 {
		onRows(b.Queue(updateSessionsSQL, r.id, r.expected, r.status, r.seq, r.agent, r.queue, r.updated, r.ended,
			r.tags, r.state), "update sessions", func(rows pgx.Rows) error {
			return p.checkRows(rows, r.id, func(i int) error {
				return sb.Errorf(sb.EPRECONDITION, "session %d is not at version %d", r.id[i], r.expected[i])
			})
		})
	}
	if len(p.agents.agent) > 0 {
		onExec(b.Queue(insertAgentsSQL, p.agents.agent, p.agents.session), "index agents")
	}
	p.customers.queue(b)
	p.timers.queue(b, p.refuse)
	if o := &p.outbox; len(o.key) > 0 {
		onExec(b.Queue(insertOutboxSQL, o.kind, o.session, o.key, o.payload, o.created, o.nextAt, sb.OutboxPending), "outbox")
	}
	p.idempotency.queue(b, p.refuse)
	if p.newest > 0 {
		onExec(b.Queue(advanceSequenceSQL, sessionSequence, p.newest), "session sequence")
	}
	if e := &p.events; len(e.seq) > 0 {
		n := int64(len(e.seq))
		qq := b.Queue(insertEventsSQL, n, e.session, e.seq, e.typ, e.v, e.time, e.actor, e.data, e.text)
		qq.Fn = func(br pgx.BatchResults) error {
			var last int64
			if err := br.QueryRow().Scan(&last); err != nil {
				if pgCode(err) == "23505" { // unique_violation: (session_id, seq)
					return fmt.Errorf("%w: %w", sb.Errorf(sb.EPRECONDITION, "an event of the batch is in the log already"), err)
				}
				return fmt.Errorf("commit: insert events: %w", err)
			}
			p.firstEventID = last - n + 1
			return nil
		}
	}
}

// queueFence checks the leader's term first in the batch: when it has
// ended, the batch is refused and nothing after it commits.
func (p *commitPlan) queueFence(b *pgx.Batch, f Fence) {
	b.Queue(fenceSQL, f.Lease).Fn = func(br pgx.BatchResults) error {
		var epoch int64
		err := f.verdict(br.QueryRow().Scan(&epoch), epoch)
		if sb.ErrorCode(err) == sb.EUNAVAILABLE {
			p.refuse(err)
		}
		return err
	}
}

// checkRows reads the IDs a statement returns and refuses the batch with
// missing(i) for the first of ids it did not return.
func (p *commitPlan) checkRows(rows pgx.Rows, ids []int64, missing func(i int) error) error {
	done := make(map[int64]bool, len(ids))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		done[id] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(done) == len(ids) {
		return nil
	}
	for i, id := range ids {
		if !done[id] {
			p.refuse(missing(i))
			break
		}
	}
	return nil
}

// onExec makes a batch statement's error name what it did.
func onExec(qq *pgx.QueuedQuery, what string) {
	qq.Fn = func(br pgx.BatchResults) error {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("commit: %s: %w", what, err)
		}
		return nil
	}
}

// onRows reads a batch statement's rows with fn.
func onRows(qq *pgx.QueuedQuery, what string, fn func(pgx.Rows) error) {
	qq.Fn = func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return fmt.Errorf("commit: %s: %w", what, err)
		}
		defer rows.Close()
		if err := fn(rows); err != nil {
			return fmt.Errorf("commit: %s: %w", what, err)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("commit: %s: %w", what, err)
		}
		return nil
	}
}
