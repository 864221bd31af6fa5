// Package replay runs a scenario — a JSON Lines file of timed API requests —
// against a fresh in-memory Switchboard on a virtual clock. Timers fire in
// time order as the clock advances, so the same scenario always gives
// byte-identical output.
package replay

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/httpapi"
)

// Options configure a replay.
type Options struct {
	// OutDir receives every metadata file produced, as
	// OutDir/<session id>/metadata.json. Empty: files are discarded.
	OutDir string
	// MetadataDelay overrides the 15-minute metadata delay when positive.
	MetadataDelay time.Duration
	// SyncReports brings the report facts up to date after every step, as
	// the server does while events arrive (by default they are brought up
	// to date when a report is read).
	SyncReports bool
	// Inspect, if set, runs after the last step with the replay's stack.
	Inspect func(ctx context.Context, a *app.App) error
	// Store names the store to replay on (see app.OpenStore), which must
	// be empty: "" is a private in-memory SQLite store; a postgres:// URL
	// replays on that PostgreSQL database. Every store gives the same
	// output.
	Store string
}

// Step is one line of a scenario. A line with only At advances the clock.
type Step struct {
	At     time.Time       `json:"at"`
	As     string          `json:"as,omitempty"`
	Method string          `json:"method,omitempty"`
	Path   string          `json:"path,omitempty"`
	Body   json.RawMessage `json:"body,omitempty"`
}

// Output line shapes.
type responseLine struct {
	At     string          `json:"at"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body,omitempty"`
}

type timerLine struct {
	At        string `json:"at"`
	Timer     string `json:"timer"`
	SessionID int64  `json:"session_id"`
}

type fileLine struct {
	At   string `json:"at"`
	File string `json:"file"`
}

// ParseStep decodes and checks one scenario line.
func ParseStep(line []byte) (Step, error) {
	var st Step
	if err := httpapi.DecodeStrict(line, &st, false); err != nil {
		return st, err
	}
	if st.At.IsZero() {
		return st, fmt.Errorf("at is required")
	}
	if st.Method == "" && st.Path == "" && st.As == "" && len(st.Body) == 0 {
		return st, nil
	}
	switch st.Method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch:
	default:
		return st, fmt.Errorf("method must be GET, POST, PUT, PATCH or DELETE")
	}
	if !strings.HasPrefix(st.Path, "/") {
		return st, fmt.Errorf("path must start with /")
	}
	if _, _, err := parsePrincipal(st.As); err != nil {
		return st, err
	}
	return st, nil
}

func parsePrincipal(as string) (role string, agentID int64, err error) {
	switch as {
	case sb.RoleAdmin, sb.RoleSupervisor, sb.RoleIntegration:
		return as, 0, nil
	case "":
		return "", 0, nil // anonymous
	}
	if v, ok := strings.CutPrefix(as, "agent:"); ok {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			return sb.RoleAgent, id, nil
		}
	}
	return "", 0, fmt.Errorf("as must be admin, supervisor, integration or agent:<id>, not %q", as)
}

type runner struct {
	ctx    context.Context
	app    *app.App
	clock  *clock.Virtual
	out    *bufio.Writer
	tokens map[string]string
	files  []string
	tmp    string
}

// Run executes the scenario read from in and writes one JSON line per
// response, fired timer and written file to out.
func Run(ctx context.Context, in io.Reader, out io.Writer, opt Options) (err error) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var steps []Step
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		st, err := ParseStep(line)
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if len(steps) > 0 && st.At.Before(steps[len(steps)-1].At) {
			return fmt.Errorf("line %d: at goes back in time", n)
		}
		steps = append(steps, st)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read scenario: %w", err)
	}
	if len(steps) == 0 {
		return fmt.Errorf("the scenario is empty")
	}

	r := &runner{ctx: ctx, clock: clock.NewVirtual(steps[0].At.UTC()), out: bufio.NewWriter(out), tokens: map[string]string{}}
	exports := opt.OutDir
	if exports == "" {
		if r.tmp, err = os.MkdirTemp("", "switchboard-replay-*"); err != nil {
			return err
		}
		defer os.RemoveAll(r.tmp)
		exports = r.tmp
	}
	if opt.MetadataDelay <= 0 {
		opt.MetadataDelay = engine.DefaultMetadataDelay
	}
	uuids := 0
	r.app, err = app.Open(ctx, app.Options{
		Store: opt.Store, DBPath: ":memory:", ExportsDir: exports, Clock: r.clock,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		MetadataDelay: opt.MetadataDelay,
		NewUUID: func() string {
			uuids++
			return DeterministicUUID("switchboard-replay", uuids)
		},
	})
	if err != nil {
		return err
	}
	defer r.app.Close()
	defer r.out.Flush() // what ran before an error is still written
	deliver := r.app.Outbox.Deliverers[engine.OutboxMetadata]
	r.app.Outbox.Deliverers[engine.OutboxMetadata] = func(ctx context.Context, it sb.OutboxItem) error {
		if err := deliver(ctx, it); err != nil {
			return err
		}
		r.files = append(r.files, engine.MetadataKey(it.SessionID))
		return nil
	}

	for _, st := range steps {
		if err := r.advance(st.At.UTC()); err != nil {
			return err
		}
		if st.Method == "" {
			continue
		}
		if err := r.request(st); err != nil {
			return fmt.Errorf("at %s: %w", stamp(st.At), err)
		}
		if opt.SyncReports {
			if _, err := r.app.Reports.CatchUp(ctx); err != nil {
				return fmt.Errorf("at %s: %w", stamp(st.At), err)
			}
		}
	}
	if opt.Inspect != nil {
		if err := opt.Inspect(ctx, r.app); err != nil {
			return err
		}
	}
	return r.out.Flush()
}

// advance moves the clock to t, firing every timer due by then at its own
// due time, earliest first, and delivering what they produce.
func (r *runner) advance(t time.Time) error {
	for {
		next, ok, err := r.app.DB.NextTimer(r.ctx)
		if err != nil {
			return err
		}
		if !ok || next.DueAt.After(t) {
			break
		}
		r.clock.Set(next.DueAt)
		if err := r.app.Engine.FireTimer(r.ctx, next); err != nil {
			return fmt.Errorf("fire %s timer of session %d: %w", next.Kind, next.SessionID, err)
		}
		r.write(timerLine{At: stamp(next.DueAt), Timer: next.Kind, SessionID: next.SessionID})
		if err := r.deliver(); err != nil {
			return err
		}
	}
	r.clock.Set(t)
	return r.deliver()
}

func (r *runner) deliver() error {
	if _, err := r.app.Outbox.DeliverDue(r.ctx); err != nil {
		return err
	}
	for _, f := range r.files {
		r.write(fileLine{At: stamp(r.clock.Now()), File: f})
	}
	r.files = r.files[:0]
	return nil
}

func (r *runner) token(as string) (string, error) {
	if as == "" {
		return "", nil
	}
	if t, ok := r.tokens[as]; ok {
		return t, nil
	}
	role, agentID, _ := parsePrincipal(as)
	if role == sb.RoleAgent {
		if _, err := r.app.Directory.GetAgent(agentID); err != nil {
			return "", fmt.Errorf("as %s: agent %d is not configured; create it first", as, agentID)
		}
	}
	_, secret, err := httpapi.CreateToken(r.ctx, r.app.DB, r.clock, as, role, agentID, "")
	if err != nil {
		return "", err
	}
	r.tokens[as] = secret
	return secret, nil
}

func (r *runner) request(st Step) error {
	secret, err := r.token(st.As)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(r.ctx, st.Method, st.Path, bytes.NewReader(st.Body))
	if err != nil {
		return fmt.Errorf("%s %s: %w", st.Method, st.Path, err)
	}
	if len(st.Body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	w := &recorder{header: http.Header{}}
	r.app.Handler().ServeHTTP(w, req)
	line := responseLine{At: stamp(r.clock.Now()), Method: st.Method, Path: st.Path, Status: w.status}
	if body := bytes.TrimSpace(w.body.Bytes()); len(body) > 0 {
		var buf bytes.Buffer
		if json.Compact(&buf, body) == nil {
			line.Body = buf.Bytes()
		} else {
			line.Body, _ = json.Marshal(string(body))
		}
	}
	r.write(line)
	return nil
}

func (r *runner) write(v any) {
	b, _ := json.Marshal(v)
	r.out.Write(b)
	r.out.WriteByte('\n')
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// recorder is a minimal in-memory http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.header }
func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

// DeterministicUUID derives a version-4-shaped UUID from a seed and a
// counter, so replays produce the same UUIDs every run.
func DeterministicUUID(seed string, n int) string {
	h := sha256.Sum256([]byte(seed + "/" + strconv.Itoa(n)))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
