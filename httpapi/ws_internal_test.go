package httpapi

import (
	"encoding/json"
	"testing"

	sb "github.com/switchboardhq/switchboard"
)

// Visitors follow only their own sessions: subscribe_all is refused, and
// the connection stays usable.
func TestWSVisitorMayNotSubscribeToAll(t *testing.T) {
	c := &wsConn{s: &Server{}, p: Principal{Role: sb.RoleVisitor, VisitorID: "v1", PluginID: 1},
		out: make(chan []byte, WSSendQueue), done: make(chan struct{})}
	c.subscribeAll(WSRequest{Op: opSubscribeAll, Ref: "a"})
	var m WSMessage
	if err := json.Unmarshal(<-c.out, &m); err != nil {
		t.Fatal(err)
	}
	if m.Op != "error" || m.Ref != "a" || m.Error == nil || m.Error.Code != sb.EFORBIDDEN {
		t.Errorf("answer %+v, want a forbidden error", m)
	}
	if c.all != nil {
		t.Error("a visitor got a subscription to every session")
	}
}
