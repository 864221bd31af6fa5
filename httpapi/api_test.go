package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestSessionLifecycleOverHTTP(t *testing.T) {
	s := newStack(t)
	r := s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"voice_inbound","lang":"en","end_user":{"phone":"+18005550175"}}`, 201)
	if loc := r.Header.Get("Location"); loc != "/api/v1/sessions/1" {
		t.Errorf("Location = %q", loc)
	}
	body := r.json(t)
	sess := body["session"].(map[string]any)
	if sess["status"] != "selecting" || sess["status_code"] != float64(12) {
		t.Errorf("status = %v (%v), want selecting (12)", sess["status"], sess["status_code"])
	}
	if r.Header.Get("ETag") != `"1"` {
		t.Errorf("ETag = %q", r.Header.Get("ETag"))
	}
	s.mustDo("integration", "POST", "/api/v1/sessions/1/enqueue", `{"queue_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/hold", `{}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/resume", `{}`, 200)
	r = s.mustDo("agent", "POST", "/api/v1/sessions/1/end", `{"disconnected_by":"agent"}`, 200)
	ev := r.json(t)["events"].([]any)
	if len(ev) != 1 || ev[0].(map[string]any)["type"] != "ended" || ev[0].(map[string]any)["seq"] != float64(7) {
		t.Errorf("end events = %v", ev)
	}
	actor := ev[0].(map[string]any)["actor"].(map[string]any)
	if actor["kind"] != "agent" || actor["id"] != "1" {
		t.Errorf("actor = %v, want agent 1", actor)
	}
	r = s.mustDo("supervisor", "GET", "/api/v1/sessions/1", "", 200)
	got := r.json(t)
	if got["status"] != "finished" || got["agent"].(map[string]any)["name"] != "Noam B" || got["support_number"] != nil {
		t.Errorf("session = %v", got)
	}
	r = s.mustDo("supervisor", "GET", "/api/v1/sessions/1/events?after_seq=2&limit=3", "", 200)
	page := r.json(t)
	if n := len(page["events"].([]any)); n != 3 || page["next_after_seq"] != float64(5) {
		t.Errorf("page: %d events, next %v", n, page["next_after_seq"])
	}
	r = s.mustDo("supervisor", "GET", "/api/v1/sessions?status=finished", "", 200)
	if n := len(r.json(t)["sessions"].([]any)); n != 1 {
		t.Errorf("listed %d finished sessions", n)
	}
	s.mustDo("supervisor", "GET", "/api/v1/sessions/1/metadata", "", 200)
}

// Every refusal is a JSON error with the right status, and stores nothing.
func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	s := newStack(t)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	before := s.eventCount()
	big := `{"type":"chat_web","end_user":{"name":"` + strings.Repeat("x", 1<<20) + `"}}`
	for _, c := range []struct {
		name, as, method, path, body string
		status                       int
		code                         string
		headers                      []string
	}{
		{"no token", "", "POST", "/api/v1/sessions", `{"type":"chat_web"}`, 401, "unauthorized", nil},
		{"bad token", "", "GET", "/api/v1/sessions", "", 401, "unauthorized", []string{"Authorization", "Bearer sbt_nope"}},
		{"agent writes config", "agent", "POST", "/api/v1/queues", `{"name":"X"}`, 403, "forbidden", nil},
		{"integration lists tokens", "integration", "GET", "/api/v1/tokens", "", 403, "forbidden", nil},
		{"agent dials for another", "agent", "POST", "/api/v1/sessions", `{"type":"voice_outbound","agent_id":2,"end_user":{"phone":"+12223334444"}}`, 403, "forbidden", nil},
		{"unknown field", "integration", "POST", "/api/v1/sessions", `{"type":"chat_web","colour":"red"}`, 400, "invalid", nil},
		{"trailing data", "integration", "POST", "/api/v1/sessions", `{"type":"chat_web"} {}`, 400, "invalid", nil},
		{"malformed", "integration", "POST", "/api/v1/sessions", `{"type":`, 400, "invalid", nil},
		{"wrong type", "integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":"one"}`, 400, "invalid", nil},
		{"not an object", "integration", "POST", "/api/v1/sessions", `[1,2]`, 400, "invalid", nil},
		{"empty body", "integration", "POST", "/api/v1/sessions", ``, 400, "invalid", nil},
		{"bad session type", "integration", "POST", "/api/v1/sessions", `{"type":"fax"}`, 400, "invalid", nil},
		{"bad e164", "integration", "POST", "/api/v1/sessions", `{"type":"chat_web","end_user":{"phone":"12345"}}`, 400, "invalid", nil},
		{"too large", "integration", "POST", "/api/v1/sessions", big, 413, "too_large", nil},
		{"wrong content type", "integration", "POST", "/api/v1/sessions/1/end", `{"disconnected_by":"agent"}`, 400, "invalid", []string{"Content-Type", "text/plain"}},
		{"requeue while queued", "integration", "POST", "/api/v1/sessions/1/requeue", `{"queue_id":1}`, 409, "conflict", nil},
		{"unknown queue", "integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":99}`, 400, "invalid", nil},
		{"unknown agent", "integration", "POST", "/api/v1/sessions/1/assign", `{"agent_id":99}`, 400, "invalid", nil},
		{"zero limit", "integration", "GET", "/api/v1/events?limit=0", "", 400, "invalid", nil},
		{"limit too large", "integration", "GET", "/api/v1/sessions?limit=1001", "", 400, "invalid", nil},
		{"id on create", "admin", "POST", "/api/v1/queues", `{"id":7,"name":"Seven"}`, 400, "invalid", nil},
		{"illegal command", "integration", "POST", "/api/v1/sessions/1/hold", `{}`, 409, "conflict", nil},
		{"unknown command", "integration", "POST", "/api/v1/sessions/1/explode", `{}`, 404, "not_found", nil},
		{"unknown session", "integration", "POST", "/api/v1/sessions/42/end", `{"disconnected_by":"agent"}`, 404, "not_found", nil},
		{"bad session id", "integration", "GET", "/api/v1/sessions/abc", "", 400, "invalid", nil},
		{"stale If-Match", "integration", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 412, "precondition", []string{"If-Match", `"1"`}},
		{"bad If-Match", "integration", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 400, "invalid", []string{"If-Match", "yesterday"}},
		{"bad event type", "integration", "POST", "/api/v1/sessions/1/events", `{"type":"launch","data":{}}`, 400, "invalid", nil},
		{"bad event data", "integration", "POST", "/api/v1/sessions/1/events", `{"type":"sentiment_score","data":{"score":101}}`, 400, "invalid", nil},
		{"unknown event field", "integration", "POST", "/api/v1/sessions/1/events", `{"type":"payment","data":{"product":"x","amount":"10.00","currency":"USD","status":"ok","tip":1}}`, 400, "invalid", nil},
		{"bad limit", "integration", "GET", "/api/v1/sessions?limit=-1", "", 400, "invalid", nil},
		{"bad status filter", "integration", "GET", "/api/v1/sessions?status=sleeping", "", 400, "invalid", nil},
		{"no route", "integration", "GET", "/api/v2/nothing", "", 404, "not_found", nil},
		{"wrong method", "integration", "DELETE", "/api/v1/sessions", "", 405, "method_not_allowed", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(c.as, c.method, c.path, c.body, c.headers...)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if got := r.errCode(t); got != c.code {
				t.Errorf("code %q, want %q", got, c.code)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	if after := s.eventCount(); after != before {
		t.Errorf("refused requests appended %d events", after-before)
	}
}

func TestConflictNamesTheCurrentStatus(t *testing.T) {
	s := newStack(t)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	r := s.mustDo("integration", "POST", "/api/v1/sessions/1/hold", `{}`, 409)
	e := r.json(t)["error"].(map[string]any)
	d := e["detail"].(map[string]any)
	if d["status"] != "queued" || d["status_code"] != float64(1) || !strings.Contains(e["message"].(string), "queued") {
		t.Errorf("error = %v", e)
	}
}

// Foreign data is kept verbatim even when it is not valid JSON, flagged,
// and never makes the session fail.
func TestMalformedForeignDataIsKeptVerbatim(t *testing.T) {
	s := newStack(t)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	raw := "{\n\"key\": \"zulu\",\n\"priority: 1,\n\"user_type\": \"shopper\"\n}"
	body := fmt.Sprintf(`{"type":"dap_api_response","data":{"values":{"key":"zulu","priority":1,"user_type":"shopper"},"raw":%q}}`, raw)
	r := s.mustDo("integration", "POST", "/api/v1/sessions/1/events", body, 200)
	ev := r.json(t)["events"].([]any)[0].(map[string]any)
	data := ev["data"].(map[string]any)
	if data["raw"] != raw || data["malformed"] != true {
		t.Errorf("data = %v", data)
	}
	s.mustDo("integration", "POST", "/api/v1/sessions/1/events",
		`{"type":"custom_data","data":{"values":{"membershipNumber":21754,"purchaseDate":"Invalid DateTime","temperature":70.5}}}`, 200)
	got := s.mustDo("integration", "GET", "/api/v1/sessions/1", "", 200).json(t)
	if got["malformed_events"] != float64(1) || got["status"] != "queued" {
		t.Errorf("session = %v", got)
	}
	events := s.mustDo("integration", "GET", "/api/v1/sessions/1/events", "", 200).json(t)["events"].([]any)
	custom := events[len(events)-1].(map[string]any)["data"].(map[string]any)["values"].(map[string]any)
	if custom["purchaseDate"] != "Invalid DateTime" || custom["membershipNumber"] != float64(21754) {
		t.Errorf("custom data = %v", custom)
	}
}

func TestTokensAreRoleCheckedAndRevocable(t *testing.T) {
	s := newStack(t)
	r := s.mustDo("admin", "POST", "/api/v1/tokens", `{"name":"crm","role":"integration"}`, 201)
	tok := r.json(t)
	secret := tok["secret"].(string)
	if !strings.HasPrefix(secret, "sbt_") {
		t.Fatalf("secret = %q", secret)
	}
	s.tokens["crm"] = secret
	s.mustDo("crm", "GET", "/api/v1/sessions", "", 200)
	list := s.mustDo("admin", "GET", "/api/v1/tokens", "", 200)
	if strings.Contains(string(list.Body), secret) || strings.Contains(string(list.Body), "hash") {
		t.Fatalf("the token list leaks secrets: %s", list.Body)
	}
	s.mustDo("admin", "DELETE", fmt.Sprintf("/api/v1/tokens/%v", tok["id"]), "", 204)
	if r := s.do("crm", "GET", "/api/v1/sessions", ""); r.Status != 401 {
		t.Errorf("revoked token: status %d", r.Status)
	}
	if r := s.do("admin", "POST", "/api/v1/tokens", `{"name":"a","role":"agent","agent_id":99}`); r.Status != 400 {
		t.Errorf("agent token for an unknown agent: status %d", r.Status)
	}
}

func TestDirectoryValidation(t *testing.T) {
	s := newStack(t)
	for _, c := range []struct {
		path, body string
		status     int
	}{
		{"/api/v1/agents", `{"name":"","email":"x@example.com"}`, 400},
		{"/api/v1/agents", `{"name":"Dup","email":"NOAM@example.com"}`, 409},
		{"/api/v1/queues", `{"name":"Support"}`, 409},
		{"/api/v1/queues", `{"name":"Orders","priority":9}`, 400},
		{"/api/v1/queues", `{"name":"Orders","parent_id":77}`, 400},
		{"/api/v1/queues", `{"name":"Returns","parent_id":1}`, 201},
		{"/api/v1/virtual-agents", `{"name":"Bot","va_alias":"Ava","avatar_url":"ftp://x"}`, 400},
	} {
		if r := s.do("admin", "POST", c.path, c.body); r.Status != c.status {
			t.Errorf("POST %s %s: %d, want %d: %s", c.path, c.body, r.Status, c.status, r.Body)
		}
	}
	// The menu path is materialized from the parent chain.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"voice_inbound"}`, 201)
	r := s.mustDo("integration", "POST", "/api/v1/sessions/1/enqueue", `{"queue_id":2}`, 200)
	q := r.json(t)["session"].(map[string]any)["queue"].(map[string]any)
	if q["path"] != "1/2" {
		t.Errorf("path = %v, want 1/2", q["path"])
	}
	s.mustDo("admin", "PUT", "/api/v1/queues/2", `{"name":"Returns","priority":3}`, 200)
	if r := s.do("admin", "PUT", "/api/v1/queues/2", `{"id":5,"name":"Returns"}`); r.Status != 400 {
		t.Errorf("PUT with a mismatched id: %d", r.Status)
	}
	if r := s.do("admin", "PUT", "/api/v1/queues/9", `{"name":"Nine"}`); r.Status != 404 {
		t.Errorf("PUT of an unknown queue: %d", r.Status)
	}
}

func TestCustomerTags(t *testing.T) {
	s := newStack(t)
	s.mustDo("admin", "POST", "/api/v1/customer-tags", `{"name":"VIP","level":9,"color":"#d93f0b"}`, 201)
	for _, c := range []struct {
		body   string
		status int
	}{
		{`{"name":"vip","level":3}`, 409},
		{`{"name":"Gold","level":10}`, 400},
		{`{"name":"Gold","color":"red"}`, 400},
		{`{"name":""}`, 400},
		{`{"name":"Gold","level":5}`, 201},
	} {
		if r := s.do("admin", "POST", "/api/v1/customer-tags", c.body); r.Status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.body, r.Status, c.status, r.Body)
		}
	}
	if r := s.do("agent", "POST", "/api/v1/customer-tags", `{"name":"Silver"}`); r.Status != 403 {
		t.Errorf("an agent created a customer tag: %d", r.Status)
	}
	list := s.mustDo("agent", "GET", "/api/v1/customer-tags", "", 200).json(t)["items"].([]any)
	if len(list) != 2 {
		t.Errorf("%d tags", len(list))
	}
	r := s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","end_user":{"tags":["VIP","newsletter"]}}`, 201)
	tags := r.json(t)["session"].(map[string]any)["end_user"].(map[string]any)["tags"].([]any)
	if len(tags) != 2 || tags[0] != "VIP" {
		t.Errorf("end-user tags %v", tags)
	}
	if r := s.do("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","end_user":{"tags":[""]}}`); r.Status != 400 {
		t.Errorf("an empty tag: %d", r.Status)
	}
}

func TestRoutingSettingsAPI(t *testing.T) {
	s := newStack(t)
	got := s.mustDo("agent", "GET", "/api/v1/settings/routing", "", 200).json(t)
	if got["only_online_agents"] != true || got["transfer_timeout_seconds"] != float64(60) {
		t.Errorf("defaults %v", got)
	}
	body := `{"familiar_customer":"last_agent","only_work_hours":false,"only_online_agents":true,"transfer_confirmation":true,"transfer_timeout_seconds":45}`
	if r := s.do("supervisor", "PUT", "/api/v1/settings/routing", body); r.Status != 403 {
		t.Errorf("a supervisor changed settings: %d", r.Status)
	}
	s.mustDo("admin", "PUT", "/api/v1/settings/routing", body, 200)
	for _, bad := range []string{
		`{"familiar_customer":"favourite","transfer_timeout_seconds":45}`,
		`{"transfer_timeout_seconds":0}`,
		`{"transfer_timeout_seconds":45,"surprise":1}`,
	} {
		if r := s.do("admin", "PUT", "/api/v1/settings/routing", bad); r.Status != 400 {
			t.Errorf("%s: %d", bad, r.Status)
		}
	}
	if got := s.mustDo("agent", "GET", "/api/v1/settings/routing", "", 200).json(t); got["transfer_timeout_seconds"] != float64(45) {
		t.Errorf("a refused PUT changed the settings: %v", got)
	}
	// With the setting on, a transfer to an agent waits for the receiver
	// even when the request does not ask for it.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)
	r := s.mustDo("agent", "POST", "/api/v1/sessions/1/transfer", `{"kind":"agent","agent_id":2}`, 200)
	if st := r.json(t)["session"].(map[string]any)["status"]; st != "switching" {
		t.Errorf("status after the transfer %v, want switching (waiting for the receiver)", st)
	}
}

// Routing rules: by channel, by customer tag (VIP customers go to group 1),
// by entry; a rule naming an agent beats one naming a group; a customer-tag
// rule naming an agent beats the order.
func TestRoutingRules(t *testing.T) {
	s := newStack(t)
	s.mustDo("admin", "POST", "/api/v1/queues", `{"name":"Web"}`, 201) // queue 2
	s.mustDo("admin", "POST", "/api/v1/queues", `{"name":"VIP"}`, 201) // queue 3
	s.mustDo("admin", "PUT", "/api/v1/agents/2", `{"name":"Alex B","email":"alex@example.com","groups":[3]}`, 200)
	rules := []string{
		`{"name":"web","enabled":true,"match":"channel","value":"web","target":{"queue_id":2}}`,
		`{"name":"vip","enabled":true,"match":"customer_tag","value":"VIP","target":{"queue_id":3}}`,
		`{"name":"promo","enabled":true,"match":"entry","value":"spring-promo","target":{"agent_id":2}}`,
	}
	for _, r := range rules {
		s.mustDo("admin", "POST", "/api/v1/routing-rules", r, 201)
	}
	route := func(body string) (queue, preferred float64) {
		t.Helper()
		sess := s.mustDo("integration", "POST", "/api/v1/sessions", body, 201).json(t)["session"].(map[string]any)
		w := sess["queue_waits"].([]any)[0].(map[string]any)
		p, _ := w["preferred_agent_id"].(float64)
		return sess["queue"].(map[string]any)["id"].(float64), p
	}
	if q, _ := route(`{"type":"chat_web","route":true}`); q != 2 {
		t.Errorf("a web chat went to queue %v, want 2 (first rule)", q)
	}
	if q, _ := route(`{"type":"chat_web","route":true,"end_user":{"tags":["vip"]}}`); q != 2 {
		t.Errorf("a VIP web chat went to queue %v, want 2: the channel rule comes first", q)
	}
	if q, _ := route(`{"type":"chat_whatsapp","route":true,"end_user":{"tags":["VIP"]}}`); q != 3 {
		t.Errorf("a VIP WhatsApp chat went to queue %v, want 3", q)
	}
	if q, p := route(`{"type":"chat_web","route":true,"entry":"spring-promo"}`); q != 3 || p != 2 {
		t.Errorf("the promo entry went to queue %v for agent %v, want 3 for agent 2 (an agent beats a group)", q, p)
	}
	// A customer-tag rule naming an agent beats the order, even an agent rule before it.
	s.mustDo("admin", "POST", "/api/v1/routing-rules", `{"name":"vip-noam","enabled":true,"match":"customer_tag","value":"gold","target":{"agent_id":1}}`, 400) // Noam has no group yet
	s.mustDo("admin", "PUT", "/api/v1/agents/1", `{"name":"Noam B","email":"noam@example.com","groups":[1]}`, 200)
	s.mustDo("admin", "POST", "/api/v1/routing-rules", `{"name":"gold-noam","enabled":true,"match":"customer_tag","value":"gold","target":{"agent_id":1}}`, 201)
	if q, p := route(`{"type":"chat_web","route":true,"entry":"spring-promo","end_user":{"tags":["gold"]}}`); q != 1 || p != 1 {
		t.Errorf("a gold promo chat went to queue %v for agent %v, want 1 for agent 1", q, p)
	}
	for _, bad := range []string{
		`{"name":"x","enabled":true,"match":"channel","value":"fax","target":{"queue_id":2}}`,
		`{"name":"x","enabled":true,"match":"weather","value":"rain","target":{"queue_id":2}}`,
		`{"name":"x","enabled":true,"match":"entry","value":"a","target":{"queue_id":2,"agent_id":1}}`,
		`{"name":"x","enabled":true,"match":"entry","value":"a","target":{"queue_id":99}}`,
		`{"name":"x","enabled":true,"match":"entry","value":"a","target":{"queue_id":2},"off_hours":{"queue_id":3}}`,
	} {
		if r := s.do("admin", "POST", "/api/v1/routing-rules", bad); r.Status != 400 {
			t.Errorf("%s: %d", bad, r.Status)
		}
	}
	if r := s.do("integration", "POST", "/api/v1/sessions", `{"type":"chat_sms_inbound","route":true}`); r.Status != 400 || !strings.Contains(string(r.Body), "no routing rule") {
		t.Errorf("no matching rule: %d %s", r.Status, r.Body)
	}
	if r := s.do("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","route":true,"queue_id":1}`); r.Status != 400 {
		t.Errorf("route and queue_id: %d", r.Status)
	}
	// Enqueue by the rules.
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_whatsapp","end_user":{"tags":["VIP"]}}`, 201)
	sess := s.mustDo("integration", "POST", "/api/v1/sessions/6/enqueue", `{"route":true}`, 200).json(t)["session"].(map[string]any)
	if sess["queue"].(map[string]any)["id"] != float64(3) {
		t.Errorf("enqueue by the rules went to %v", sess["queue"])
	}
}

func TestTransferToAGroupWithoutMembersIsRefused(t *testing.T) {
	s := newStack(t)
	s.mustDo("admin", "POST", "/api/v1/queues", `{"name":"Empty"}`, 201)
	s.mustDo("admin", "PUT", "/api/v1/agents/1", `{"name":"Noam B","email":"noam@example.com","groups":[1]}`, 200)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":1}`, 201)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/1/connect", ``, 200)
	r := s.mustDo("agent", "POST", "/api/v1/sessions/1/transfer", `{"kind":"queue","queue_id":2}`, 409)
	if !strings.Contains(string(r.Body), "no members") {
		t.Errorf("message: %s", r.Body)
	}
	s.mustDo("agent", "POST", "/api/v1/sessions/1/transfer", `{"kind":"queue","queue_id":1}`, 200)
}

// Configuration still referenced cannot be deleted; the rest can.
func TestDeletingConfiguration(t *testing.T) {
	s := newStack(t)
	s.mustDo("admin", "POST", "/api/v1/queues", `{"name":"Child","parent_id":1}`, 201) // 2
	s.mustDo("admin", "POST", "/api/v1/queues", `{"name":"Spare"}`, 201)               // 3
	s.mustDo("admin", "POST", "/api/v1/work-time-plans", `{"name":"Office","time_zone":"Europe/Paris","weekly":[{"weekday":"monday","hours":[{"from":"09:00","to":"17:00"}]}]}`, 201)
	s.mustDo("admin", "PUT", "/api/v1/queues/3", `{"name":"Spare","work_time_plan_id":1}`, 200)
	s.mustDo("admin", "POST", "/api/v1/routing-rules", `{"name":"web","enabled":true,"match":"channel","value":"web","target":{"queue_id":3}}`, 201)
	s.mustDo("admin", "POST", "/api/v1/customer-tags", `{"name":"VIP","level":9}`, 201)
	s.mustDo("integration", "POST", "/api/v1/sessions", `{"type":"chat_web","queue_id":2}`, 201)

	conflict := func(path, want string) {
		t.Helper()
		r := s.do("admin", "DELETE", path, "")
		if r.Status != 409 || !strings.Contains(string(r.Body), want) {
			t.Errorf("DELETE %s: %d %s, want 409 naming %q", path, r.Status, r.Body, want)
		}
	}
	conflict("/api/v1/queues/1", "queue 2 is its child")
	conflict("/api/v1/queues/2", "waits in it")
	conflict("/api/v1/queues/3", "routing rule 1")
	conflict("/api/v1/work-time-plans/1", "queue 3")
	if r := s.do("agent", "DELETE", "/api/v1/customer-tags/1", ""); r.Status != 403 {
		t.Errorf("an agent deleted a tag: %d", r.Status)
	}
	s.mustDo("admin", "DELETE", "/api/v1/customer-tags/1", "", 204)
	s.mustDo("admin", "DELETE", "/api/v1/customer-tags/1", "", 404)
	s.mustDo("admin", "DELETE", "/api/v1/routing-rules/1", "", 204)
	s.mustDo("admin", "PUT", "/api/v1/queues/3", `{"name":"Spare"}`, 200)
	s.mustDo("admin", "DELETE", "/api/v1/work-time-plans/1", "", 204)
	s.mustDo("admin", "DELETE", "/api/v1/queues/3", "", 204)
	s.mustDo("admin", "GET", "/api/v1/queues/3", "", 404)
	// The session keeps its snapshot of the queue it waits in.
	sess := s.mustDo("integration", "GET", "/api/v1/sessions/1", "", 200).json(t)
	if sess["queue"].(map[string]any)["name"] != "Child" {
		t.Errorf("queue snapshot %v", sess["queue"])
	}
}

func TestQueueAvailabilityForVisitors(t *testing.T) {
	s := newStack(t)
	// This test stack runs without routing: the answer says so.
	if r := s.do("integration", "GET", "/api/v1/queues/1/availability", ""); r.Status != 503 {
		t.Errorf("without routing: %d", r.Status)
	}
	if r := s.do("integration", "GET", "/api/v1/queues/9/availability", ""); r.Status != 404 {
		t.Errorf("unknown queue: %d", r.Status)
	}
}
