// Package gen fills a store with a realistic, reproducible history of
// sessions for benchmarks and demonstrations: a contact center of 200
// agents in 20 groups, five channels and five web plugins, with arrivals
// that follow a daily curve over many days.
//
// Every event is produced by the lifecycle commands the product runs —
// lifecycle.Execute checks each against the session exactly as the engine
// does — issued by the actors that issue them in the product: visitors and
// integrations create sessions, write and rate; agents accept, write,
// transfer, invite and end; the system assigns (with the router's rule and
// reasons), ends waits on the queue timeout and thanks for ratings. The
// generator only decides what those actors do and when, on a virtual clock,
// and commits the resulting changes many sessions at a time.
package gen

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Store is what the generator writes to: the event store and the
// configuration the directory keeps (sqlite.DB).
type Store interface {
	sb.EventStore
	sb.ConfigStore
}

// Options configure a run.
type Options struct {
	// Sessions is how many sessions to create (visitors who give up and
	// come back count once per session).
	Sessions int
	// Days is how many days the arrivals spread over, from Start.
	Days int
	// Seed makes the run reproducible: the same seed, sessions, days and
	// start give the same event stream.
	Seed uint64
	// Start is the first day (UTC midnight; default 2026-01-05, a Monday).
	Start time.Time
	// BatchEvents is roughly how many events one transaction commits
	// (default 40000).
	BatchEvents int
	// Progress, when set, is called after every commit with the sessions
	// created and the events committed so far.
	Progress func(sessions, events int64)
}

// DefaultStart is the first day when Options.Start is zero.
var DefaultStart = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// Stats is what a run produced.
type Stats struct {
	Sessions int64 `json:"sessions"`
	Events   int64 `json:"events"`
	Commits  int64 `json:"commits"`
	// Outcomes counts sessions by how they went (see the outcome names).
	Outcomes map[string]int64 `json:"outcomes"`
}

// Generate creates opt.Sessions sessions in store, which must hold no
// sessions and no agents yet, after writing the directory they refer to.
func Generate(ctx context.Context, store Store, opt Options) (Stats, error) {
	if opt.Sessions <= 0 || opt.Days <= 0 {
		return Stats{}, errors.New("generate: sessions and days must be positive")
	}
	if opt.Start.IsZero() {
		opt.Start = DefaultStart
	}
	opt.Start = opt.Start.UTC().Truncate(24 * time.Hour)
	if opt.BatchEvents <= 0 {
		opt.BatchEvents = 40000
	}
	if n, err := store.MaxSessionID(ctx); err != nil {
		return Stats{}, fmt.Errorf("generate: %w", err)
	} else if n != 0 {
		return Stats{}, fmt.Errorf("generate: the store holds sessions already (up to %d); generate into an empty data directory", n)
	}
	// The directory stamps what it saves with this clock: the day before
	// the first arrival.
	dir, err := directory.Open(ctx, store, clock.NewVirtual(opt.Start.Add(-24*time.Hour)))
	if err != nil {
		return Stats{}, fmt.Errorf("generate: %w", err)
	}
	if len(dir.Agents()) > 0 {
		return Stats{}, errors.New("generate: the directory has agents already; generate into an empty data directory")
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5b0a4d))
	w, err := setup(ctx, dir, rng)
	if err != nil {
		return Stats{}, fmt.Errorf("generate: %w", err)
	}
	g := &generator{ctx: ctx, w: w, rng: rng, opt: opt,
		out:   batcher{store: store, limit: opt.BatchEvents, progress: opt.Progress},
		stats: Stats{Outcomes: map[string]int64{}}}
	g.out.stats = &g.stats
	if err := g.run(arrivals(rng, opt)); err != nil {
		return g.stats, fmt.Errorf("generate: %w", err)
	}
	return g.stats, nil
}

// generator runs the simulation: arrivals in time order, and every live
// visit's next step from a heap ordered by time.
type generator struct {
	ctx   context.Context
	w     *world
	rng   *rand.Rand
	opt   Options
	out   batcher
	stats Stats

	steps   stepHeap
	seq     uint64 // orders steps due at the same time by when they were scheduled
	nextID  int64
	created int
	// owed counts return visits made in place of arrivals still to come,
	// so that exactly opt.Sessions sessions are created.
	owed int
	// left counts the arrivals not yet reached.
	left int
}

func (g *generator) run(arrive []int64) error {
	g.left = len(arrive)
	for i := 0; i < len(arrive) || g.steps.Len() > 0; {
		if err := g.ctx.Err(); err != nil {
			return err
		}
		if i < len(arrive) && (g.steps.Len() == 0 || arrive[i] <= g.steps[0].at.UnixMilli()) {
			at := time.UnixMilli(arrive[i]).UTC()
			i++
			g.left = len(arrive) - i
			if g.owed > 0 {
				g.owed--
				continue
			}
			if err := g.arrive(at, nil); err != nil {
				return err
			}
			continue
		}
		st := heap.Pop(&g.steps).(*step)
		if err := st.v.run(g, st.at); err != nil {
			return err
		}
	}
	return g.out.flush(g.ctx)
}

// schedule makes v run its next action at at.
func (g *generator) schedule(v *visit, at time.Time) {
	g.seq++
	heap.Push(&g.steps, &step{at: at, seq: g.seq, v: v})
}

// exec runs cmd on v's session as actor at v's current time and stages
// the change for the next commit.
func (g *generator) exec(v *visit, cmd lifecycle.Command, actor sb.Actor) error {
	env := lifecycle.Env{Now: v.now, Actor: actor, Dir: g.w.dir, NewUUID: g.uuid}
	if v.s == nil {
		g.nextID++
		env.SessionID = g.nextID
	}
	res, err := lifecycle.Execute(v.s, cmd, env)
	if err != nil {
		id := env.SessionID
		if v.s != nil {
			id = v.s.ID
		}
		return fmt.Errorf("session %d at %s: %s: %w", id, v.now.Format(time.RFC3339), cmd.Name(), err)
	}
	g.w.observe(v.s, res.Session, v.now)
	g.out.add(v, res)
	v.s = res.Session
	return g.out.maybeFlush(g.ctx)
}

// uuid returns the next session UUID, from the seeded generator.
func (g *generator) uuid() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		x := g.rng.Uint64()
		for j := range 8 {
			b[i+j] = byte(x >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// step is a visit's next action, due at at.
type step struct {
	at  time.Time
	seq uint64
	v   *visit
}

type stepHeap []*step

func (h stepHeap) Len() int { return len(h) }
func (h stepHeap) Less(i, j int) bool {
	if c := h[i].at.Compare(h[j].at); c != 0 {
		return c < 0
	}
	return h[i].seq < h[j].seq
}
func (h stepHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *stepHeap) Push(x any)   { *h = append(*h, x.(*step)) }
func (h *stepHeap) Pop() any {
	old := *h
	n := len(old)
	x := old[n-1]
	*h = old[:n-1]
	return x
}

// hourly is the relative arrival rate by UTC hour: quiet nights, a
// morning peak and a longer afternoon one.
var hourly = [24]float64{0.12, 0.08, 0.06, 0.05, 0.06, 0.1, 0.22, 0.45, 0.8, 1.0, 1.05, 0.98,
	0.85, 0.92, 1.0, 0.97, 0.9, 0.8, 0.7, 0.62, 0.52, 0.4, 0.28, 0.18}

// weekday is the relative arrival rate by day of the week, Sunday first.
var weekday = [7]float64{0.55, 1.0, 1.02, 1.0, 0.98, 0.92, 0.65}

// arrivals draws the sessions' arrival times (unix milliseconds, sorted):
// a day by its weekday's weight, a minute by the daily curve (linear
// between the hours), a millisecond within it.
func arrivals(rng *rand.Rand, opt Options) []int64 {
	days := make([]float64, opt.Days)
	for d := range days {
		days[d] = weekday[opt.Start.AddDate(0, 0, d).Weekday()]
	}
	var minutes [24 * 60]float64
	for m := range minutes {
		h, f := m/60, float64(m%60)/60
		minutes[m] = hourly[h]*(1-f) + hourly[(h+1)%24]*f
	}
	dayCDF, minuteCDF := cumulative(days), cumulative(minutes[:])
	out := make([]int64, opt.Sessions)
	start := opt.Start.UnixMilli()
	for i := range out {
		d := pick(dayCDF, rng.Float64())
		m := pick(minuteCDF, rng.Float64())
		out[i] = start + int64(d)*86_400_000 + int64(m)*60_000 + rng.Int64N(60_000)
	}
	slices.Sort(out)
	return out
}

func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	sum := 0.0
	for i, x := range w {
		sum += x
		out[i] = sum
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

func pick(cdf []float64, u float64) int {
	i, _ := slices.BinarySearchFunc(cdf, u, func(c, u float64) int { return cmp.Compare(c, u) })
	return min(i, len(cdf)-1)
}
