package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	sb "github.com/switchboardhq/switchboard"
)

// LeaderLease is the name of the cluster's leader lease: its holder is the
// one node that writes the sessions, and a command that writes offline
// (verify --fix, reports rebuild) holds it too, so that it cannot run beside
// a running cluster.
const LeaderLease = "leader"

// ErrLeaseLost says another node holds the lease now: the term it was
// asked about has ended.
var ErrLeaseLost = errors.New("the lease is held by another node")

// Lease is one named lease of the cluster, as seen by one node. A node
// that acquires it starts a new term with a larger epoch; it renews the
// term before it expires. Correctness does not rest on the clocks: a node
// whose term ended (paused, partitioned, its clock slow) is fenced by the
// epoch its commits check (see DB.Fence). The clocks only decide how soon
// another node may take over, so the nodes' clocks should agree to well
// within the TTL (NTP).
type Lease struct {
	db      *DB
	name    string
	node    string
	address string
	ttl     time.Duration
	clock   sb.Clock
}

// Term is a node's hold on a lease.
type Term struct {
	Epoch   int64
	Expires time.Time
}

// Holder is who holds a lease, as the table says.
type Holder struct {
	Node    string
	Address string // where the node takes forwarded commands
	Epoch   int64
	Expires time.Time
}

// Lease returns the lease name as node sees it: node names this process,
// address is where other nodes reach it, ttl how long a term lasts
// without renewal.
func (db *DB) Lease(name, node, address string, ttl time.Duration, c sb.Clock) *Lease {
	return &Lease{db: db, name: name, node: node, address: address, ttl: ttl, clock: c}
}

// Acquire starts a new term if the lease is free, has expired or is this
// node's own (a restarted node takes its lease back at once, fencing its
// earlier run). ok is false while another node's term runs.
func (l *Lease) Acquire(ctx context.Context) (t Term, ok bool, err error) {
	defer classify(&err)
	now := l.clock.Now()
	exp := now.Add(l.ttl)
	var epoch int64
	err = l.db.pool.QueryRow(ctx, `
		INSERT INTO leases (name, holder, address, epoch, acquired_at, expires_at) VALUES ($1, $2, $3, 1, $4, $5)
		ON CONFLICT (name) DO UPDATE SET holder = $2, address = $3, epoch = leases.epoch + 1, acquired_at = $4, expires_at = $5
		WHERE leases.expires_at <= $4 OR leases.holder = $2
		RETURNING epoch`, l.name, l.node, l.address, ms(now), ms(exp)).Scan(&epoch)
	if errors.Is(err, pgx.ErrNoRows) {
		return Term{}, false, nil
	}
	if err != nil {
		return Term{}, false, fmt.Errorf("acquire lease %s: %w", l.name, err)
	}
	return Term{Epoch: epoch, Expires: fromMS(ms(exp))}, true, nil
}

// Renew extends term t by the TTL from now. It returns ErrLeaseLost when
// another node has acquired the lease since.
func (l *Lease) Renew(ctx context.Context, t Term) (_ Term, err error) {
	defer classify(&err)
	exp := l.clock.Now().Add(l.ttl)
	tag, err := l.db.pool.Exec(ctx, `UPDATE leases SET expires_at = $4 WHERE name = $1 AND holder = $2 AND epoch = $3`,
		l.name, l.node, t.Epoch, ms(exp))
	if err != nil {
		return t, fmt.Errorf("renew lease %s: %w", l.name, err)
	}
	if tag.RowsAffected() != 1 {
		return t, ErrLeaseLost
	}
	return Term{Epoch: t.Epoch, Expires: fromMS(ms(exp))}, nil
}

// Release ends term t at once, so that another node may take over without
// waiting for it to expire (a clean shutdown). Releasing a term that has
// ended is not an error.
func (l *Lease) Release(ctx context.Context, t Term) (err error) {
	defer classify(&err)
	if _, err := l.db.pool.Exec(ctx, `UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2 AND epoch = $3`,
		l.name, l.node, t.Epoch); err != nil {
		return fmt.Errorf("release lease %s: %w", l.name, err)
	}
	return nil
}

// Holder returns who holds the lease; ENOTFOUND when nobody ever has.
// Expires may be in the past: the holder stopped renewing and nobody has
// taken over yet.
func (l *Lease) Holder(ctx context.Context) (h Holder, err error) {
	defer classify(&err)
	var exp int64
	err = l.db.pool.QueryRow(ctx, `SELECT holder, address, epoch, expires_at FROM leases WHERE name = $1`, l.name).
		Scan(&h.Node, &h.Address, &h.Epoch, &exp)
	if errors.Is(err, pgx.ErrNoRows) {
		return Holder{}, sb.Errorf(sb.ENOTFOUND, "nobody holds the %s lease", l.name)
	}
	if err != nil {
		return Holder{}, fmt.Errorf("lease %s: %w", l.name, err)
	}
	h.Expires = fromMS(exp)
	return h, nil
}

// Fence is what a leader's writes check: the lease and the epoch of the
// term the writer runs in.
type Fence struct {
	Lease string
	Epoch int64
}

// fenceSQL reads the lease row FOR SHARE, so a node acquiring the lease
// waits for the transactions that checked the old term to end, and every
// transaction after the acquisition sees the new epoch: a deposed leader's
// commit either lands before the new term starts (and the new leader
// reads it) or not at all.
const fenceSQL = `SELECT epoch FROM leases WHERE name = $1 FOR SHARE`

// check refuses the transaction unless the lease is still in the fence's
// term.
func (f Fence) check(ctx context.Context, tx pgx.Tx) error {
	var epoch int64
	return f.verdict(tx.QueryRow(ctx, fenceSQL, f.Lease).Scan(&epoch), epoch)
}

// verdict is the fence's answer to the lease row it read.
func (f Fence) verdict(err error, epoch int64) error {
	if errors.Is(err, pgx.ErrNoRows) || err == nil && epoch != f.Epoch {
		return sb.Errorf(sb.EUNAVAILABLE, "this node is not the leader (term %d of lease %q is not current)", f.Epoch, f.Lease)
	}
	if err != nil {
		return fmt.Errorf("check the lease: %w", err)
	}
	return nil
}

// SetFence makes every later write of the leader's state (Commit, the
// report facts) check f in its transaction and refuse with unavailable
// once f's term has ended. A node sets the fence of each term it starts;
// a node that is not the leader sets Fence{Lease: name} (epoch 0, which no
// term has), so that nothing it runs can write that state. A store with
// no fence set writes unchecked: one process alone on its database.
func (db *DB) SetFence(f Fence) { db.fence.Store(&f) }

// checkFence is check for the fence set, if any.
func (db *DB) checkFence(ctx context.Context, tx pgx.Tx) error {
	if f := db.fence.Load(); f != nil {
		return f.check(ctx, tx)
	}
	return nil
}
