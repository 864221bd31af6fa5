package postgres

import (
	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// A batch's timer changes are applied change by change, and within a
// change in the order fired, cancelled, set, ensured: a change that fires a
// timer may cancel or re-arm its kind, and a later change of the batch may
// undo what an earlier one did. timerPlan works out, for each session and
// kind, what that sequence leaves, so that the batch writes the timers of
// all its changes with four statements instead of one per timer:
//
//   - fired: delete the stored timer if it is due at the fired time, and
//     refuse the batch if it is not (it was fired, moved or cancelled);
//   - deleted: remove the stored timer;
//   - set: store the timer, replacing any;
//   - ensured: store the timer unless one is stored.
//
// A key gets at most one fired row and then at most one of the other
// three, so the order of the statements does not matter between keys. A
// key whose sequence the plan cannot resolve without reading the stored
// timer (a timer ensured from the stored state, then fired) is written op
// by op instead, in order, after the others.

// timerKey identifies a pending timer.
type timerKey struct {
	session int64
	kind    string
}

// timerState is what the plan knows of a key at a point of the sequence.
type timerState uint8

const (
	timerStored  timerState = iota // as stored before the batch
	timerAbsent                    // not pending
	timerSet                       // pending with the plan's due time and data
	timerEnsured                   // as stored if pending, else the plan's
)

type timerOpKind uint8

const (
	opFire timerOpKind = iota
	opCancel
	opSet
	opEnsure
)

type timerOp struct {
	kind timerOpKind
	due  int64
	data []byte
}

// keyPlan is the plan of one key.
type keyPlan struct {
	state timerState
	due   int64
	data  []byte
	// fired is set when the first op on the stored timer fires it: the
	// batch checks and deletes it (firedDue is the due time fired). gone
	// then says the stored timer is deleted already.
	fired    bool
	firedDue int64
	// ops are the key's ops in order, for a key written op by op
	// (sequential).
	ops        []timerOp
	sequential bool
}

type timerPlan struct {
	keys  map[timerKey]*keyPlan
	order []timerKey // keys in the order of their first op
	// sequential makes every key be written op by op (tests).
	sequential bool
}

func (p *timerPlan) key(k timerKey) *keyPlan {
	kp, ok := p.keys[k]
	if !ok {
		if p.keys == nil {
			p.keys = make(map[timerKey]*keyPlan)
		}
		kp = &keyPlan{sequential: p.sequential}
		p.keys[k] = kp
		p.order = append(p.order, k)
	}
	return kp
}

// add plans a change's timers.
func (p *timerPlan) add(c *sb.Change) error {
	for _, t := range c.FiredTimers {
		if err := p.op(timerKey{t.SessionID, t.Kind}, timerOp{opFire, ms(t.DueAt), nil}); err != nil {
			return err
		}
	}
	for _, kind := range c.CancelTimers {
		p.op(timerKey{c.Session.ID, kind}, timerOp{kind: opCancel})
	}
	for _, t := range c.SetTimers {
		p.op(timerKey{t.SessionID, t.Kind}, timerOp{opSet, ms(t.DueAt), t.Data})
	}
	for _, t := range c.EnsureTimers {
		p.op(timerKey{t.SessionID, t.Kind}, timerOp{opEnsure, ms(t.DueAt), t.Data})
	}
	return nil
}

// op applies one op to its key's plan. Only firing can fail: firing a
// timer the batch has cancelled, fired or set to another time refuses the
// batch, as the statement that deletes it would find nothing.
func (p *timerPlan) op(k timerKey, op timerOp) error {
	kp := p.key(k)
	kp.ops = append(kp.ops, op)
	if kp.sequential {
		return nil
	}
	switch op.kind {
	case opFire:
		switch kp.state {
		case timerStored:
			kp.fired, kp.firedDue = true, op.due
			kp.state = timerAbsent
		case timerSet:
			if kp.due != op.due {
				return notPending(k)
			}
			kp.state = timerAbsent
		case timerAbsent:
			return notPending(k)
		case timerEnsured:
			kp.sequential = true
		}
	case opCancel:
		kp.state = timerAbsent
	case opSet:
		kp.state, kp.due, kp.data = timerSet, op.due, op.data
	case opEnsure:
		switch kp.state {
		case timerStored:
			kp.state, kp.due, kp.data = timerEnsured, op.due, op.data
		case timerAbsent:
			kp.state, kp.due, kp.data = timerSet, op.due, op.data
		}
	}
	return nil
}

func notPending(k timerKey) error {
	return sb.Errorf(sb.EPRECONDITION, "timer %s of session %d is no longer pending", k.kind, k.session)
}

// timerRows are the rows of one timer statement.
type timerRows struct {
	session []int64
	kind    []string
	due     []int64
	data    [][]byte
	keys    []timerKey
}

func (r *timerRows) add(k timerKey, due int64, data []byte) {
	r.session = append(r.session, k.session)
	r.kind = append(r.kind, k.kind)
	r.due = append(r.due, due)
	r.data = append(r.data, data)
	r.keys = append(r.keys, k)
}

const (
	// firedTimersSQL returns the timers it deleted; the batch is refused
	// unless it deleted all.
	firedTimersSQL = `DELETE FROM timers t USING unnest($1::bigint[], $2::text[], $3::bigint[]) AS f(session_id, kind, due_at)
		WHERE t.session_id = f.session_id AND t.kind = f.kind AND t.due_at = f.due_at
		RETURNING t.session_id, t.kind`
	deleteTimersSQL = `DELETE FROM timers t USING unnest($1::bigint[], $2::text[]) AS d(session_id, kind)
		WHERE t.session_id = d.session_id AND t.kind = d.kind`
	setTimersSQL = `INSERT INTO timers (session_id, kind, due_at, data)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bytea[])
		ON CONFLICT (session_id, kind) DO UPDATE SET due_at = excluded.due_at, data = excluded.data`
	ensureTimersSQL = `INSERT INTO timers (session_id, kind, due_at, data)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bytea[])
		ON CONFLICT (session_id, kind) DO NOTHING`
)

// queue queues the plan's statements; a fired row the database does not
// delete is reported to refuse.
func (p *timerPlan) queue(b *pgx.Batch, refuse func(error)) {
	var fired, deleted, set, ensured timerRows
	var sequential []timerKey
	for _, k := range p.order {
		kp := p.keys[k]
		if kp.sequential {
			sequential = append(sequential, k)
			continue
		}
		if kp.fired {
			fired.add(k, kp.firedDue, nil)
		}
		switch kp.state {
		case timerAbsent:
			if !kp.fired {
				deleted.add(k, 0, nil)
			}
		case timerSet:
			set.add(k, kp.due, kp.data)
		case timerEnsured:
			ensured.add(k, kp.due, kp.data)
		}
	}
	queueFired(b, &fired, refuse)
	if len(deleted.keys) > 0 {
		b.Queue(deleteTimersSQL, deleted.session, deleted.kind)
	}
	if len(set.keys) > 0 {
		b.Queue(setTimersSQL, set.session, set.kind, set.due, set.data)
	}
	if len(ensured.keys) > 0 {
		b.Queue(ensureTimersSQL, ensured.session, ensured.kind, ensured.due, ensured.data)
	}
	for _, k := range sequential {
		for _, op := range p.keys[k].ops {
			var one timerRows
			one.add(k, op.due, op.data)
			switch op.kind {
			case opFire:
				queueFired(b, &one, refuse)
			case opCancel:
				b.Queue(deleteTimersSQL, one.session, one.kind)
			case opSet:
				b.Queue(setTimersSQL, one.session, one.kind, one.due, one.data)
			case opEnsure:
				b.Queue(ensureTimersSQL, one.session, one.kind, one.due, one.data)
			}
		}
	}
}

func queueFired(b *pgx.Batch, fired *timerRows, refuse func(error)) {
	if len(fired.keys) == 0 {
		return
	}
	onRows(b.Queue(firedTimersSQL, fired.session, fired.kind, fired.due), "fired timers", func(rows pgx.Rows) error {
		deleted := make(map[timerKey]bool, len(fired.keys))
		for rows.Next() {
			var k timerKey
			if err := rows.Scan(&k.session, &k.kind); err != nil {
				return err
			}
			deleted[k] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range fired.keys {
			if !deleted[k] {
				refuse(notPending(k))
				break
			}
		}
		return nil
	})
}
