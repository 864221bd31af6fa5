package httpapi_test

import (
	"testing"
)

// Visitors, with real visitor tokens, leave offline messages on their
// plugin's form and read templates; nothing else of the chat configuration.
func TestVisitorsLeaveOfflineMessages(t *testing.T) {
	s := offlineStack(t) // template 1 (name and topic required) is the default
	key, _ := s.addPlugin()
	tok, id := s.visitor(key, `{"name":"Ana","email":"ana@example.com"}`)
	s.tokens["ana"] = tok
	other, _ := s.visitor(key, `{}`)
	s.tokens["bob"] = other

	// The token names the plugin and the visitor, whatever the body says;
	// what the visitor told the widget answers the form.
	m := s.mustDo("ana", "POST", "/api/v1/offline-messages", `{"plugin_id":9,"visitor_id":"someone","fields":{"topic":"Sales"},
		"content":"Do you ship to Norway?"}`, 201).json(t)
	if m["plugin_id"] != 1.0 || m["visitor_id"] != id || m["name"] != "Ana" || m["email"] != "ana@example.com" || m["template_id"] != 1.0 {
		t.Errorf("visitor message %v", m)
	}
	s.mustDo("bob", "POST", "/api/v1/offline-messages", `{"fields":{"topic":"Sales"},"content":"hi"}`, 400) // no name
	s.mustDo("ana", "POST", "/api/v1/offline-messages", `{"template_id":7,"fields":{"topic":"Sales"},"content":"hi"}`, 400)

	// Only its own chat.
	created := s.mustDo("ana", "POST", "/api/v1/sessions", `{}`, 201).json(t)["session"].(map[string]any)
	sid := int(created["id"].(float64))
	body := `{"session_id":` + itoa(sid) + `,"fields":{"name":"Bob","topic":"Billing"},"content":"left from the chat"}`
	s.mustDo("bob", "POST", "/api/v1/offline-messages", body, 403)
	if m := s.mustDo("ana", "POST", "/api/v1/offline-messages", body, 201).json(t); m["session_id"] != float64(sid) || m["queue_id"] != 1.0 {
		t.Errorf("from the chat: %v", m)
	}

	// The plugin's own template is the form.
	s.mustDo("admin", "POST", "/api/v1/leave-message-templates", `{"name":"Shop","fields":[{"key":"order_no","label":"Order","type":"text","required":true}]}`, 201)
	s.mustDo("admin", "PUT", "/api/v1/web-plugins/1", `{"name":"Shop","entry":"shop","leave_message_template_id":2}`, 200)
	s.mustDo("ana", "POST", "/api/v1/offline-messages", `{"fields":{"topic":"Sales"},"content":"hi"}`, 400)
	s.mustDo("ana", "POST", "/api/v1/offline-messages", `{"template_id":1,"fields":{"order_no":"A-1"},"content":"hi"}`, 400)
	if m := s.mustDo("ana", "POST", "/api/v1/offline-messages", `{"fields":{"order_no":"A-1"},"content":"where is it?"}`, 201).json(t); m["template_id"] != 2.0 {
		t.Errorf("on the plugin's form: %v", m)
	}
	// A plugin that takes no offline messages refuses them.
	s.mustDo("admin", "PUT", "/api/v1/web-plugins/1", `{"name":"Shop","entry":"shop","after_hours":"open_chat"}`, 200)
	s.mustDo("ana", "POST", "/api/v1/offline-messages", `{"fields":{"topic":"Sales"},"content":"hi"}`, 403)

	// Templates are readable; everything else is staff only.
	s.mustDo("ana", "GET", "/api/v1/leave-message-templates", "", 200)
	s.mustDo("ana", "GET", "/api/v1/leave-message-templates/1", "", 200)
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/offline-messages", ""},
		{"GET", "/api/v1/offline-messages/counts", ""},
		{"GET", "/api/v1/offline-messages/1", ""},
		{"PATCH", "/api/v1/offline-messages/1", `{"note":"x"}`},
		{"POST", "/api/v1/offline-messages/1/assign-to-me", ""},
		{"GET", "/api/v1/settings/chat", ""},
		{"PUT", "/api/v1/settings/chat", `{}`},
		{"GET", "/api/v1/settings/csat", ""},
		{"GET", "/api/v1/quick-replies", ""},
		{"POST", "/api/v1/quick-replies", `{"shortcut":"hi","content":"x"}`},
		{"POST", "/api/v1/quick-reply-categories", `{"name":"x"}`},
		{"POST", "/api/v1/leave-message-templates", `{"name":"x"}`},
		{"DELETE", "/api/v1/leave-message-templates/1", ""},
	} {
		if r := s.do("ana", c.method, c.path, c.body); r.Status != 403 {
			t.Errorf("a visitor: %s %s: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	if n := s.mustDo("agent", "GET", "/api/v1/offline-messages/counts", "", 200).json(t)["all"]; n != 3.0 {
		t.Errorf("%v messages stored, want 3", n)
	}
}

// The widget shows the form the offline-message route checks answers
// against: the plugin's template, else the default one.
func TestWidgetShowsTheConfiguredForm(t *testing.T) {
	s := offlineStack(t)
	key, _ := s.addPlugin()
	tpl := s.mustDo("", "GET", "/api/v1/widget/"+key, "", 200).json(t)["leave_message_template"].(map[string]any)
	if tpl["id"] != 1.0 || tpl["name"] != "Contact" {
		t.Errorf("the widget's form %v, want the default template", tpl)
	}
	s.mustDo("admin", "POST", "/api/v1/leave-message-templates", `{"name":"Shop"}`, 201)
	s.mustDo("admin", "PUT", "/api/v1/web-plugins/1", `{"name":"Shop","entry":"shop","leave_message_template_id":2}`, 200)
	if tpl := s.mustDo("", "GET", "/api/v1/widget/"+key, "", 200).json(t)["leave_message_template"].(map[string]any); tpl["id"] != 2.0 {
		t.Errorf("the widget's form %v, want the plugin's", tpl)
	}
	// A deleted template falls back to the default one.
	s.mustDo("admin", "DELETE", "/api/v1/leave-message-templates/2", "", 204)
	if tpl := s.mustDo("", "GET", "/api/v1/widget/"+key, "", 200).json(t)["leave_message_template"].(map[string]any); tpl["id"] != 1.0 {
		t.Errorf("the widget's form %v after its template was deleted, want the default", tpl)
	}
}
