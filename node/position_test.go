package node

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/cluster"
	"github.com/switchboardhq/switchboard/internal/pgtest"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/service"
)

// positions reads a queue-position stream, keeping its position events.
type positions struct {
	mu   sync.Mutex
	seen []service.QueuePosition
	left bool
}

func (p *positions) last() (service.QueuePosition, int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.seen) == 0 {
		return service.QueuePosition{}, 0, p.left
	}
	return p.seen[len(p.seen)-1], len(p.seen), p.left
}

func followPosition(t *testing.T, n *testNode, token string, session int64) *positions {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/sessions/%d/queue-position/stream", n.api.URL, session), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("position stream of %d: %v %v", session, resp, err)
	}
	p := &positions{}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = line[7:]
			case strings.HasPrefix(line, "data: ") && event == "position":
				var pos service.QueuePosition
				json.Unmarshal([]byte(line[6:]), &pos)
				p.mu.Lock()
				p.seen = append(p.seen, pos)
				p.mu.Unlock()
			case strings.HasPrefix(line, "data: ") && event == "left":
				p.mu.Lock()
				p.left = true
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// Visitors following their queue position on a follower cost the leader
// one call per interval for all of them, not one each: the follower
// fetches the leader's whole list of positions and every stream reads its
// own from it. When the queue moves, every stream says so.
func TestFollowerPositionStreamsShareOneLeaderCall(t *testing.T) {
	const waiting = 30
	store := pgtest.New(t)
	c := clock.NewVirtual(t0)
	ctx := context.Background()
	// The test moves the clock on by an interval every few milliseconds:
	// a long term keeps node-a leading however slowly it renews.
	a := startNodeTTL(t, "node-a", store, "", c, time.Hour)
	waitFor(t, c, false, "node-a to lead", a.Leading)
	token, err := a.App.EnsureAdminToken(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	q, err := a.App.Directory.SaveQueue(ctx, sb.Queue{Name: "售后"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for range waiting {
		res, err := a.App.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: q.ID}, sb.Actor{Kind: sb.ActorIntegration, ID: "1"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Session.ID)
	}
	b := startNodeTTL(t, "node-b", store, "", c, time.Hour)
	streams := make([]*positions, waiting)
	for i, id := range ids {
		streams[i] = followPosition(t, b, token, id)
	}
	waitFor(t, c, false, "every stream's first position", func() bool {
		for i, s := range streams {
			if p, _, _ := s.last(); p.Position != i+1 {
				return false
			}
		}
		return true
	})
	one, all := cluster.RoutingPath+cluster.OpQueuePosition, cluster.RoutingPath+cluster.OpQueuePositions
	firstOne, firstAll := a.clusterHits(one), a.clusterHits(all)

	// The first in line leaves; the others move up.
	if _, err := a.App.Engine.Execute(ctx, ids[0], &lifecycle.End{DisconnectedBy: lifecycle.ByEndUser}, sb.Actor{Kind: sb.ActorIntegration, ID: "1"}, nil); err != nil {
		t.Fatal(err)
	}
	ticks := 0
	moved := func() bool {
		if _, _, left := streams[0].last(); !left {
			return false
		}
		for i, s := range streams[1:] {
			if p, _, _ := s.last(); p.Position != i+1 || p.Waiting != waiting-1 {
				return false
			}
		}
		return true
	}
	for ; !moved(); ticks++ {
		if ticks == 3000 {
			for i, s := range streams {
				p, n, left := s.last()
				t.Logf("stream %d: %d positions, last %+v, left %v", i, n, p, left)
			}
			t.Fatalf("the streams did not all move up in %d intervals", ticks)
		}
		c.Advance(time.Second)           // the streams' interval
		time.Sleep(2 * time.Millisecond) // the nodes' goroutines' turn, not test logic
	}
	fetches, singles := a.clusterHits(all)-firstAll, a.clusterHits(one)-firstOne
	t.Logf("%d streams, %d intervals: %d fetches of every position, %d single reads", waiting, ticks, fetches, singles)
	if fetches > ticks+1 {
		t.Errorf("%d fetches of every position over %d intervals: want at most one per interval", fetches, ticks)
	}
	if singles > 2 { // the stream of the session that left makes sure it left
		t.Errorf("%d single position reads on the leader: want the streams to read from the fetched list", singles)
	}
}
