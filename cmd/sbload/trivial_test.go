package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func TestTrivialServerAnswersTheRoutesSbloadCalls(t *testing.T) {
	srv := httptest.NewServer(trivialHandler())
	defer srv.Close()
	post := func(path, body string) (int, map[string]any) {
		t.Helper()
		res, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var out map[string]any
		if res.StatusCode < 300 {
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatalf("%s: %v in %s", path, err, b)
			}
		}
		return res.StatusCode, out
	}
	if code, out := post("/api/v1/agents", `{"name":"a"}`); code != http.StatusCreated || out["id"] == nil {
		t.Fatalf("agent: %d %v", code, out)
	}
	code, out := post("/api/v1/sessions", `{"type":"chat_web"}`)
	if code != http.StatusCreated {
		t.Fatalf("session: %d", code)
	}
	id := out["session"].(map[string]any)["id"].(float64)
	if code, out := post("/api/v1/sessions/42/hold", ""); code != http.StatusOK || out["session"].(map[string]any)["id"].(float64) != 42 {
		t.Fatalf("hold: %d %v", code, out)
	}
	if id == 0 {
		t.Fatal("session id 0")
	}
	if code, _ := post("/api/v1/sessions/42/end", "{not json"); code != http.StatusBadRequest {
		t.Fatalf("a malformed body: got %d, want 400", code)
	}
}

func TestSbloadRunsWithoutErrorsAgainstTheTrivialServer(t *testing.T) {
	srv := httptest.NewServer(trivialHandler())
	defer srv.Close()
	stdout := os.Stdout
	r, w, _ := os.Pipe()
	os.Stdout = w
	err := run(strings.TrimPrefix(srv.URL, "http://"), "sbt_test", 4, 0, 200*time.Millisecond, true, 0, 0)
	w.Close()
	os.Stdout = stdout
	if err != nil {
		t.Fatal(err)
	}
	var res result
	if err := json.NewDecoder(r).Decode(&res); err != nil {
		t.Fatal(err)
	}
	if res.Commands == 0 || res.Errors != 0 {
		t.Fatalf("got %d commands and %d errors (%s), want some and none", res.Commands, res.Errors, res.FirstError)
	}
}

func TestTrivialServerServesOnlyOnLoopback(t *testing.T) {
	if err := serveTrivial("192.0.2.1:18090"); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("got %v, want a refusal", err)
	}
}
