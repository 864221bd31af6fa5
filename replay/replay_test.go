package replay

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var update = flag.Bool("update", false, "rewrite golden files")

// scenarioDir holds the shared scenarios and their golden files:
// NAME.jsonl (the scenario), NAME.out.jsonl (the replay output) and
// NAME/<session id>/metadata.json (every metadata file written).
const scenarioDir = "../testdata/scenarios"

// scenarios returns the scenario files, sorted, without the golden outputs.
func scenarios(t *testing.T) []string {
	t.Helper()
	all, err := filepath.Glob(filepath.Join(scenarioDir, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range all {
		if !strings.HasSuffix(p, ".out.jsonl") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("no scenarios in %s", scenarioDir)
	}
	return out
}

func scenarioName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".jsonl")
}

// replayFile runs a scenario file on store (see Options.Store) with its
// metadata files going to a fresh temporary directory, and returns the
// output and that directory.
func replayFile(t *testing.T, path, store string) ([]byte, string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	var out bytes.Buffer
	if err := Run(context.Background(), f, &out, Options{OutDir: dir, Store: store}); err != nil {
		t.Fatalf("replay %s: %v", path, err)
	}
	return out.Bytes(), dir
}

// readTree returns every regular file under dir by its slash-separated
// path relative to dir. A missing dir is an empty tree.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == dir {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// serverErrors returns the output lines that answer with a status >= 500.
func serverErrors(t *testing.T, out []byte) []string {
	t.Helper()
	var bad []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var line struct {
			Status int `json:"status"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("output line %d is not JSON: %v", n, err)
		}
		if line.Status >= 500 {
			s := sc.Text()
			if len(s) > 300 {
				s = s[:300] + "…"
			}
			bad = append(bad, s)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return bad
}

// firstDiff describes where two byte slices first differ, by line.
func firstDiff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if !bytes.Equal(gl, wl) {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + clip(gl) + "\nwant: " + clip(wl)
		}
	}
	return "no difference"
}

func clip(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

// TestGolden replays every scenario and compares the output and every
// metadata file byte for byte with the golden files. With -update it
// rewrites them instead.
func TestGolden(t *testing.T) {
	for _, path := range scenarios(t) {
		t.Run(scenarioName(path), func(t *testing.T) { checkGolden(t, path, "") })
	}
}

// TestGoldenPostgres replays every scenario on a fresh PostgreSQL database
// and compares the output with the same golden files as TestGolden: the
// stores must behave alike, byte for byte.
func TestGoldenPostgres(t *testing.T) {
	if *update {
		t.Skip("golden files are being rewritten from the SQLite replay")
	}
	if testing.Short() {
		t.Skip("PostgreSQL replays skipped in -short mode")
	}
	for _, path := range scenarios(t) {
		t.Run(scenarioName(path), func(t *testing.T) {
			t.Parallel()
			checkGolden(t, path, pgtest.New(t))
		})
	}
}

// checkGolden replays the scenario at path on store (see Options.Store)
// and compares what it wrote with the golden files, or with -update
// rewrites them.
func checkGolden(t *testing.T, path, store string) {
	t.Helper()
	name := scenarioName(path)
	out, dir := replayFile(t, path, store)
	if bad := serverErrors(t, out); len(bad) > 0 {
		t.Errorf("the replay answered %d request(s) with a 5xx status:\n%s", len(bad), strings.Join(bad, "\n"))
	}
	files := readTree(t, dir)
	goldenOut := filepath.Join(scenarioDir, name+".out.jsonl")
	goldenDir := filepath.Join(scenarioDir, name)

	if *update {
		if err := os.WriteFile(goldenOut, out, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(goldenDir); err != nil {
			t.Fatal(err)
		}
		for _, rel := range sortedKeys(files) {
			p := filepath.Join(goldenDir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, files[rel], 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}

	want, err := os.ReadFile(goldenOut)
	if err != nil {
		t.Fatalf("%v (run go test ./replay -update to create it)", err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("output differs from %s at %s", goldenOut, firstDiff(out, want))
	}
	wantFiles := readTree(t, goldenDir)
	for _, rel := range sortedKeys(files) {
		w, ok := wantFiles[rel]
		if !ok {
			t.Errorf("the replay wrote %s, which has no golden file in %s", rel, goldenDir)
			continue
		}
		if !bytes.Equal(files[rel], w) {
			t.Errorf("%s differs from its golden file at %s", rel, firstDiff(files[rel], w))
		}
	}
	for _, rel := range sortedKeys(wantFiles) {
		if _, ok := files[rel]; !ok {
			t.Errorf("golden file %s/%s was not written by the replay", goldenDir, rel)
		}
	}
}

// TestGoldenFilesWritten checks that every scenario writes at least one
// metadata file (each must end at least 15 minutes after its last end).
func TestGoldenFilesWritten(t *testing.T) {
	if *update {
		t.Skip("golden files are being rewritten")
	}
	for _, path := range scenarios(t) {
		name := scenarioName(path)
		if files := readTree(t, filepath.Join(scenarioDir, name)); len(files) == 0 {
			t.Errorf("%s: no golden metadata file; does the scenario end 15 minutes after the session ends?", name)
		}
	}
}

func TestDeterministic(t *testing.T) {
	path := filepath.Join(scenarioDir, "voice_call_two_holds_transfer.jsonl")
	out1, dir1 := replayFile(t, path, "")
	out2, dir2 := replayFile(t, path, "")
	if !bytes.Equal(out1, out2) {
		t.Fatalf("two replays of %s differ at %s", path, firstDiff(out2, out1))
	}
	f1, f2 := readTree(t, dir1), readTree(t, dir2)
	if len(f1) == 0 {
		t.Fatalf("the replay wrote no metadata file")
	}
	if strings.Join(sortedKeys(f1), ",") != strings.Join(sortedKeys(f2), ",") {
		t.Fatalf("two replays wrote different files: %v and %v", sortedKeys(f1), sortedKeys(f2))
	}
	for rel, b := range f1 {
		if !bytes.Equal(b, f2[rel]) {
			t.Errorf("two replays wrote different %s at %s", rel, firstDiff(f2[rel], b))
		}
	}
}

// TestNoServerErrorInGoldens scans every golden output: no request may
// have been answered with a 5xx status.
func TestNoServerErrorInGoldens(t *testing.T) {
	if *update {
		t.Skip("golden files are being rewritten")
	}
	for _, path := range scenarios(t) {
		name := scenarioName(path)
		out, err := os.ReadFile(filepath.Join(scenarioDir, name+".out.jsonl"))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if bad := serverErrors(t, out); len(bad) > 0 {
			t.Errorf("%s: %d response(s) with a 5xx status:\n%s", name, len(bad), strings.Join(bad, "\n"))
		}
	}
}

func TestParseStep(t *testing.T) {
	ok := []string{
		`{"at":"2026-03-10T09:00:00Z"}`,
		`{"at":"2026-03-10T09:00:00Z","as":"admin","method":"POST","path":"/api/v1/agents","body":{"name":"A","email":"a@example.com"}}`,
		`{"at":"2026-03-10T09:00:00+02:00","as":"agent:12","method":"POST","path":"/api/v1/sessions/1/connect"}`,
		`{"at":"2026-03-10T09:00:00Z","method":"GET","path":"/healthz"}`,
	}
	for _, line := range ok {
		st, err := ParseStep([]byte(line))
		if err != nil {
			t.Errorf("ParseStep(%s): %v", line, err)
			continue
		}
		if st.At.IsZero() {
			t.Errorf("ParseStep(%s): zero At", line)
		}
	}

	bad := []struct{ name, line, want string }{
		{"missing at", `{"as":"admin","method":"POST","path":"/api/v1/agents"}`, "at is required"},
		{"empty object", `{}`, "at is required"},
		{"at not a time", `{"at":"yesterday"}`, ""},
		{"bad method", `{"at":"2026-03-10T09:00:00Z","as":"admin","method":"FETCH","path":"/api/v1/agents"}`, "method must be"},
		{"no method", `{"at":"2026-03-10T09:00:00Z","as":"admin","path":"/api/v1/agents"}`, "method must be"},
		{"path without slash", `{"at":"2026-03-10T09:00:00Z","as":"admin","method":"GET","path":"api/v1/agents"}`, "path must start with /"},
		{"bad principal", `{"at":"2026-03-10T09:00:00Z","as":"root","method":"GET","path":"/api/v1/agents"}`, "as must be"},
		{"agent without id", `{"at":"2026-03-10T09:00:00Z","as":"agent:","method":"GET","path":"/api/v1/agents"}`, "as must be"},
		{"agent id zero", `{"at":"2026-03-10T09:00:00Z","as":"agent:0","method":"GET","path":"/api/v1/agents"}`, "as must be"},
		{"agent id not a number", `{"at":"2026-03-10T09:00:00Z","as":"agent:noam","method":"GET","path":"/api/v1/agents"}`, "as must be"},
		{"unknown field", `{"at":"2026-03-10T09:00:00Z","as":"admin","method":"GET","path":"/api/v1/agents","headers":{}}`, "unknown field"},
		{"trailing data", `{"at":"2026-03-10T09:00:00Z"} {}`, ""},
		{"not an object", `[1,2]`, ""},
		{"malformed", `{"at":`, ""},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseStep([]byte(c.line))
			if err == nil {
				t.Fatalf("ParseStep(%s) accepted the line", c.line)
			}
			if c.want != "" && !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParseStep(%s) = %q, want it to mention %q", c.line, err, c.want)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	cases := []struct{ name, scenario, want string }{
		{"empty", "", "the scenario is empty"},
		{"only comments and blank lines", "# nothing here\n\n   \n# still nothing\n", "the scenario is empty"},
		{"time goes backwards", `{"at":"2026-03-10T09:00:10Z"}` + "\n" + `{"at":"2026-03-10T09:00:05Z"}` + "\n", "line 2: at goes back in time"},
		{"bad line", "# comment\n" + `{"at":"2026-03-10T09:00:00Z","method":"POST","path":"/x","as":"nobody"}` + "\n", "line 2:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Run(context.Background(), strings.NewReader(c.scenario), &out, Options{})
			if err == nil {
				t.Fatalf("Run accepted the scenario")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Run = %q, want it to mention %q", err, c.want)
			}
			if out.Len() != 0 {
				t.Errorf("Run wrote output for a refused scenario: %s", out.String())
			}
		})
	}
}

func TestRunSameInstantIsNotBackwards(t *testing.T) {
	sc := `{"at":"2026-03-10T09:00:00Z"}` + "\n" + `{"at":"2026-03-10T09:00:00Z","method":"GET","path":"/healthz"}` + "\n"
	var out bytes.Buffer
	if err := Run(context.Background(), strings.NewReader(sc), &out, Options{}); err != nil {
		t.Fatal(err)
	}
	want := `{"at":"2026-03-10T09:00:00.000Z","method":"GET","path":"/healthz","status":200,"body":{"status":"ok"}}` + "\n"
	if out.String() != want {
		t.Errorf("output = %s, want %s", out.String(), want)
	}
}

func FuzzParseStep(f *testing.F) {
	for _, seed := range []string{
		`{"at":"2026-03-10T09:00:00Z"}`,
		`{"at":"2026-03-10T09:00:00Z","as":"admin","method":"POST","path":"/api/v1/agents","body":{"name":"Noam B","email":"noam@example.com"}}`,
		`{"at":"2026-03-10T09:00:00Z","as":"agent:1","method":"POST","path":"/api/v1/sessions/1/hold"}`,
		`{"at":"2026-03-10T09:00:00Z","as":"integration","method":"POST","path":"/api/v1/sessions/1/events","body":{"type":"sentiment_score","data":{"score":68}}}`,
		`{"at":"0001-01-01T00:00:00Z"}`,
		`{"at":null}`,
		`{}`,
		`null`,
		`[]`,
		`"at"`,
		`{"at":"2026-03-10T09:00:00Z","as":"agent:-1","method":"GET","path":"/"}`,
		"\x00\xff{",
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		st, err := ParseStep(line)
		if err != nil {
			return
		}
		if st.At.IsZero() {
			t.Fatalf("ParseStep(%q) accepted a step with a zero At", line)
		}
		if st.Method != "" && !strings.HasPrefix(st.Path, "/") {
			t.Fatalf("ParseStep(%q) accepted a request whose path does not start with /", line)
		}
	})
}

// A scenario acting as an agent that does not exist stops with a clear
// error, and the lines before it are still written.
func TestUnknownAgentPrincipalStops(t *testing.T) {
	scenario := `{"at":"2026-03-10T09:00:00Z","as":"integration","method":"POST","path":"/api/v1/sessions","body":{"type":"chat_web"}}
{"at":"2026-03-10T09:00:01Z","as":"agent:9","method":"POST","path":"/api/v1/sessions/1/connect"}
`
	var out bytes.Buffer
	err := Run(context.Background(), strings.NewReader(scenario), &out, Options{})
	if err == nil || !strings.Contains(err.Error(), "agent 9 is not configured") {
		t.Fatalf("err = %v", err)
	}
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Errorf("%d output lines before the error, want 1", n)
	}
}
