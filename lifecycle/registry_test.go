package lifecycle

import "testing"

// Every command of the table except create must be constructible by name,
// and must report that name, so the API and replay reach all of them.
func TestRegistryCoversTable(t *testing.T) {
	for _, tr := range Table {
		if tr.Command == "create" || Internal(tr.Command) {
			continue
		}
		c, ok := NewCommand(tr.Command)
		if !ok {
			t.Errorf("NewCommand(%q) not found", tr.Command)
			continue
		}
		if c.Name() != tr.Command {
			t.Errorf("NewCommand(%q).Name() = %q", tr.Command, c.Name())
		}
	}
	if _, ok := NewCommand("explode"); ok {
		t.Error("NewCommand accepted an unknown name")
	}
}
