package httpapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/routing"
	"github.com/switchboardhq/switchboard/service"
	"github.com/switchboardhq/switchboard/sqlite"
)

// benchWallboard is a server with groups skill groups, agents agents in
// two groups each (offline, so that nothing is assigned) and waiting
// sessions spread over the groups, with routing read in place.
func benchWallboard(b *testing.B, groups, agents, waiting int) *Server {
	b.Helper()
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	c := clock.NewVirtual(t0)
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "sb.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	dir, err := directory.Open(ctx, db, c)
	if err != nil {
		b.Fatal(err)
	}
	for i := range groups {
		if _, err := dir.SaveQueue(ctx, sb.Queue{Name: fmt.Sprintf("Group %d", i+1), Priority: 1}); err != nil {
			b.Fatal(err)
		}
	}
	r := routing.New(routing.Settings{})
	for i := range agents {
		gs := []int64{int64(i%groups + 1), int64((i+7)%groups + 1)}
		a, err := dir.SaveAgent(ctx, sb.Agent{Name: fmt.Sprintf("Agent %d", i+1), Email: fmt.Sprintf("a%d@example.com", i+1), Groups: gs, MaxConcurrent: 5})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.SetAgent(routing.AgentConfig{ID: a.ID, Capacity: 5, Groups: gs}, t0); err != nil {
			b.Fatal(err)
		}
	}
	for i := range waiting {
		w := routing.Waiting{SessionID: int64(i + 1), GroupID: int64(i%groups + 1), Since: t0.Add(-time.Duration(i) * time.Second)}
		if _, err := r.Enqueue(w, t0); err != nil {
			b.Fatal(err)
		}
	}
	s := &Server{Config: Config{Directory: dir, Routing: routerView{func() service.RoutingView {
		return service.ViewOf(r, dir.Agents(), c.Now())
	}}}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.wallboard = &wallboardHub{s: s, clock: c, kick: make(chan struct{}, 1), subs: map[*wsConn]*wallboardSub{}}
	return s
}

// routerView is routing whose only read is View.
type routerView struct{ view func() service.RoutingView }

func (v routerView) View(context.Context) (service.RoutingView, error) { return v.view(), nil }
func (routerView) SaveAgent(context.Context, sb.Agent) (sb.Agent, error) {
	panic("not in the benchmark")
}
func (routerView) SetAgentStatus(context.Context, int64, sb.AgentStatus) (sb.Agent, error) {
	panic("not in the benchmark")
}
func (routerView) SaveRoutingSettings(context.Context, sb.RoutingSettings) (sb.RoutingSettings, error) {
	panic("not in the benchmark")
}
func (routerView) QueuePosition(context.Context, int64, time.Duration) (service.QueuePosition, error) {
	panic("not in the benchmark")
}
func (routerView) QueuePositions(context.Context, time.Duration) ([]service.QueuePosition, error) {
	panic("not in the benchmark")
}
func (routerView) QueueState(context.Context, int64) (service.QueueState, error) {
	panic("not in the benchmark")
}

// BenchmarkWallboardSnapshot is one tick's work for any number of
// subscribers with the same parameters: read routing, lay it out, encode.
func BenchmarkWallboardSnapshot(b *testing.B) {
	s := benchWallboard(b, 50, 500, 1000)
	p, _ := newWallboardParams("Europe/Paris", 20, 5)
	ctx := context.Background()
	var size int
	for b.Loop() {
		live, err := s.readWallboard(ctx)
		if err != nil {
			b.Fatal(err)
		}
		f, err := wallboardFrame(s.buildWallboard(ctx, live, p, s.todayFigures))
		if err != nil {
			b.Fatal(err)
		}
		size = len(f)
	}
	b.ReportMetric(float64(size), "frame-bytes")
}

// BenchmarkWallboardTick1000Subscribers is a tick that sends a frame to
// each of 1,000 subscribers.
func BenchmarkWallboardTick1000Subscribers(b *testing.B) {
	s := benchWallboard(b, 50, 500, 1000)
	h := s.wallboard
	p, _ := newWallboardParams("", 20, 5)
	conns := make([]*wsConn, 1000)
	for i := range conns {
		conns[i] = &wsConn{done: make(chan struct{}), wake: make(chan struct{}, 1)}
		h.subs[conns[i]] = &wallboardSub{params: p}
	}
	for b.Loop() {
		for _, sub := range h.subs {
			sub.sent, sub.version = time.Time{}, 0 // every subscriber due
		}
		h.tick()
		for _, c := range conns {
			if c.replies != 1 {
				b.Fatal("a subscriber got no frame")
			}
			c.items, c.replies = c.items[:0], 0
		}
	}
}
