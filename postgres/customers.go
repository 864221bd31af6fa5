package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// customerRows are rows of customer_agents a commit writes.
type customerRows struct {
	customer           []string
	session, agent, at []int64
	n                  []int32
	seen               map[customerRow]bool
}

type customerRow struct {
	customer       string
	session, agent int64
}

// index records, for the familiar-customer rule, the agents who handled a
// changed session under its customer's key: on insert every agent of its
// handles, on update the current agent (like session_agents, every
// handler is the current agent of some committed version) unless its
// session_agents row is known committed (indexed), and with it this row.
// Each row carries the agent's first handle in the session, the order
// routing reads. A row the batch already holds is not added again: the
// first stays, as the insert keeps the row stored.
func (r *customerRows) index(c *sb.Change, indexed bool) {
	s := c.Session
	key := s.EndUser.CustomerKey()
	if key == "" || len(s.Handles) == 0 {
		return
	}
	put := func(agent int64) {
		if agent == 0 {
			return
		}
		k := customerRow{key, s.ID, agent}
		if r.seen[k] {
			return
		}
		if r.seen == nil {
			r.seen = make(map[customerRow]bool)
		}
		r.seen[k] = true
		n := 0
		for n < len(s.Handles)-1 && s.Handles[n].Agent.ID != agent {
			n++
		}
		r.customer = append(r.customer, key)
		r.session = append(r.session, s.ID)
		r.agent = append(r.agent, agent)
		r.n = append(r.n, int32(n))
		r.at = append(r.at, ms(s.CreatedAt))
	}
	if c.ExpectedSeq != 0 {
		if s.Agent != nil && !indexed {
			put(s.Agent.ID)
		}
		return
	}
	for _, h := range s.Handles {
		put(h.Agent.ID)
	}
}

const insertCustomersSQL = `INSERT INTO customer_agents (customer, session_id, agent_id, n, created_at)
	SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::integer[], $5::bigint[])
	ON CONFLICT DO NOTHING`

func (r *customerRows) queue(b *pgx.Batch) {
	if len(r.customer) > 0 {
		b.Queue(insertCustomersSQL, r.customer, r.session, r.agent, r.n, r.at)
	}
}

// ServedCustomer implements sb.EventStore. It reads one customer's rows of
// customer_agents: a range of its primary key, whatever the store's size.
func (db *DB) ServedCustomer(ctx context.Context, customer string, since time.Time) (_ []sb.Served, err error) {
	defer classify(&err)
	rows, err := db.pool.Query(ctx, `SELECT session_id, agent_id FROM customer_agents
		WHERE customer = $1 AND created_at >= $2 ORDER BY session_id, n`, customer, ms(since))
	if err != nil {
		return nil, fmt.Errorf("served customer: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (sb.Served, error) {
		var s sb.Served
		err := row.Scan(&s.SessionID, &s.AgentID)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("served customer: %w", err)
	}
	return out, nil
}
