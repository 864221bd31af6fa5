package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/switchboardhq/switchboard/report"
)

// reportsCmd runs "switchboard reports rebuild" and "switchboard reports
// threshold": maintenance of the report facts in a data directory or the
// cluster's database.
func reportsCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: switchboard reports rebuild|threshold [flags]")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("reports "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", env("SWITCHBOARD_DATA", "./data"), "data directory (env SWITCHBOARD_DATA)")
	store := addStoreFlag(fs)
	seconds := fs.Int("seconds", -1, "threshold: the queue report's x, in seconds (a wait counts when it lasted longer)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	// Reading the threshold runs beside a server; changing it, or a
	// rebuild, takes the data directory's lock (the cluster's leader
	// lease on PostgreSQL).
	db, closeDB, err := openExisting(ctx, *data, *store, sub != "threshold" || *seconds >= 0, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	switch sub {
	case "rebuild":
		// Derive every session again from its log. The facts are kept
		// current while the server runs; a rebuild is for an upgrade
		// that changes a definition, or to check the stored facts.
		p := &report.Projector{Events: db, Reports: db, Log: slog.New(slog.NewTextHandler(stderr, nil))}
		start := time.Now()
		n, err := p.Rebuild(ctx)
		if err != nil {
			return fmt.Errorf("rebuild reports: %w", err)
		}
		return printJSON(stdout, map[string]any{"sessions": n, "seconds": time.Since(start).Round(time.Millisecond).Seconds()})
	case "threshold":
		if *seconds >= 0 {
			if err := db.SetQueueThreshold(ctx, time.Duration(*seconds)*time.Second); err != nil {
				return err
			}
		}
		d, err := db.QueueThreshold(ctx)
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]any{"queue_threshold_seconds": d.Seconds()})
	}
	return fmt.Errorf("unknown reports command %q (want rebuild or threshold)", sub)
}

func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
