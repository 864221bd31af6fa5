package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/docs"
	"github.com/switchboardhq/switchboard/httpapi"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/report"
	"github.com/switchboardhq/switchboard/sessionview"
	"github.com/switchboardhq/switchboard/worktime"
)

// commandRoute is the route that serves every session command; the
// OpenAPI document describes it as one path per command.
const commandRoute = "/api/v1/sessions/{id}/{command}"

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(docs.OpenAPI))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("docs/openapi.json is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("docs/openapi.json has data after the document")
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	return doc
}

// obj walks a path of object keys; it returns nil when one is missing.
func obj(v any, keys ...string) map[string]any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

// sessionCommands lists the commands served by commandRoute.
func sessionCommands() []string {
	var out []string
	for _, tr := range lifecycle.Table {
		if tr.Command == "create" || tr.Command == "record-event" || lifecycle.Internal(tr.Command) || slices.Contains(out, tr.Command) {
			continue
		}
		out = append(out, tr.Command)
	}
	return out
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	s := newStack(t)
	dir, err := directory.Open(context.Background(), s.db, s.clock)
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Engine: s.eng, Feed: s.feed, Directory: dir, Config: s.db,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	paths := obj(doc, "paths")
	if len(paths) == 0 {
		t.Fatal("the document has no paths")
	}
	commands := sessionCommands()
	if len(commands) == 0 {
		t.Fatal("lifecycle.Table lists no session commands")
	}

	// Every registered route is documented with its method.
	registered := map[string]bool{} // "method path" as documented
	for _, route := range api.Routes() {
		method, path, ok := strings.Cut(route, " ")
		if !ok {
			t.Errorf("route %q has no method", route)
			continue
		}
		method = strings.ToLower(method)
		expanded := []string{path}
		if path == commandRoute {
			expanded = expanded[:0]
			for _, c := range commands {
				expanded = append(expanded, "/api/v1/sessions/{id}/"+c)
			}
		}
		for _, p := range expanded {
			registered[method+" "+p] = true
			if obj(paths, p, method) == nil {
				t.Errorf("%s %s (route %q) is not documented", strings.ToUpper(method), p, route)
			}
		}
	}
	// Nothing is documented that the server does not serve.
	methods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	for p, item := range paths {
		for _, m := range methods {
			if obj(item, m) != nil && !registered[m+" "+p] {
				t.Errorf("%s %s is documented but not served", strings.ToUpper(m), p)
			}
		}
	}

	// Each command path documents its input, the answers a command can
	// give, If-Match and the ETag.
	for _, c := range commands {
		op := obj(paths, "/api/v1/sessions/{id}/"+c, "post")
		if op == nil {
			continue // reported above
		}
		if _, ok := lifecycle.NewCommand(c); !ok {
			t.Errorf("lifecycle.Table command %q has no lifecycle.NewCommand", c)
		}
		if summary, _ := op["summary"].(string); summary == "" {
			t.Errorf("%s: no summary", c)
		}
		if obj(op, "requestBody", "content", "application/json", "schema") == nil {
			t.Errorf("%s: no application/json request body schema", c)
		}
		for _, code := range []string{"200", "400", "401", "403", "404", "409", "412", "413"} {
			if obj(op, "responses", code) == nil {
				t.Errorf("%s: response %s is not documented", c, code)
			}
		}
		if obj(op, "responses", "200", "headers", "ETag") == nil {
			t.Errorf("%s: the ETag header of 200 is not documented", c)
		}
		hasIfMatch := false
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			pm := resolve(t, doc, p)
			if pm["in"] == "header" && pm["name"] == "If-Match" {
				hasIfMatch = true
			}
		}
		if !hasIfMatch {
			t.Errorf("%s: the If-Match header is not documented", c)
		}
		allowed, _ := op["x-allowed-statuses"].([]any)
		rows, _ := lifecycle.Lookup(c)
		want := map[string]bool{}
		for _, r := range rows {
			for _, st := range r.From {
				want[st.String()] = true
			}
		}
		got := map[string]bool{}
		for _, a := range allowed {
			got[a.(string)] = true
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: x-allowed-statuses = %v, want the table's %v", c, sortedKeys(got), sortedKeys(want))
		}
	}

	// The public routes need no token; everything else does.
	// Either credential will do: each is its own requirement. The streams
	// take a ticket in the URL too, and no other route does.
	sec, _ := doc["security"].([]any)
	if len(sec) != 2 || !hasKey(sec[0], "bearerAuth") || !hasKey(sec[1], "cookieAuth") {
		t.Errorf("global security = %v, want bearerAuth or cookieAuth", doc["security"])
	}
	for _, name := range []string{"bearerAuth", "cookieAuth", "ticket"} {
		if obj(doc, "components", "securitySchemes", name) == nil {
			t.Errorf("no %s security scheme", name)
		}
	}
	streams := map[string]bool{"get /api/v1/ws": true, "get /api/v1/events/stream": true,
		"get /api/v1/sessions/{id}/events/stream": true, "get /api/v1/sessions/{id}/queue-position/stream": true}
	for route := range registered {
		method, p, _ := strings.Cut(route, " ")
		sec, _ := obj(paths, p, method)["security"].([]any)
		ticket := len(sec) == 3 && hasKey(sec[0], "bearerAuth") && hasKey(sec[1], "cookieAuth") && hasKey(sec[2], "ticket")
		if ticket != streams[route] {
			t.Errorf("%s: security = %v; the streams, and only they, take bearerAuth, cookieAuth or ticket", route, sec)
		}
	}
	for _, route := range []string{"GET /healthz", "GET /readyz", "GET /api/v1/openapi.json", "POST /api/v1/login",
		"POST /api/v1/logout", "GET /api/v1/widget/{key}", "POST /api/v1/widget/{key}/visitor"} {
		method, p, _ := strings.Cut(route, " ")
		method = strings.ToLower(method)
		sec, ok := obj(paths, p, method)["security"].([]any)
		if !ok || len(sec) != 0 {
			t.Errorf("%s: security = %v, want []", route, obj(paths, p, method)["security"])
		}
	}
}

// resolve follows a local $ref, if v is one.
func resolve(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	for i := 0; m != nil && i < 10; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		target, ok := pointer(doc, ref)
		if !ok {
			t.Errorf("$ref %q does not resolve", ref)
			return nil
		}
		m, _ = target.(map[string]any)
	}
	return m
}

// pointer resolves a local JSON pointer reference ("#/components/schemas/X").
func pointer(doc map[string]any, ref string) (any, bool) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, false
	}
	var v any = doc
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := v.(type) {
		case map[string]any:
			if v, ok = c[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := obj(doc, "components", "schemas")
	n := 0
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch c := v.(type) {
		case map[string]any:
			if ref, ok := c["$ref"].(string); ok {
				n++
				if _, ok := pointer(doc, ref); !ok {
					t.Errorf("%s: $ref %q does not resolve", at, ref)
				}
				if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok && schemas[name] == nil {
					t.Errorf("%s: $ref %q names no components.schemas entry", at, ref)
				}
			}
			for k, e := range c {
				walk(e, at+"/"+k)
			}
		case []any:
			for i, e := range c {
				walk(e, at+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "#")
	if n == 0 {
		t.Error("the document has no $ref at all")
	}
	// Every response names a schema that exists (directly or through components.responses).
	for p, item := range obj(doc, "paths") {
		for m, op := range item.(map[string]any) {
			for code, r := range obj(op, "responses") {
				r := resolve(t, doc, r)
				if r == nil {
					continue
				}
				if desc, _ := r["description"].(string); desc == "" {
					t.Errorf("%s %s %s: response without a description", m, p, code)
				}
			}
		}
	}
}

func TestOpenAPIListsEveryDataStreamType(t *testing.T) {
	doc := loadOpenAPI(t)
	req := obj(doc, "components", "schemas", "RecordEventRequest")
	if req == nil {
		t.Fatal("no RecordEventRequest schema")
	}
	documented := map[string]bool{}
	branches, _ := req["oneOf"].([]any)
	for _, b := range branches {
		bm := resolve(t, doc, b)
		c, ok := obj(bm, "properties", "type")["const"].(string)
		if !ok {
			t.Errorf("RecordEventRequest branch %v has no const type", b)
			continue
		}
		if documented[c] {
			t.Errorf("data-stream type %s is documented twice", c)
		}
		documented[c] = true
		if obj(bm, "properties", "data") == nil {
			t.Errorf("data-stream type %s: no data schema", c)
		}
	}
	mapping := obj(req, "discriminator", "mapping")
	for _, typ := range lifecycle.StreamTypes() {
		if !documented[string(typ)] {
			t.Errorf("data-stream type %s is not in RecordEventRequest", typ)
		}
		if mapping[string(typ)] == nil {
			t.Errorf("data-stream type %s is not in the discriminator mapping", typ)
		}
		delete(documented, string(typ))
	}
	for typ := range documented {
		t.Errorf("RecordEventRequest documents %s, which is not a data-stream type", typ)
	}
}

// jsonFields returns the JSON member names of a struct type.
func jsonFields(typ reflect.Type) []string {
	var out []string
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, jsonFields(ft)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// diff returns the names in want but not in got, and those in got but not in want.
func diff(got, want []string) (missing, extra []string) {
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	return missing, extra
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The schemas list exactly the JSON members of the Go types they describe,
// so a field added to a type or a command fails here until it is documented.
func TestOpenAPISchemasMatchTheGoTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := obj(doc, "components", "schemas")
	check := func(name string, v any, extra ...string) {
		t.Helper()
		s := schemas[name]
		if s == nil {
			t.Errorf("no components.schemas.%s", name)
			return
		}
		got := sortedKeys(obj(s, "properties"))
		want := append(jsonFields(reflect.TypeOf(v)), extra...)
		sort.Strings(want)
		if missing, extra := diff(got, want); len(missing)+len(extra) > 0 {
			t.Errorf("schema %s vs the Go type %T: undocumented fields %v, documented fields the type lacks %v", name, v, missing, extra)
		}
	}
	check("Session", sb.Session{}, "status_code", "display_name", "duration_since")
	check("SessionSummary", sessionview.Summary{})
	for name, v := range map[string]any{
		"EndUser": sb.EndUser{}, "AgentRef": sb.AgentRef{}, "VirtualAgentRef": sb.VirtualAgentRef{},
		"QueueRef": sb.QueueRef{}, "Participant": sb.Participant{}, "Transfer": sb.Transfer{}, "Hold": sb.Hold{},
		"QueueWait": sb.QueueWait{}, "HandleSegment": sb.HandleSegment{}, "VAHandle": sb.VAHandle{},
		"Deflection": sb.Deflection{}, "Disposition": sb.Disposition{}, "MediaItem": sb.MediaItem{},
		"TextInput": sb.TextInput{}, "SMS": sb.SMS{}, "Event": sb.Event{}, "Actor": sb.Actor{},
		"Agent": sb.Agent{}, "VirtualAgent": sb.VirtualAgent{}, "Queue": sb.Queue{}, "CustomerTag": sb.CustomerTag{}, "RoutingSettings": sb.RoutingSettings{}, "QueueRule": sb.QueueRule{}, "RoutingRule": sb.RoutingRule{}, "RouteTarget": sb.RouteTarget{}, "WorkTimePlan": worktime.Plan{}, "Token": sb.Token{},
		"OutboxItem": sb.OutboxItem{}, "Attachment": sb.Attachment{}, "AttachmentRef": sb.AttachmentRef{},
		"TicketRequest": httpapi.TicketRequest{}, "Ticket": httpapi.TicketResponse{},
		"AgentInput": sb.Agent{}, "VirtualAgentInput": sb.VirtualAgent{}, "QueueInput": sb.Queue{}, "CustomerTagInput": sb.CustomerTag{}, "RoutingSettingsInput": sb.RoutingSettings{}, "QueueRuleInput": sb.QueueRule{}, "RoutingRuleInput": sb.RoutingRule{}, "WorkTimePlanInput": worktime.Plan{},
		// Lifecycle event data.
		"SessionCreatedData": lifecycle.Created{}, "StatusChangeData": lifecycle.StatusData{},
		"QueueEventData": lifecycle.QueueData{}, "AgentEventData": lifecycle.AgentData{}, "MessageEventData": lifecycle.MessageData{}, "RecallEventData": lifecycle.RecallData{}, "NoReplyEventData": lifecycle.NoReplyData{}, "ReminderEventData": lifecycle.ReminderData{}, "QueueAlertData": lifecycle.AlertData{}, "MessageStats": sb.MessageStats{}, "SessionTag": sb.SessionTag{}, "SessionTagInput": sb.SessionTag{}, "TagsEventData": lifecycle.TagsData{},
		"VAEventData": lifecycle.VAData{}, "HoldEventData": lifecycle.HoldData{},
		"TransferStartedData": lifecycle.TransferStartedData{}, "TransferEndData": lifecycle.TransferEndData{},
		"ParticipantEventData": lifecycle.ParticipantData{}, "DeflectedData": lifecycle.DeflectedData{},
		"VoicemailEventData": lifecycle.VoicemailData{}, "FailedData": lifecycle.FailedData{},
		"EndedData": lifecycle.EndedData{}, "WrappedUpData": lifecycle.WrappedUpData{}, "RatedData": lifecycle.RatedData{}, "RatingInvitedData": lifecycle.RatingInvitedData{}, "ChatMessage": httpapi.TranscriptLine{}, "ProfileUpdatedData": lifecycle.ProfileData{},
		// Data-stream payloads.
		"ForeignData": lifecycle.Foreign{}, "ByData": lifecycle.By{}, "LinkData": lifecycle.Link{},
		"TextData": lifecycle.Text{}, "PhoneNumbersData": lifecycle.PhoneNumbers{}, "PaymentData": lifecycle.Payment{},
		"SurveyData": lifecycle.Survey{}, "SurveyAnswer": lifecycle.SurveyAnswer{}, "PhotosData": lifecycle.Photos{},
		"SummaryData": lifecycle.Summary{}, "ContentCardData": lifecycle.ContentCard{},
		"SIPRedirectData": lifecycle.SIPRedirect{}, "TranscriptData": lifecycle.Transcript{},
		"TranscriptLine": lifecycle.TranscriptLine{}, "LinksData": lifecycle.Links{},
		"VAVariablesData": lifecycle.VAVariables{}, "SentimentData": lifecycle.Sentiment{},
		"EmailData": lifecycle.Email{}, "TranslationData": lifecycle.Translation{},
		"EmergencyData": lifecycle.Emergency{}, "TextInputData": lifecycle.TextInput{},
		"SMSData": lifecycle.SMSSent{}, "TicketData": lifecycle.Ticket{}, "PermissionData": lifecycle.Permission{},
		// Session create and the lifecycle table (GET /api/v1/event-types).
		"CreateSessionRequest": lifecycle.Create{}, "Transition": lifecycle.Transition{},
		// Identity, web plugins and the widget.
		"User": sb.User{}, "UserInput": httpapi.UserInput{}, "LoginRequest": httpapi.LoginRequest{},
		"Login": httpapi.LoginResponse{}, "Me": httpapi.Me{}, "PasswordChange": httpapi.PasswordChange{},
		"WebPlugin": sb.WebPlugin{}, "WebPluginInput": sb.WebPlugin{}, "PluginSidebar": sb.PluginSidebar{},
		"FAQItem": sb.FAQItem{}, "AutoInvitation": sb.AutoInvitation{}, "Embed": httpapi.Embed{},
		"WidgetConfig": httpapi.WidgetConfig{}, "WidgetCSAT": httpapi.WidgetCSAT{}, "ScoreOption": sb.ScoreOption{},
		"LeaveMessageTemplate": sb.LeaveMessageTemplate{}, "TemplateField": sb.TemplateField{},
		"VisitorRequest": httpapi.VisitorRequest{}, "VisitorIdentity": httpapi.VisitorIdentity{},
		// Chat configuration.
		"ChatSettings": sb.ChatSettings{}, "SystemText": sb.SystemText{}, "CSATSettings": sb.CSATSettings{},
		"QuickReply": sb.QuickReply{}, "QuickReplyInput": sb.QuickReply{},
		"QuickReplyCategory": sb.QuickReplyCategory{}, "QuickReplyCategoryInput": sb.QuickReplyCategory{},
		"LeaveMessageTemplateInput": sb.LeaveMessageTemplate{}, "OfflineMessage": sb.OfflineMessage{},
		"OfflineMessageInput": httpapi.OfflineMessageInput{}, "OfflineMessagePatch": httpapi.OfflineMessagePatch{},
		"OfflineCounts": sb.OfflineCounts{},
		// WebSocket frames.
		"WSRequest": httpapi.WSRequest{}, "WSMessage": httpapi.WSMessage{},
		// Reports.
		"WorkloadColumns": report.WorkloadColumns{}, "SatisfactionColumns": report.SatisfactionColumns{},
		"QueueColumns": report.QueueColumns{}, "ChannelColumns": report.ChannelColumns{},
		"AgentWorkloadRow": report.AgentWorkloadRow{}, "GroupWorkloadRow": report.GroupWorkloadRow{},
		"AgentSatisfactionRow": report.AgentSatisfactionRow{}, "GroupSatisfactionRow": report.GroupSatisfactionRow{},
		"QueueReportRow": report.QueueReportRow{}, "ChannelReportRow": report.ChannelReportRow{},
		"TransferRow": report.TransferRow{}, "ServiceLevelRow": report.ServiceLevelRow{}, "QueueSessionRow": report.QueueSessionRow{},
		"AgentWorkloadReport":     httpapi.Report[report.AgentWorkloadRow, report.WorkloadColumns]{},
		"AgentSatisfactionReport": httpapi.Report[report.AgentSatisfactionRow, report.SatisfactionColumns]{},
		"GroupWorkloadReport":     httpapi.Report[report.GroupWorkloadRow, report.WorkloadColumns]{},
		"GroupSatisfactionReport": httpapi.Report[report.GroupSatisfactionRow, report.SatisfactionColumns]{},
		"QueueReport":             httpapi.Report[report.QueueReportRow, report.QueueColumns]{},
		"ChannelReport":           httpapi.Report[report.ChannelReportRow, report.ChannelColumns]{},
		"TransferReport":          httpapi.ReportList[report.TransferRow]{},
		"ServiceLevelReport":      httpapi.Report[report.ServiceLevelRow, report.ServiceLevelRow]{},
		"QueueSessionsReport":     httpapi.ReportList[report.QueueSessionRow]{},
		"SessionFacts":            sb.SessionFacts{}, "AgentFact": sb.AgentFact{}, "GroupFact": sb.GroupFact{},
		"WaitFact": sb.WaitFact{}, "SessionFact": sb.SessionFact{}, "RatingFact": sb.RatingFact{}, "TransferFact": sb.TransferFact{},
		// The wallboard.
		"Wallboard": httpapi.Wallboard{}, "WallboardGroup": httpapi.WallboardGroup{}, "WallboardFigures": httpapi.WallboardFigures{},
		"WallboardAgent": httpapi.WallboardAgent{}, "AgentCounts": httpapi.AgentCounts{}, "TodayFigures": httpapi.TodayFigures{},
	} {
		check(name, v)
	}

	// Each command's request body lists the command's JSON fields.
	for _, c := range sessionCommands() {
		cmd, ok := lifecycle.NewCommand(c)
		if !ok {
			continue // reported by TestOpenAPIDocumentsEveryRoute
		}
		body := resolve(t, doc, obj(doc, "paths", "/api/v1/sessions/{id}/"+c, "post", "requestBody", "content", "application/json", "schema"))
		if body == nil {
			t.Errorf("%s: no request body schema", c)
			continue
		}
		got := sortedKeys(obj(body, "properties"))
		want := jsonFields(reflect.TypeOf(cmd).Elem())
		if missing, extra := diff(got, want); len(missing)+len(extra) > 0 {
			t.Errorf("%s: request body vs %T: undocumented fields %v, documented fields the command lacks %v", c, cmd, missing, extra)
		}
	}

	// Enums follow the Go lists.
	enum := func(name string) []string {
		var out []string
		vals, _ := obj(schemas, name)["enum"].([]any)
		for _, v := range vals {
			out = append(out, strings.TrimSpace(strings.Trim(jsonText(v), `"`)))
		}
		return out
	}
	var statuses, codes, types []string
	for _, st := range sb.Statuses() {
		statuses = append(statuses, st.String())
		codes = append(codes, strconv.Itoa(int(st)))
	}
	for _, typ := range sb.SessionTypes() {
		types = append(types, string(typ))
	}
	if got := enum("StatusName"); !slices.Equal(got, statuses) {
		t.Errorf("StatusName enum = %v, want %v", got, statuses)
	}
	if got := enum("StatusCode"); !slices.Equal(got, codes) {
		t.Errorf("StatusCode enum = %v, want %v", got, codes)
	}
	if got := enum("SessionType"); !slices.Equal(got, types) {
		t.Errorf("SessionType enum = %v, want %v", got, types)
	}
}

func hasKey(v any, key string) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[key]
	return ok
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The server serves the embedded document without a token.
func TestOpenAPIIsServed(t *testing.T) {
	s := newStack(t)
	res, err := http.Get(s.srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" || !bytes.Equal(body, docs.OpenAPI) {
		t.Errorf("GET /api/v1/openapi.json: %d %s, %d bytes (want %d)", res.StatusCode, res.Header.Get("Content-Type"), len(body), len(docs.OpenAPI))
	}
}
