package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/datadir"
	"github.com/switchboardhq/switchboard/internal/gen"
	"github.com/switchboardhq/switchboard/sqlite"
)

// generateReport is what generate prints when it is done.
type generateReport struct {
	gen.Stats
	Seconds        float64 `json:"seconds"`
	SessionsPerSec float64 `json:"sessions_per_second"`
	EventsPerSec   float64 `json:"events_per_second"`
	DBBytes        int64   `json:"db_bytes"`
	// Storage is where the bytes are, per session: in all, in the events'
	// own JSON, and in the largest tables and indexes.
	Storage *generateStorage `json:"storage,omitempty"`
}

type generateStorage struct {
	BytesPerSession      int64                 `json:"bytes_per_session"`
	EventBytesPerSession int64                 `json:"event_bytes_per_session"`
	Tables               []sqlite.TableStorage `json:"tables"`
}

// generateCmd fills an empty data directory with generated sessions (see
// package gen) for benchmarks and demonstrations.
func generateCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory to create; it must not hold a database yet")
	sessions := fs.Int("sessions", 10000, "sessions to generate")
	days := fs.Int("days", 30, "days the arrivals spread over")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same sessions")
	start := fs.String("start", gen.DefaultStart.Format(time.DateOnly), "first day (UTC, YYYY-MM-DD)")
	batch := fs.Int("batch", 0, "events per transaction (default 40000)")
	quiet := fs.Bool("quiet", false, "no progress lines")
	measure := fs.Bool("storage", false, "measure where the bytes are when done (reads the whole file again)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" || fs.NArg() > 0 {
		return errors.New("usage: switchboard generate --data DIR [--sessions N] [--days D] [--seed S] [--start YYYY-MM-DD]")
	}
	first, err := time.Parse(time.DateOnly, *start)
	if err != nil {
		return fmt.Errorf("start: want a date such as 2026-01-05: %w", err)
	}
	if *sessions <= 0 || *sessions > 100_000_000 || *days <= 0 || *days > 3650 {
		return errors.New("sessions must be 1 to 100000000 and days 1 to 3650")
	}
	lock, err := datadir.Acquire(*data)
	if err != nil {
		return err
	}
	defer lock.Release()
	dbPath, _ := app.DataPaths(*data)
	if _, err := os.Stat(dbPath); err == nil {
		return fmt.Errorf("%s exists already: generate into a new data directory", dbPath)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// A bulk load that is started again from scratch if interrupted: no
	// fsync per transaction.
	db, err := sqlite.Open(ctx, dbPath, sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		return err
	}
	defer db.Close()
	began := time.Now()
	last := began
	opt := gen.Options{Sessions: *sessions, Days: *days, Seed: *seed, Start: first, BatchEvents: *batch}
	if !*quiet {
		opt.Progress = func(n, events int64) {
			if now := time.Now(); now.Sub(last) >= 10*time.Second {
				last = now
				el := now.Sub(began).Seconds()
				fmt.Fprintf(stderr, "generate: %d sessions, %d events, %.0fs, %.0f sessions/s\n", n, events, el, float64(n)/el)
			}
		}
	}
	st, err := gen.Generate(ctx, db, opt)
	if err != nil {
		return err
	}
	var storage *generateStorage
	if *measure {
		m, err := db.Storage(ctx)
		if err != nil {
			return err
		}
		storage = &generateStorage{BytesPerSession: m.Bytes / max(m.Sessions, 1), EventBytesPerSession: m.EventBytes / max(m.Sessions, 1),
			Tables: m.Tables[:min(len(m.Tables), 12)]}
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	el := time.Since(began).Seconds()
	rep := generateReport{Stats: st, Seconds: el, SessionsPerSec: float64(st.Sessions) / el, EventsPerSec: float64(st.Events) / el,
		Storage: storage}
	if fi, err := os.Stat(dbPath); err == nil {
		rep.DBBytes = fi.Size()
	}
	out, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Fprintln(stdout, string(out))
	return nil
}
