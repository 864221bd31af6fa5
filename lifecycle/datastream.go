package lifecycle

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"sort"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/validate"
)

// payload is the typed data of a data-stream event.
type payload interface {
	validate() error
}

// effect is implemented by payloads that change the session projection.
type effect interface {
	apply(s *sb.Session, e sb.Event)
}

// Foreign is data received from outside (custom data, API responses, SIP
// headers). It is kept verbatim, even when it is not valid JSON: Raw holds
// the text as given and Malformed flags that it could not be parsed.
type Foreign struct {
	// Values is a JSON value given as such; kept byte for byte.
	Values json.RawMessage `json:"values,omitempty"`
	// Raw is a text given as received, typically a JSON document.
	Raw       string `json:"raw,omitempty"`
	Malformed bool   `json:"malformed,omitempty"`
}

func (f *Foreign) validate() error {
	if len(f.Values) == 0 && f.Raw == "" {
		return sb.Errorf(sb.EINVALID, "data needs values or raw")
	}
	if len(f.Raw) > 64<<10 {
		return sb.Errorf(sb.EINVALID, "raw is longer than 65536 bytes")
	}
	f.Malformed = f.Raw != "" && !json.Valid([]byte(f.Raw))
	return nil
}

func (f *Foreign) apply(s *sb.Session, _ sb.Event) {
	if f.Malformed {
		s.MalformedEvents++
	}
}

// By is the data of events that only say who did something.
type By struct {
	By string `json:"by,omitempty"`
}

func (b *By) validate() error { return validate.Text("by", b.By, 200, false) }

// Link is the data of upload events: a storage or CRM link.
type Link struct {
	Name   string `json:"name,omitempty"`
	URL    string `json:"url,omitempty"`
	CRMURL string `json:"crm_url,omitempty"`
	// Unavailable marks an item withheld for privacy.
	Unavailable bool `json:"unavailable,omitempty"`
}

func (l *Link) validate() error {
	if l.URL == "" && l.CRMURL == "" && !l.Unavailable {
		return sb.Errorf(sb.EINVALID, "url or crm_url is required")
	}
	for _, err := range []error{
		validate.Text("name", l.Name, 200, false),
		validate.URL("url", l.URL, "http", "https", "gs", "s3"),
		validate.URL("crm_url", l.CRMURL),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// Text is the data of free-text events.
type Text struct {
	Text  string `json:"text"`
	Agent string `json:"agent,omitempty"`
}

func (t *Text) validate() error {
	if err := validate.Text("text", t.Text, 20000, true); err != nil {
		return err
	}
	return validate.Text("agent", t.Agent, 200, false)
}

// PhoneNumbers is the data of phone_number.
type PhoneNumbers struct {
	Inbound  string `json:"inbound,omitempty"`
	Callback string `json:"callback,omitempty"`
}

func (p *PhoneNumbers) validate() error {
	var err error
	if p.Inbound, err = validate.NormalizePhone("inbound", p.Inbound); err != nil {
		return err
	}
	if p.Callback, err = validate.NormalizePhone("callback", p.Callback); err != nil {
		return err
	}
	if p.Inbound == "" && p.Callback == "" {
		return sb.Errorf(sb.EINVALID, "inbound or callback is required")
	}
	return nil
}

var amountRe = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,4})?$`)
var currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)

// Payment is the data of payment (SPEC §1.4: product, amount 10.00 USD,
// status, transaction ID, agent).
type Payment struct {
	Product       string `json:"product"`
	Amount        string `json:"amount"`
	Currency      string `json:"currency"`
	Status        string `json:"status"`
	TransactionID string `json:"transaction_id,omitempty"`
	Agent         string `json:"agent,omitempty"`
}

func (p *Payment) validate() error {
	if !amountRe.MatchString(p.Amount) {
		return sb.Errorf(sb.EINVALID, "amount must be a decimal such as 10.00")
	}
	if !currencyRe.MatchString(p.Currency) {
		return sb.Errorf(sb.EINVALID, "currency must be an ISO 4217 code such as USD")
	}
	for _, err := range []error{
		validate.Text("product", p.Product, 200, true),
		validateCode("status", p.Status, true),
		validate.Text("transaction_id", p.TransactionID, 200, false),
		validate.Text("agent", p.Agent, 200, false),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// SurveyAnswer is one answered question of a survey.
type SurveyAnswer struct {
	Question string `json:"question"`
	Type     string `json:"type"` // stars, score, text
	Value    int    `json:"value,omitempty"`
	Text     string `json:"text,omitempty"`
}

// Survey is the data of survey_response.
type Survey struct {
	Answers []SurveyAnswer `json:"answers"`
	CRMURL  string         `json:"crm_url,omitempty"`
}

func (v *Survey) validate() error {
	if len(v.Answers) == 0 || len(v.Answers) > 100 {
		return sb.Errorf(sb.EINVALID, "answers must hold 1 to 100 items")
	}
	for _, a := range v.Answers {
		if err := validate.Text("answers.question", a.Question, 500, true); err != nil {
			return err
		}
		if err := validate.OneOf("answers.type", a.Type, true, "stars", "score", "text"); err != nil {
			return err
		}
		if err := validate.Range("answers.value", int64(a.Value), 0, 10); err != nil {
			return err
		}
		if err := validate.Text("answers.text", a.Text, 5000, false); err != nil {
			return err
		}
	}
	return validate.URL("crm_url", v.CRMURL)
}

// Photos is the data of photos_uploaded.
type Photos struct {
	Kind string   `json:"kind"` // photo, screenshot
	URLs []string `json:"urls"`
}

func (p *Photos) validate() error {
	if err := validate.OneOf("kind", p.Kind, true, "photo", "screenshot"); err != nil {
		return err
	}
	if len(p.URLs) == 0 || len(p.URLs) > 50 {
		return sb.Errorf(sb.EINVALID, "urls must hold 1 to 50 links")
	}
	for _, u := range p.URLs {
		if err := validate.URL("urls", u, "http", "https", "gs", "s3"); err != nil {
			return err
		}
	}
	return nil
}

func (p *Photos) apply(s *sb.Session, _ sb.Event) {
	for _, u := range p.URLs {
		s.Media = append(s.Media, sb.MediaItem{ID: int64(len(s.Media) + 1), Kind: p.Kind, URL: u})
	}
}

type video struct{ Link }

func (v *video) apply(s *sb.Session, _ sb.Event) {
	s.Media = append(s.Media, sb.MediaItem{ID: int64(len(s.Media) + 1), Kind: "video", URL: v.URL})
}

type recording struct{ Link }

func (r *recording) apply(s *sb.Session, _ sb.Event) {
	if r.URL != "" {
		s.RecordingURL = r.URL
	} else if r.CRMURL != "" {
		s.RecordingURL = r.CRMURL
	}
}

type verified struct{ By }

func (*verified) apply(s *sb.Session, _ sb.Event) { s.Verified = true }

// Summary is the data of agent_assist_summary.
type Summary struct {
	Summary string `json:"summary"`
	Agent   string `json:"agent,omitempty"`
}

func (v *Summary) validate() error {
	if err := validate.Text("summary", v.Summary, 20000, true); err != nil {
		return err
	}
	return validate.Text("agent", v.Agent, 200, false)
}

// ContentCard is the data of content_card_selected.
type ContentCard struct {
	Card   string `json:"card"`
	Button string `json:"button"`
}

func (c *ContentCard) validate() error {
	if err := validate.Text("card", c.Card, 200, true); err != nil {
		return err
	}
	return validate.Text("button", c.Button, 200, true)
}

// SIPRedirect is the data of sip_transfer_redirected.
type SIPRedirect struct {
	Destination string          `json:"destination"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

func (r *SIPRedirect) validate() error {
	return validate.URL("destination", r.Destination, "sip", "sips", "tel")
}

// TranscriptLine is one "[time, speaker] text" line.
type TranscriptLine struct {
	At      string `json:"at"`
	Speaker string `json:"speaker"`
	Text    string `json:"text"`
}

// Transcript is the data of va_transcript and realtime_transcript.
type Transcript struct {
	Lines       []TranscriptLine `json:"lines,omitempty"`
	Unavailable bool             `json:"unavailable,omitempty"`
}

func (t *Transcript) validate() error {
	if len(t.Lines) == 0 && !t.Unavailable {
		return sb.Errorf(sb.EINVALID, "lines is required unless unavailable is set")
	}
	if len(t.Lines) > 5000 {
		return sb.Errorf(sb.EINVALID, "lines holds more than 5000 items")
	}
	for _, l := range t.Lines {
		if err := validate.Text("lines.speaker", l.Speaker, 200, true); err != nil {
			return err
		}
		if err := validate.Text("lines.text", l.Text, 5000, false); err != nil {
			return err
		}
		if err := validate.Text("lines.at", l.At, 40, false); err != nil {
			return err
		}
	}
	return nil
}

// Links is the data of va_links.
type Links struct {
	URLs []string `json:"urls"`
}

func (l *Links) validate() error {
	if len(l.URLs) == 0 || len(l.URLs) > 50 {
		return sb.Errorf(sb.EINVALID, "urls must hold 1 to 50 links")
	}
	for _, u := range l.URLs {
		if err := validate.URL("urls", u); err != nil {
			return err
		}
	}
	return nil
}

// VAVariables is the data of va_variables.
type VAVariables struct {
	ChatID       string          `json:"chat_id,omitempty"`
	Menu         string          `json:"menu,omitempty"`
	Platform     string          `json:"platform,omitempty"`
	Workflow     string          `json:"workflow,omitempty"`
	VirtualAgent string          `json:"virtual_agent,omitempty"`
	Intent       string          `json:"intent,omitempty"`
	Variables    json.RawMessage `json:"variables,omitempty"`
}

func (v *VAVariables) validate() error {
	for f, s := range map[string]string{"chat_id": v.ChatID, "menu": v.Menu, "platform": v.Platform,
		"workflow": v.Workflow, "virtual_agent": v.VirtualAgent, "intent": v.Intent} {
		if err := validate.Text(f, s, 500, false); err != nil {
			return err
		}
	}
	return nil
}

// Sentiment is the data of sentiment_score (average for the segment, 0–100).
type Sentiment struct {
	Score int `json:"score"`
}

func (v *Sentiment) validate() error { return validate.Range("score", int64(v.Score), 0, 100) }

// Email is the data of email_collected.
type Email struct {
	Email string `json:"email"`
}

func (v *Email) validate() error {
	if v.Email == "" {
		return sb.Errorf(sb.EINVALID, "email is required")
	}
	return validate.Email("email", v.Email)
}

// Translation is the data of translation_used.
type Translation struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func (t *Translation) validate() error {
	if err := validate.Lang("from", t.From); err != nil {
		return err
	}
	return validate.Lang("to", t.To)
}

// Emergency is the data of emergency_services_added.
type Emergency struct {
	Number string `json:"number,omitempty"`
	By     string `json:"by,omitempty"`
}

func (v *Emergency) validate() error { return validate.Text("number", v.Number, 20, false) }

// TextInput is the data of text_input (a smart-action text input).
type TextInput struct {
	Label string `json:"label,omitempty"`
	Text  string `json:"text"`
}

func (t *TextInput) validate() error {
	if err := validate.Text("label", t.Label, 200, false); err != nil {
		return err
	}
	return validate.Text("text", t.Text, 5000, true)
}

func (t *TextInput) apply(s *sb.Session, e sb.Event) {
	s.TextInputs = append(s.TextInputs, sb.TextInput{Label: t.Label, Text: t.Text, At: e.Time})
}

// SMSSent is the data of sms (an in-call or wait-time SMS).
type SMSSent struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

func (m *SMSSent) validate() error {
	if err := validate.OneOf("kind", m.Kind, true, "in_call", "wait_time"); err != nil {
		return err
	}
	return validate.Text("text", m.Text, 1600, true)
}

func (m *SMSSent) apply(s *sb.Session, e sb.Event) {
	s.SMS = append(s.SMS, sb.SMS{Kind: m.Kind, Text: m.Text, At: e.Time})
}

// Ticket is the data of out_ticket (the CRM record of the session).
type Ticket struct {
	ID  string `json:"id"`
	URL string `json:"url,omitempty"`
}

func (t *Ticket) validate() error {
	if err := validate.Text("id", t.ID, 200, true); err != nil {
		return err
	}
	return validate.URL("url", t.URL)
}

func (t *Ticket) apply(s *sb.Session, _ sb.Event) { s.OutTicketID, s.OutTicketURL = t.ID, t.URL }

// Permission is the data of recording_permission.
type Permission struct {
	Permission string `json:"permission"`
}

func (p *Permission) validate() error {
	return validate.OneOf("permission", p.Permission, true, "granted", "denied", "not_asked")
}

func (p *Permission) apply(s *sb.Session, _ sb.Event) { s.RecordingPermission = p.Permission }

// streamKinds maps each data-stream event type to a constructor of its payload.
var streamKinds = map[sb.EventType]func() payload{
	"custom_data":                    func() payload { return new(Foreign) },
	"phone_number":                   func() payload { return new(PhoneNumbers) },
	"text_attachment_uploaded":       func() payload { return new(Link) },
	"dap_api_response":               func() payload { return new(Foreign) },
	"dap_query_parameters":           func() payload { return new(Foreign) },
	"verified":                       func() payload { return new(verified) },
	"payment":                        func() payload { return new(Payment) },
	"chat_transcript_uploaded":       func() payload { return new(Link) },
	"photos_uploaded":                func() payload { return new(Photos) },
	"video_uploaded":                 func() payload { return new(video) },
	"customer_note":                  func() payload { return new(Text) },
	"survey_response":                func() payload { return new(Survey) },
	"cobrowse_data_uploaded":         func() payload { return new(Link) },
	"cobrowse_started":               func() payload { return new(By) },
	"cobrowse_ended":                 func() payload { return new(By) },
	"remote_control_requested":       func() payload { return new(By) },
	"remote_control_accepted":        func() payload { return new(By) },
	"remote_control_declined":        func() payload { return new(By) },
	"device_control_requested":       func() payload { return new(By) },
	"device_control_accepted":        func() payload { return new(By) },
	"device_control_declined":        func() payload { return new(By) },
	"agent_assist_summary":           func() payload { return new(Summary) },
	"emergency_services_added":       func() payload { return new(Emergency) },
	"content_card_selected":          func() payload { return new(ContentCard) },
	"sip_transfer_redirected":        func() payload { return new(SIPRedirect) },
	"va_recording":                   func() payload { return new(Link) },
	"va_transcript":                  func() payload { return new(Transcript) },
	"va_links":                       func() payload { return new(Links) },
	"va_variables":                   func() payload { return new(VAVariables) },
	"sentiment_score":                func() payload { return new(Sentiment) },
	"email_collected":                func() payload { return new(Email) },
	"realtime_transcript":            func() payload { return new(Transcript) },
	"translation_used":               func() payload { return new(Translation) },
	"va_data_parameters":             func() payload { return new(Foreign) },
	"sms_deflection_offered":         func() payload { return new(By) },
	"sms_deflection_accepted":        func() payload { return new(By) },
	"insights_chat_history_uploaded": func() payload { return new(Link) },
	"insights_recording_uploaded":    func() payload { return new(Link) },
	"call_recording":                 func() payload { return new(recording) },
	"sip_headers":                    func() payload { return new(Foreign) },
	"text_input":                     func() payload { return new(TextInput) },
	"sms":                            func() payload { return new(SMSSent) },
	"out_ticket":                     func() payload { return new(Ticket) },
	"recording_permission":           func() payload { return new(Permission) },
}

// StreamTypes returns the data-stream event types, sorted.
func StreamTypes() []sb.EventType {
	out := make([]sb.EventType, 0, len(streamKinds))
	for t := range streamKinds {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// RecordEvent appends a data-stream event with a validated typed payload.
type RecordEvent struct {
	Type sb.EventType    `json:"type"`
	Data json.RawMessage `json:"data"`

	payload payload
}

// Name implements Command.
func (*RecordEvent) Name() string { return "record-event" }

// Validate implements Command: it decodes Data strictly into the payload
// type of the event type and checks it.
func (c *RecordEvent) Validate() error {
	mk, ok := streamKinds[c.Type]
	if !ok {
		return sb.Errorf(sb.EINVALID, "type %q is not a data-stream event type", c.Type)
	}
	if len(c.Data) == 0 {
		c.Data = json.RawMessage("{}")
	}
	p := mk()
	dec := json.NewDecoder(bytes.NewReader(c.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p); err != nil {
		return sb.Errorf(sb.EINVALID, "data of %s: %s", c.Type, decodeMessage(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return sb.Errorf(sb.EINVALID, "data of %s: unexpected data after the object", c.Type)
	}
	if err := p.validate(); err != nil {
		return err
	}
	c.payload = p
	return nil
}

func (c *RecordEvent) decide(*sb.Session, *Env) ([]draft, error) {
	return []draft{{c.Type, c.payload}}, nil
}

// decodeMessage turns a JSON decoding error into a caller-safe sentence.
func decodeMessage(err error) string {
	var ute *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case asErr(err, &ute):
		return "field " + ute.Field + " has the wrong type (want " + ute.Type.String() + ")"
	case asErr(err, &se):
		return "malformed JSON"
	}
	return err.Error()
}
