// Command switchboard runs the Switchboard contact-center session platform.
//
//	switchboard [serve] [flags]     run the server (the default)
//	switchboard replay [--out DIR] SCENARIO.jsonl
//	switchboard verify [--data DIR] [--store URL] [--fix]
//	switchboard migrate [--data DIR] [--from URL] --to URL
//	switchboard reports rebuild|threshold [--data DIR] [--store URL] [--seconds N]
//	switchboard generate --data DIR [--sessions N] [--days D] [--seed S]
//	switchboard admin reset-password [--data DIR] EMAIL
//	switchboard version
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/datadir"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/internal/redact"
	"github.com/switchboardhq/switchboard/replay"
)

var version = "dev"

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stderr)
	case "replay":
		return replayCmd(args, stdout, stderr)
	case "verify":
		return verifyCmd(args, stdout, stderr)
	case "migrate":
		return migrateCmd(args, stdout, stderr)
	case "reports":
		return reportsCmd(args, stdout, stderr)
	case "generate":
		return generateCmd(args, stdout, stderr)
	case "admin":
		return adminCmd(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "switchboard", version)
		return nil
	case "help":
		fmt.Fprintln(stdout, "usage: switchboard [serve|replay|verify|migrate|reports|generate|admin|version] [flags]; see switchboard serve -h")
		return nil
	}
	return fmt.Errorf("unknown command %q (want serve, replay, verify, migrate, reports, generate, admin or version)", cmd)
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func serve(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", env("SWITCHBOARD_ADDR", "127.0.0.1:8080"), "listen address (env SWITCHBOARD_ADDR)")
	data := fs.String("data", env("SWITCHBOARD_DATA", "./data"), "data directory (env SWITCHBOARD_DATA)")
	store := addStoreFlag(fs)
	files := fs.String("files", env("SWITCHBOARD_FILES", ""), "where the metadata exports and attachments go: empty for the data directory, or s3://BUCKET/PREFIX?endpoint=URL&region=R with credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (env SWITCHBOARD_FILES)")
	delay := fs.String("metadata-delay", env("SWITCHBOARD_METADATA_DELAY", engine.DefaultMetadataDelay.String()), "wait after a session ends before its metadata file is written (env SWITCHBOARD_METADATA_DELAY)")
	tz := fs.String("timezone", env("SWITCHBOARD_TIMEZONE", "UTC"), "IANA time zone of metadata timestamps (env SWITCHBOARD_TIMEZONE)")
	sync := fs.String("synchronous", env("SWITCHBOARD_SYNCHRONOUS", "NORMAL"), "SQLite synchronous mode: NORMAL survives a process crash, FULL also power loss (env SWITCHBOARD_SYNCHRONOUS)")
	pprofAddr := fs.String("pprof", env("SWITCHBOARD_PPROF", ""), "serve Go profiling endpoints on this loopback address, e.g. 127.0.0.1:6060 (env SWITCHBOARD_PPROF; off by default)")
	trustProxy := fs.Bool("trust-proxy", env("SWITCHBOARD_TRUST_PROXY", "") == "true", "take client addresses from X-Forwarded-For, behind a reverse proxy (env SWITCHBOARD_TRUST_PROXY=true)")
	level := fs.String("log-level", env("SWITCHBOARD_LOG_LEVEL", "info"), "debug, info, warn or error (env SWITCHBOARD_LOG_LEVEL)")
	limits := addLimitFlags(fs)
	cluster := addClusterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := limits.check(); err != nil {
		return err
	}
	if err := cluster.check(*store); err != nil {
		return err
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lv}))
	d, err := time.ParseDuration(*delay)
	if err != nil || d < 0 {
		return fmt.Errorf("metadata-delay must be a duration such as 15m")
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("timezone: %w", err)
	}
	// The data directory's lock guards what the server keeps there: the
	// SQLite file, or the files. With the store on PostgreSQL and the
	// files on S3 it keeps nothing there, and takes no lock.
	if !isPostgres(*store) || !strings.HasPrefix(*files, "s3://") {
		lock, err := datadir.Acquire(*data)
		if err != nil {
			return err
		}
		defer lock.Release()
	}
	dbPath, exports := app.DataPaths(*data)

	// Bind (the API and the profiler) before anything is created: a start
	// that cannot listen must not store and print the first credentials,
	// or the next start, which finds them, would print nothing.
	raiseFileLimit(log)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	if *pprofAddr != "" {
		if err := servePprof(*pprofAddr, log); err != nil {
			return err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openStack(ctx, app.Options{Store: *store, DBPath: dbPath, Files: *files, ExportsDir: exports, FilesDir: app.FilesPath(*data),
		Clock: clock.Real{}, Logger: log, MetadataDelay: d, Location: loc, Synchronous: *sync, TrustProxy: *trustProxy, ChatLimits: limits.chats,
		BodyTimeout: limits.body, UploadTimeout: limits.upload, StreamWriteTimeout: limits.streamWrite}, cluster, ln.Addr().String(), log)
	if err != nil {
		return err
	}
	a := st.app
	defer st.close()
	secret, password, err := a.Bootstrap(ctx, os.Getenv("SWITCHBOARD_ADMIN_TOKEN"),
		os.Getenv("SWITCHBOARD_ADMIN_EMAIL"), os.Getenv("SWITCHBOARD_ADMIN_PASSWORD"))
	if err != nil {
		return err
	}
	if secret != "" && os.Getenv("SWITCHBOARD_ADMIN_TOKEN") == "" {
		fmt.Fprintf(stderr, "\nCreated the first admin token. It is shown only once; keep it safe:\n\n    %s\n\n", secret)
	}
	if password != "" {
		email := env("SWITCHBOARD_ADMIN_EMAIL", app.DefaultAdminEmail)
		fmt.Fprintf(stderr, "\nCreated the first admin user %s with this password, shown only once; change it after logging in:\n\n    %s\n\n", email, password)
	}
	base := baseURL(ln.Addr())
	fmt.Fprintf(stderr, "\nSwitchboard is running:\n\n    admin console  %s/admin\n    agent desk     %s/desk\n\n", base, base)
	srv := httpServer(st.handler, limits.header, log)
	srv.RegisterOnShutdown(a.Broker.Close) // ends live streams so shutdown need not wait for them
	runCtx, cancelRun := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { st.run(runCtx); close(done) }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	where := *data
	if *files != "" {
		where = redact.URL(*files)
	}
	log.Info("switchboard listening", "addr", ln.Addr().String(), "data", *data, "store", describeStore(*store, *data), "files", where, "version", version)

	select {
	case err := <-errc:
		cancelRun()
		<-done
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("shutdown", "err", err)
	}
	cancelRun()
	<-done
	if err := st.close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	log.Info("stopped")
	return nil
}

// baseURL is the address to open in a browser for the listener at addr:
// its real port, and localhost when it listens on every interface.
func baseURL(addr net.Addr) string {
	host, port := addr.String(), ""
	if tcp, ok := addr.(*net.TCPAddr); ok {
		host, port = tcp.IP.String(), strconv.Itoa(tcp.Port)
		if tcp.IP == nil || tcp.IP.IsUnspecified() {
			host = "localhost"
		}
		host = net.JoinHostPort(host, port)
	}
	return "http://" + host
}

func replayCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "directory to write the metadata files to (<session id>/metadata.json)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: switchboard replay [--out DIR] SCENARIO.jsonl")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	return replay.Run(context.Background(), f, stdout, replay.Options{OutDir: *out})
}

// verifyCmd folds every session's log and compares it with the stored
// projection; --fix rewrites the projections that differ, and so takes the
// data directory's lock, or on PostgreSQL the cluster's leader lease: it
// refuses to run beside a server.
func verifyCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", env("SWITCHBOARD_DATA", "./data"), "data directory (env SWITCHBOARD_DATA)")
	store := addStoreFlag(fs)
	fix := fs.Bool("fix", false, "rewrite projections that differ from their log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	db, closeDB, err := openExisting(ctx, *data, *store, *fix, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	rep, err := app.Verify(ctx, db, *fix)
	if err != nil {
		return err
	}
	out, _ := json.Marshal(rep)
	fmt.Fprintln(stdout, string(out))
	if len(rep.Mismatch) > 0 && !*fix {
		return fmt.Errorf("%d projections differ from their log (run with --fix to rebuild them)", len(rep.Mismatch))
	}
	return nil
}
