package httpapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/broker"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/service"
	"github.com/switchboardhq/switchboard/sqlite"
)

var visitor = Principal{Caller: service.Caller{Role: sb.RoleVisitor, VisitorID: "v-abc", PluginID: 1, Contact: service.Contact{Name: "Dana"}}}

// Visitors may leave offline messages and read templates, nothing else of
// the chat configuration.
func TestVisitorRoutes(t *testing.T) {
	if !slices.Contains(offlineWriters, sb.RoleVisitor) || !slices.Contains(templateReaders, sb.RoleVisitor) {
		t.Error("visitors may not leave offline messages or read templates")
	}
	if slices.Contains(staffRoles, sb.RoleVisitor) || slices.Contains(quickReplyWriters, sb.RoleVisitor) {
		t.Error("visitors pass a staff role check")
	}
	if _, err := quickReplyOwner(visitor); sb.ErrorCode(err) != sb.EFORBIDDEN {
		t.Errorf("a visitor's quick-reply set: %v", err)
	}
	if err := mayWriteQuickReply(visitor, 0); sb.ErrorCode(err) != sb.EFORBIDDEN {
		t.Errorf("a visitor writes public quick replies: %v", err)
	}
	assignee := int64(0)
	if err := offlineMay(visitor, sb.OfflineMessage{ID: 1}, OfflineMessagePatch{AssigneeID: &assignee}); sb.ErrorCode(err) != sb.EFORBIDDEN {
		t.Errorf("a visitor changes an offline message: %v", err)
	}
}

func TestOfflineStep(t *testing.T) {
	u, p, d := sb.OfflineUnprocessed, sb.OfflineProcessing, sb.OfflineProcessed
	for _, c := range []struct {
		from, to string
		ok       bool
	}{{u, p, true}, {p, d, true}, {d, p, true}, {p, u, true}, {u, d, false}, {d, u, false}, {u, u, false}, {u, "closed", false}, {"", p, false}} {
		if got := offlineStep(c.from, c.to); got != c.ok {
			t.Errorf("%s -> %s: %v, want %v", c.from, c.to, got, c.ok)
		}
	}
}

func TestOfflinePolicyForAgents(t *testing.T) {
	agent := Principal{Caller: service.Caller{Role: sb.RoleAgent, AgentID: 1}}
	id := func(v int64) *int64 { return &v }
	st := func(v string) *string { return &v }
	for _, c := range []struct {
		name     string
		assignee int64
		patch    OfflineMessagePatch
		ok       bool
	}{
		{"take an unassigned one", 0, OfflineMessagePatch{AssigneeID: id(1)}, true},
		{"take it and start", 0, OfflineMessagePatch{AssigneeID: id(1), Status: st(sb.OfflineProcessing)}, true},
		{"work an unassigned one", 0, OfflineMessagePatch{Status: st(sb.OfflineProcessing)}, false},
		{"give an unassigned one away", 0, OfflineMessagePatch{AssigneeID: id(2)}, false},
		{"work its own", 1, OfflineMessagePatch{Status: st(sb.OfflineProcessing), Note: st("n")}, true},
		{"hand its own back", 1, OfflineMessagePatch{AssigneeID: id(0)}, true},
		{"give its own away", 1, OfflineMessagePatch{AssigneeID: id(2)}, false},
		{"work another's", 2, OfflineMessagePatch{Note: st("n")}, false},
		{"take another's", 2, OfflineMessagePatch{AssigneeID: id(1)}, false},
	} {
		err := offlineMay(agent, sb.OfflineMessage{ID: 5, AssigneeID: c.assignee}, c.patch)
		if (err == nil) != c.ok || (err != nil && sb.ErrorCode(err) != sb.EFORBIDDEN) {
			t.Errorf("%s: %v, want allowed %v", c.name, err, c.ok)
		}
	}
	if err := offlineMay(Principal{Caller: service.Caller{Role: sb.RoleAgent}}, sb.OfflineMessage{}, OfflineMessagePatch{AssigneeID: id(0)}); err == nil {
		t.Error("an agent login without an agent changed a message")
	}
	for _, role := range []string{sb.RoleSupervisor, sb.RoleAdmin, sb.RoleIntegration} {
		if err := offlineMay(Principal{Caller: service.Caller{Role: role}}, sb.OfflineMessage{AssigneeID: 2}, OfflineMessagePatch{AssigneeID: id(7)}); err != nil {
			t.Errorf("%s: %v", role, err)
		}
	}
}

// internalServer is a server on a real store and a virtual clock, with
// an integration token.
func internalServer(t *testing.T) (*Server, *clock.Virtual, string) {
	t.Helper()
	ctx := context.Background()
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dir, err := directory.Open(ctx, db, c)
	if err != nil {
		t.Fatal(err)
	}
	// Plugin 1 takes offline messages; plugin 2 does not.
	for _, p := range []sb.WebPlugin{{Name: "Shop", OfflineMessages: true}, {Name: "Docs", AfterHours: sb.AfterHoursOpenChat}} {
		if _, err := dir.SaveWebPlugin(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	feed := broker.New()
	eng, err := engine.New(ctx, db, engine.Options{Clock: c, Directory: dir, Publisher: feed, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { feed.Close(); eng.Close() })
	s := New(Config{Engine: eng, Feed: feed, Directory: dir, Config: db, Logger: log})
	_, secret, err := CreateToken(ctx, db, c, "crm", sb.RoleIntegration, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	return s, c, secret
}

// A visitor's offline message carries the plugin and visitor of its token,
// whatever the body says, and names only the visitor's own sessions.
func TestVisitorOfflineMessage(t *testing.T) {
	ctx := context.Background()
	s, _, secret := internalServer(t)
	for _, who := range []string{"v-abc", "v-other"} {
		req := httptest.NewRequest("POST", "/api/v1/sessions", strings.NewReader(`{"type":"chat_web","end_user":{"identifier":"`+who+`"}}`))
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("create session: %d %s", rec.Code, rec.Body)
		}
	}
	m, err := s.newOfflineMessage(ctx, visitor, OfflineMessageInput{PluginID: 9, VisitorID: "someone-else", SessionID: 1,
		Email: "dana@example.com", Content: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "Dana" || m.PluginID != 1 || m.VisitorID != "v-abc" || m.SessionID != 1 || m.Email != "dana@example.com" || m.Status != sb.OfflineUnprocessed {
		t.Errorf("visitor message %+v", m)
	}
	if _, err := s.newOfflineMessage(ctx, visitor, OfflineMessageInput{SessionID: 2, Email: "dana@example.com", Content: "hello"}); sb.ErrorCode(err) != sb.EFORBIDDEN {
		t.Errorf("another visitor's session: %v", err)
	}
	closed := Principal{Caller: service.Caller{Role: sb.RoleVisitor, VisitorID: "v-abc", PluginID: 2}}
	if _, err := s.newOfflineMessage(ctx, closed, OfflineMessageInput{Email: "dana@example.com", Content: "hello"}); sb.ErrorCode(err) != sb.EFORBIDDEN {
		t.Errorf("a plugin that takes no offline messages: %v", err)
	}
	staff, err := s.newOfflineMessage(ctx, Principal{Caller: service.Caller{Role: sb.RoleIntegration}}, OfflineMessageInput{PluginID: 9, VisitorID: "crm-1", SessionID: 2,
		Name: "Kim", Email: "kim@example.com", Content: "x"})
	if err != nil || staff.PluginID != 9 || staff.VisitorID != "crm-1" {
		t.Errorf("staff message %+v %v", staff, err)
	}
}

// Visitors leave at most OfflinePerVisitor messages per window; staff are
// not limited.
func TestVisitorOfflineLimit(t *testing.T) {
	s, c, _ := internalServer(t)
	post := func(p Principal) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/v1/offline-messages", strings.NewReader(`{"content":"hello","name":"Dana","email":"dana@example.com"}`))
		req = req.WithContext(context.WithValue(req.Context(), principalKey{}, p))
		rec := httptest.NewRecorder()
		if err := s.createOffline(rec, req); err != nil {
			s.writeError(rec, req, err)
		}
		return rec
	}
	for i := range OfflinePerVisitor {
		if rec := post(visitor); rec.Code != http.StatusCreated {
			t.Fatalf("message %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	c.Advance(4 * time.Minute)
	rec := post(visitor)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "360" || !strings.Contains(rec.Body.String(), `"code":"rate_limited"`) {
		t.Errorf("over the limit: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	if rec := post(Principal{Caller: service.Caller{Role: sb.RoleVisitor, VisitorID: "v-other", PluginID: 1}}); rec.Code != http.StatusCreated {
		t.Errorf("another visitor: %d %s", rec.Code, rec.Body)
	}
	for range OfflinePerAddress {
		post(Principal{Caller: service.Caller{Role: sb.RoleIntegration}})
	}
	if rec := post(Principal{Caller: service.Caller{Role: sb.RoleIntegration}}); rec.Code != http.StatusCreated {
		t.Errorf("staff were limited: %d %s", rec.Code, rec.Body)
	}
	c.Advance(6 * time.Minute)
	if rec := post(visitor); rec.Code != http.StatusCreated {
		t.Errorf("after the window: %d %s", rec.Code, rec.Body)
	}
	// One client address, many visitor IDs.
	for i := 1; i < OfflinePerAddress; i++ {
		if rec := post(Principal{Caller: service.Caller{Role: sb.RoleVisitor, VisitorID: fmt.Sprintf("v-%d", i), PluginID: 1}}); rec.Code != http.StatusCreated {
			t.Fatalf("visitor %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if rec := post(Principal{Caller: service.Caller{Role: sb.RoleVisitor, VisitorID: "v-next", PluginID: 1}}); rec.Code != http.StatusTooManyRequests {
		t.Errorf("message %d from one address: %d %s", OfflinePerAddress+1, rec.Code, rec.Body)
	}
}
