package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
)

// reportSnapshot is everything the reports can show of a store: every
// session's facts and every report over all time.
type reportSnapshot struct {
	Facts     []sb.SessionFacts
	Agents    []sb.WorkloadRow
	Groups    []sb.WorkloadRow
	Queues    []sb.QueueRow
	Channels  []sb.ChannelRow
	Transfers []sb.TransferFact
	Levels    []sb.IntervalRow
}

func snapshot(ctx context.Context, a *app.App) (reportSnapshot, error) {
	var s reportSnapshot
	maxID, err := a.DB.MaxSessionID(ctx)
	if err != nil {
		return s, err
	}
	for id := int64(1); id <= maxID; id++ {
		f, err := a.DB.Facts(ctx, id)
		if err != nil {
			return s, fmt.Errorf("facts of session %d: %w", id, err)
		}
		s.Facts = append(s.Facts, f)
	}
	q := sb.ReportQuery{From: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
	if s.Agents, err = a.DB.AgentWorkload(ctx, q); err != nil {
		return s, err
	}
	if s.Groups, err = a.DB.GroupWorkload(ctx, q); err != nil {
		return s, err
	}
	if s.Queues, err = a.DB.QueueReport(ctx, q); err != nil {
		return s, err
	}
	if s.Channels, err = a.DB.ChannelReport(ctx, q); err != nil {
		return s, err
	}
	if s.Transfers, err = a.DB.Transfers(ctx, q); err != nil {
		return s, err
	}
	if len(s.Facts) > 0 {
		first := s.Facts[0].Session.At.Truncate(24 * time.Hour)
		day := sb.ReportQuery{From: first, To: first.Add(48 * time.Hour)}
		s.Levels, err = a.DB.ServiceLevel(ctx, day, sb.ServiceLevelOptions{Interval: time.Hour, Within: 20 * time.Second, ShortAbandon: 5 * time.Second})
	}
	return s, err
}

// The report facts kept up to date event by event, as the server does,
// equal the facts rebuilt from the log from scratch, for every scenario.
func TestReportsRebuildEqualsIncremental(t *testing.T) {
	for _, path := range scenarios(t) {
		t.Run(scenarioName(path), func(t *testing.T) {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			inspect := func(ctx context.Context, a *app.App) error {
				incremental, err := snapshot(ctx, a)
				if err != nil {
					return err
				}
				if _, err := a.Reports.Rebuild(ctx); err != nil {
					return err
				}
				rebuilt, err := snapshot(ctx, a)
				if err != nil {
					return err
				}
				if len(incremental.Facts) == 0 {
					return fmt.Errorf("the scenario has no sessions")
				}
				if !reflect.DeepEqual(incremental, rebuilt) {
					a, _ := json.Marshal(incremental)
					b, _ := json.Marshal(rebuilt)
					return fmt.Errorf("rebuilt reports differ:\nincremental %s\nrebuilt     %s", a, b)
				}
				return nil
			}
			if err := Run(context.Background(), f, io.Discard, Options{SyncReports: true, Inspect: inspect}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
