package lifecycle

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated documents and golden files")

// docs/lifecycle.md must say what the table says.
func TestLifecycleDoc(t *testing.T) {
	const path = "../docs/lifecycle.md"
	got := Markdown()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is out of date with the transition table; run go test ./lifecycle -update", path)
	}
}
