package lifecycle

import (
	"bytes"
	"fmt"
	"strings"

	sb "github.com/switchboardhq/switchboard"
)

// Markdown renders the transition table as the document docs/lifecycle.md:
// a diagram, the table of commands, and the status list.
func Markdown() []byte {
	var b bytes.Buffer
	b.WriteString(`# Session lifecycle

<!-- Generated from lifecycle/table.go by "go test ./lifecycle -update"; do not edit by hand. -->

Every session moves through the status codes of SPEC §1.2. The state machine is
one table in ` + "`lifecycle/table.go`" + `: each command (an API call,
` + "`POST /api/v1/sessions/{id}/{command}`" + `) may run only in the statuses
listed for it. A command in any other status is refused with HTTP 409 and the
error code ` + "`conflict`" + `, whose ` + "`detail`" + ` names the current status;
nothing is appended. A refused command never changes a session.

## Diagram

` + "```mermaid\nstateDiagram-v2\n")
	seen := map[string]bool{}
	edge := func(from, to, label string) {
		line := fmt.Sprintf("    %s --> %s: %s\n", from, to, label)
		if !seen[line] {
			seen[line] = true
			b.WriteString(line)
		}
	}
	for _, tr := range Table {
		if tr.AnyStatus || len(tr.To) == 0 {
			continue
		}
		if tr.Command == "create" {
			for _, to := range tr.To {
				edge("[*]", to.String(), "create")
			}
			continue
		}
		for _, from := range tr.From {
			for _, to := range tr.To {
				if from == to && tr.Command != "select-menu" {
					continue
				}
				if tr.Command == "fail" || tr.Command == "end" {
					continue // drawn once below, from every live status
				}
				edge(from.String(), to.String(), tr.Command)
			}
		}
	}
	b.WriteString("    note right of finished\n        end: from every live status\n        fail: from every live status (to failed)\n    end note\n")
	for _, s := range sb.Statuses() {
		if s.Terminal() {
			edge(s.String(), "[*]", "")
		}
	}
	b.WriteString("```\n\n## Commands\n\n")
	b.WriteString("| command | allowed in | leads to | what it means |\n| --- | --- | --- | --- |\n")
	for _, tr := range Table {
		from := names(tr.From)
		switch {
		case tr.AnyStatus:
			from = "any status"
		case tr.Command == "create":
			from = "(new session)"
		case len(tr.From) == len(liveStatuses) && tr.Command != "hold":
			from = "every live status"
		}
		to := names(tr.To)
		if len(tr.To) == 0 {
			to = "(unchanged)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", tr.Command, from, to, tr.Doc)
	}
	b.WriteString("\n## Statuses\n\n| code | name | ended |\n| --- | --- | --- |\n")
	for _, s := range sb.Statuses() {
		ended := ""
		if s.Terminal() {
			ended = "yes"
		}
		fmt.Fprintf(&b, "| %d | `%s` | %s |\n", int(s), s, ended)
	}
	b.WriteString(`
"Ended" statuses close the session: its end time is set, every open hold,
queue wait, agent handling and participant is closed, and the metadata file is
scheduled (see metadata.md). After the end, only ` + "`wrap-up`" + `, ` + "`rate`" + `
(finished sessions), ` + "`recover`" + ` and ` + "`requeue`" + ` (failed sessions) and
data-stream events are accepted.

## Sub-states that are not status codes

- **On hold** (` + "`on_hold`" + `): ` + "`hold`" + ` and ` + "`resume`" + ` record hold periods
  without changing the status; a completed transfer or the end closes an open hold.
- **Pending transfer**: while a transfer to an agent that needs the receiver's
  confirmation is pending the session is ` + "`switching`" + `; ` + "`transfer-complete`" + `
  or ` + "`transfer-fail`" + ` (declined, timeout) settles it. A transfer to a queue
  leaves the sender at once and waits ` + "`queued`" + ` in the target queue; it
  completes when an agent is assigned there and fails if the session ends
  while waiting (abandoned, timeout).
- **Participants** are stateful records (connecting, connected, finished,
  failed). Someone who leaves and joins again gets a new record.
`)
	return b.Bytes()
}

func names(list []sb.Status) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = "`" + s.String() + "`"
	}
	return strings.Join(parts, ", ")
}
