package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var out, errOut bytes.Buffer
	if err := run([]string{"generate", "--data", dir, "--sessions", "60", "--days", "1", "--seed", "3", "--quiet", "--storage"}, &out, &errOut); err != nil {
		t.Fatalf("generate: %v\n%s", err, errOut.String())
	}
	var rep generateReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not the report: %v\n%s", err, out.String())
	}
	if rep.Sessions != 60 || rep.Events < 60*4 || rep.DBBytes == 0 || rep.Outcomes["picked_up"] == 0 {
		t.Fatalf("report: %+v", rep)
	}
	if s := rep.Storage; s == nil || s.BytesPerSession <= s.EventBytesPerSession || s.EventBytesPerSession == 0 || len(s.Tables) == 0 {
		t.Fatalf("storage: %+v", rep.Storage)
	}
	out.Reset()
	if err := run([]string{"verify", "--data", dir}, &out, &errOut); err != nil {
		t.Fatalf("verify of the generated data: %v\n%s", err, out.String())
	}
	err := run([]string{"generate", "--data", dir, "--sessions", "5", "--days", "1"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("generating into a used directory: %v", err)
	}
	for _, args := range [][]string{
		{"generate"},
		{"generate", "--data", t.TempDir(), "--sessions", "0"},
		{"generate", "--data", t.TempDir(), "--start", "January"},
	} {
		if err := run(args, &out, &errOut); err == nil {
			t.Errorf("%v was accepted", args)
		}
	}
}
