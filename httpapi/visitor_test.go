package httpapi_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/webauth"
)

// addPlugin creates a web plugin whose chats route by entry "shop" to
// queue 1, and returns its key and identity secret.
func (s *stack) addPlugin() (key, secret string) {
	s.t.Helper()
	p := s.mustDo("admin", "POST", "/api/v1/web-plugins", `{"name":"Shop","entry":"shop","quick_buttons":["human","rate"],
		"invitations":[{"after_seconds":20,"text":"Need help?"}]}`, 201).json(s.t)
	s.mustDo("admin", "POST", "/api/v1/routing-rules", `{"name":"shop","enabled":true,"match":"entry","value":"shop","target":{"queue_id":1}}`, 201)
	return p["key"].(string), p["identity_secret"].(string)
}

// visitor asks the widget for an identity and returns its token and ID.
func (s *stack) visitor(key, body string) (token, id string) {
	s.t.Helper()
	v := s.mustDo("", "POST", "/api/v1/widget/"+key+"/visitor", body, 200).json(s.t)
	return v["visitor_token"].(string), v["visitor_id"].(string)
}

func TestWebPluginCRUDAndEmbed(t *testing.T) {
	s := newStack(t)
	p := s.mustDo("admin", "POST", "/api/v1/web-plugins", `{"name":"Shop","key":"chosen","identity_secret":"weak"}`, 201).json(t)
	key := p["key"].(string)
	if key == "chosen" || len(key) != 22 || len(p["identity_secret"].(string)) != 64 || p["theme_color"] != "#2563eb" {
		t.Fatalf("created %v", p)
	}
	for _, body := range []string{`{"name":"X","theme_color":"red"}`, `{"name":"X","toolbar":["fax"]}`,
		`{"name":"X","after_hours":"never"}`, `{"name":"X","invitations":[{"text":"hi"}]}`, `{"name":"X","logo_url":"javascript:alert(1)"}`,
		`{"name":"X","id":3}`} {
		if got := s.do("admin", "POST", "/api/v1/web-plugins", body); got.Status != 400 {
			t.Errorf("%s: %d, want 400", body, got.Status)
		}
	}
	for _, as := range []string{"supervisor", "agent", "integration"} {
		if got := s.do(as, "GET", "/api/v1/web-plugins/1", ""); got.Status != 403 {
			t.Errorf("%s reads a plugin and its secret: %d", as, got.Status)
		}
	}
	u := s.mustDo("admin", "PUT", "/api/v1/web-plugins/1", `{"name":"Shop","title":"Talk to us","theme_color":"#112233"}`, 200).json(t)
	if u["key"] != key || u["identity_secret"] != p["identity_secret"] || u["title"] != "Talk to us" {
		t.Errorf("replaced %v", u)
	}
	if n := len(s.mustDo("admin", "GET", "/api/v1/web-plugins", "", 200).json(t)["items"].([]any)); n != 1 {
		t.Errorf("%d plugins, want 1", n)
	}
	e := s.mustWith("admin", "GET", "/api/v1/web-plugins/1/embed", "", 200, "X-Forwarded-Proto", "https").json(t)
	host := strings.TrimPrefix(s.srv.URL, "http://")
	if e["script"] != `<script src="https://`+host+`/widget.js" data-plugin="`+key+`" async></script>` || e["link"] != "https://"+host+"/chat/"+key {
		t.Errorf("embed = %v", e)
	}
	s.mustDo("admin", "DELETE", "/api/v1/web-plugins/1", "", 204)
	s.mustDo("", "GET", "/api/v1/widget/"+key, "", 404)
	s.mustDo("admin", "GET", "/api/v1/web-plugins/1/embed", "", 404)
}

func TestWidgetConfigIsPublicWithoutTheSecret(t *testing.T) {
	s := newStack(t)
	p := s.mustDo("admin", "POST", "/api/v1/web-plugins", `{"name":"Shop","entry":"shop"}`, 201).json(t)
	key := p["key"].(string)
	r := s.mustDo("", "GET", "/api/v1/widget/"+key, "", 200)
	c := r.json(t)
	if strings.Contains(string(r.Body), p["identity_secret"].(string)) || c["identity_secret"] != nil || c["entry"] != nil {
		t.Fatalf("the widget config shows the secret or the entry: %s", r.Body)
	}
	tpl := c["leave_message_template"].(map[string]any)
	if c["name"] != "Shop" || c["dispatcher_nickname"] != "Assistant" || len(c["csat"].(map[string]any)["scores"].([]any)) != 5 ||
		len(tpl["fields"].([]any)) != 4 || c["open"] != false || c["agents_online"] != 0.0 {
		t.Errorf("widget config %s", r.Body)
	}
	// Routed to queue 1, which has no work-time plan: open.
	s.mustDo("admin", "POST", "/api/v1/routing-rules", `{"name":"shop","enabled":true,"match":"entry","value":"shop","target":{"queue_id":1}}`, 201)
	if c := s.mustDo("", "GET", "/api/v1/widget/"+key, "", 200).json(t); c["open"] != true {
		t.Errorf("open = %v with a route to an open queue", c["open"])
	}
	s.mustDo("", "GET", "/api/v1/widget/nope", "", 404)
}

func TestVisitorIdentity(t *testing.T) {
	s := newStack(t)
	key, secret := s.addPlugin()
	tok, id := s.visitor(key, `{}`)
	if !strings.HasPrefix(tok, "sbv_") || !strings.HasPrefix(id, "a:") {
		t.Fatalf("anonymous visitor %q %q", tok, id)
	}
	// The browser's token comes back as is: the anonymous ID survives.
	if again, id2 := s.visitor(key, `{"visitor_token":"`+tok+`"}`); again != tok || id2 != id {
		t.Errorf("known token gave %q %q", again, id2)
	}
	if _, other := s.visitor(key, `{"visitor_token":"sbv_forged.token"}`); other == id || !strings.HasPrefix(other, "a:") {
		t.Errorf("a forged token kept the ID: %q", other)
	}
	v := s.mustDo("", "POST", "/api/v1/widget/"+key+"/visitor",
		`{"visitor_token":"`+tok+`","user_id":"42","user_hash":"`+webauth.UserHash(secret, "42")+`","name":"Ana Lima","email":"ana@example.com"}`, 200).json(t)
	if v["visitor_id"] != "u:42" || v["verified"] != true || v["visitor_token"] == tok {
		t.Errorf("verified visitor %v", v)
	}
	for body, want := range map[string]int{
		`{"user_id":"42","user_hash":"` + webauth.UserHash("other secret", "42") + `"}`: 403,
		`{"user_id":"43","user_hash":"` + webauth.UserHash(secret, "42") + `"}`:         403,
		`{"user_id":"42"}`:                      400,
		`{"email":"nope"}`:                      400,
		`{"phone":"12"}`:                        400,
		`{"visitor_token":"x","surprise":true}`: 400,
	} {
		if got := s.do("", "POST", "/api/v1/widget/"+key+"/visitor", body); got.Status != want {
			t.Errorf("%s: %d %s, want %d", body, got.Status, got.Body, want)
		}
	}
	// A token of another plugin is not honoured here.
	other := s.mustDo("admin", "POST", "/api/v1/web-plugins", `{"name":"Docs"}`, 201).json(t)["key"].(string)
	if _, id2 := s.visitor(other, `{"visitor_token":"`+tok+`"}`); id2 == id {
		t.Error("a token of another plugin kept its ID")
	}
}

func TestVisitorPolicy(t *testing.T) {
	s := newStack(t)
	key, _ := s.addPlugin()
	ana, anaID := s.visitor(key, `{"name":"Ana"}`)
	bob, _ := s.visitor(key, `{}`)
	s.tokens["ana"], s.tokens["bob"] = ana, bob

	if me := s.mustDo("ana", "GET", "/api/v1/me", "", 200).json(t); me["role"] != "visitor" || me["visitor_id"] != anaID {
		t.Errorf("visitor me = %v", me)
	}
	created := s.mustDo("ana", "POST", "/api/v1/sessions", `{"end_user":{"email":"ana@example.com"}}`, 201).json(t)["session"].(map[string]any)
	id := strconv.Itoa(int(created["id"].(float64)))
	if created["status"] != "queued" || created["end_user"] != nil || created["queue"] != nil || created["entry"] != nil {
		t.Fatalf("the visitor sees more than its view of the chat: %v", created)
	}
	staff := s.mustDo("admin", "GET", "/api/v1/sessions/"+id, "", 200).json(t)
	eu := staff["end_user"].(map[string]any)
	if staff["type"] != "chat_web" || staff["entry"] != "shop" || eu["identifier"] != anaID || eu["name"] != "Ana" ||
		eu["email"] != "ana@example.com" || staff["queue"].(map[string]any)["id"] != 1.0 {
		t.Fatalf("visitor session %v", staff)
	}
	if got := s.do("ana", "POST", "/api/v1/sessions", `{}`); got.Status != 409 {
		t.Errorf("a second open chat: %d", got.Status)
	}
	for _, body := range []string{`{"type":"voice_inbound"}`, `{"queue_id":1}`, `{"end_user":{"identifier":"a:someone"}}`, `{"end_user":{"tags":["VIP"]}}`} {
		if got := s.do("bob", "POST", "/api/v1/sessions", body); got.Status != 403 {
			t.Errorf("visitor create %s: %d, want 403", body, got.Status)
		}
	}
	s.mustDo("bob", "POST", "/api/v1/sessions", `{}`, 201)
	if list := s.mustDo("ana", "GET", "/api/v1/sessions", "", 200).json(t)["sessions"].([]any); len(list) != 1 ||
		list[0].(map[string]any)["id"] != created["id"] {
		t.Errorf("ana lists %v", list)
	}
	if n := len(s.mustDo("admin", "GET", "/api/v1/sessions", "", 200).json(t)["sessions"].([]any)); n != 2 {
		t.Errorf("admin lists %d sessions, want 2", n)
	}

	// Ana reads and writes her own chat.
	for _, p := range []string{"", "/messages", "/events"} {
		s.mustDo("ana", "GET", "/api/v1/sessions/"+id+p, "", 200)
	}
	if got := s.do("", "GET", "/api/v1/sessions/"+id+"/events?access_token="+ana, ""); got.Status != 401 {
		t.Errorf("a visitor token in the URL: %d, want 401", got.Status)
	}
	msg := s.mustDo("ana", "POST", "/api/v1/sessions/"+id+"/message", `{"text":"Hello"}`, 200).json(t)
	ev := msg["events"].([]any)[0].(map[string]any)
	if ev["actor"].(map[string]any)["kind"] != "end_user" || ev["data"].(map[string]any)["from"] != "end_user" {
		t.Errorf("visitor message event %v", ev)
	}
	mid := strconv.Itoa(int(ev["data"].(map[string]any)["id"].(float64)))

	// Bob may not touch it.
	for _, p := range []string{"", "/messages", "/events", "/events/stream", "/queue-position"} {
		if got := s.do("bob", "GET", "/api/v1/sessions/"+id+p, ""); got.Status != 403 {
			t.Errorf("bob GET %s: %d, want 403", p, got.Status)
		}
	}
	if got := s.do("bob", "POST", "/api/v1/sessions/"+id+"/message", `{"text":"Boo"}`); got.Status != 403 {
		t.Errorf("bob writes in ana's chat: %d", got.Status)
	}
	before := s.eventCount()
	// Commands of the other side and staff routes are refused.
	for path, body := range map[string]string{
		"/message":   `{"text":"Hi","from":"system"}`,
		"/recall":    `{"message_id":` + mid + `,"from":"agent"}`,
		"/end":       `{"disconnected_by":"agent"}`,
		"/assign":    `{"agent_id":1}`,
		"/tag":       `{"add":[1]}`,
		"/transfer":  `{"kind":"queue","queue_id":1}`,
		"/events":    `{"type":"custom_data","data":{}}`,
		"/wrap-up":   `{}`,
		"/hold":      `{}`,
		"/va-assign": `{}`,
	} {
		if got := s.do("ana", "POST", "/api/v1/sessions/"+id+path, body); got.Status != 403 {
			t.Errorf("visitor POST %s: %d %s, want 403", path, got.Status, got.Body)
		}
	}
	for _, p := range []string{"/api/v1/sessions/" + id + "/metadata", "/api/v1/agents", "/api/v1/events", "/api/v1/users", "/api/v1/web-plugins"} {
		if got := s.do("ana", "GET", p, ""); got.Status != 403 {
			t.Errorf("visitor GET %s: %d, want 403", p, got.Status)
		}
	}
	if n := s.eventCount(); n != before {
		t.Errorf("refused commands appended %d events", n-before)
	}
	s.mustDo("ana", "POST", "/api/v1/sessions/"+id+"/recall", `{"message_id":`+mid+`}`, 200)
	end := s.mustDo("ana", "POST", "/api/v1/sessions/"+id+"/end", `{}`, 200).json(t)
	if st := end["session"].(map[string]any)["status"]; st != "finished" {
		t.Errorf("status after the visitor ended: %v", st)
	}
	// The chat ended: Ana may start another.
	s.mustDo("ana", "POST", "/api/v1/sessions", `{}`, 201)

	// Deleting the plugin ends its visitors' access.
	s.mustDo("admin", "DELETE", "/api/v1/web-plugins/1", "", 204)
	if got := s.do("ana", "GET", "/api/v1/sessions/"+id, ""); got.Status != 401 {
		t.Errorf("visitor of a deleted plugin: %d, want 401", got.Status)
	}
}

// An agent's message carries the agent's name for staff, so that a
// colleague's transcript says who wrote; the visitor gets the name the
// chat settings show instead, never the other.
func TestAgentMessageNames(t *testing.T) {
	s := newStack(t)
	key, _ := s.addPlugin()
	ana, _ := s.visitor(key, `{"name":"Ana"}`)
	s.tokens["ana"] = ana
	id := strconv.Itoa(int(s.mustDo("ana", "POST", "/api/v1/sessions", `{}`, 201).json(t)["session"].(map[string]any)["id"].(float64)))
	s.mustDo("agent", "POST", "/api/v1/sessions/"+id+"/assign", `{"agent_id":1}`, 200)
	s.mustDo("agent", "POST", "/api/v1/sessions/"+id+"/connect", `{}`, 200)
	s.mustDo("admin", "PUT", "/api/v1/agents/1", `{"name":"Noam B","nickname":"Noam","email":"noam@example.com"}`, 200)
	chat := s.mustDo("admin", "GET", "/api/v1/settings/chat", "", 200).json(t)
	delete(chat, "updated_at")
	for _, show := range []bool{false, true} {
		chat["show_agent_nickname"] = show
		body, _ := json.Marshal(chat)
		s.mustDo("admin", "PUT", "/api/v1/settings/chat", string(body), 200)
		s.mustDo("agent", "POST", "/api/v1/sessions/"+id+"/message", `{"text":"Hello Ana"}`, 200)
	}
	lastTwo := func(who string) []map[string]any {
		t.Helper()
		var out []map[string]any
		for _, e := range s.mustDo(who, "GET", "/api/v1/sessions/"+id+"/events", "", 200).json(t)["events"].([]any) {
			if ev := e.(map[string]any); ev["type"] == "message_sent" {
				out = append(out, ev["data"].(map[string]any))
			}
		}
		if len(out) != 2 {
			t.Fatalf("%s sees %d messages: %v", who, len(out), out)
		}
		return out
	}
	for _, who := range []string{"admin", "agent", "supervisor"} {
		for _, d := range lastTwo(who) {
			if d["agent_name"] != "Noam B" {
				t.Errorf("%s sees the agent's message as %v", who, d)
			}
		}
	}
	// The settings show nicknames now: the visitor sees the nickname.
	for i, d := range lastTwo("ana") {
		if d["agent_name"] != nil || d["nickname"] != "Noam" {
			t.Errorf("message %d: the visitor sees %v, want nickname Noam and no agent_name", i+1, d)
		}
	}
}
