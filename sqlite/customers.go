package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

func init() {
	// Prepared with the other statements of Commit, and of the read pool:
	// routing reads a customer's history on the engine's writer.
	statements["indexCustomer"] = `INSERT OR IGNORE INTO customer_agents (customer, session_id, agent_id, n, created_at)
		VALUES (?, ?, ?, ?, ?)`
	readStatements["servedCustomer"] = servedCustomerQuery
}

// indexCustomer records, for the familiar-customer rule, the agents who
// handled a changed session under its customer's key: on insert every
// agent of its handles, on update the current agent (like session_agents,
// every handler is the current agent of some committed version) unless
// its session_agents row is known committed (indexed), and with it this
// row. Each row carries the agent's first handle in the session, the
// order routing reads.
func indexCustomer(ctx context.Context, st func(string) *sql.Stmt, c *sb.Change, indexed bool) error {
	s := c.Session
	key := s.EndUser.CustomerKey()
	if key == "" || len(s.Handles) == 0 {
		return nil
	}
	put := func(agent int64) error {
		if agent == 0 {
			return nil
		}
		n := 0
		for n < len(s.Handles)-1 && s.Handles[n].Agent.ID != agent {
			n++
		}
		if _, err := st("indexCustomer").ExecContext(ctx, key, s.ID, agent, n, ms(s.CreatedAt)); err != nil {
			return fmt.Errorf("commit: index customer: %w", err)
		}
		return nil
	}
	if c.ExpectedSeq != 0 {
		if s.Agent == nil || indexed {
			return nil
		}
		return put(s.Agent.ID)
	}
	for _, h := range s.Handles {
		if err := put(h.Agent.ID); err != nil {
			return err
		}
	}
	return nil
}

// ServedCustomer implements sb.EventStore. It reads one customer's rows of
// customer_agents: a search of its primary key, whatever the store's size.
func (db *DB) ServedCustomer(ctx context.Context, customer string, since time.Time) ([]sb.Served, error) {
	rows, err := db.reads["servedCustomer"].QueryContext(ctx, customer, ms(since))
	if err != nil {
		return nil, fmt.Errorf("served customer: %w", err)
	}
	defer rows.Close()
	var out []sb.Served
	for rows.Next() {
		var s sb.Served
		if err := rows.Scan(&s.SessionID, &s.AgentID); err != nil {
			return nil, fmt.Errorf("served customer: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

const servedCustomerQuery = `SELECT session_id, agent_id FROM customer_agents
	WHERE customer = ? AND created_at >= ? ORDER BY session_id, n`
