package service

import (
	"context"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// Commands runs session commands for callers. Sessions implements it on
// the node that owns the writer; a node that does not forwards them.
type Commands interface {
	// Create starts a session.
	Create(ctx context.Context, c Caller, cmd *lifecycle.Create, opt RunOptions) (engine.Result, error)
	// Run runs cmd on session id.
	Run(ctx context.Context, c Caller, id int64, cmd lifecycle.Command, opt RunOptions) (engine.Result, error)
}

// RunOptions are what a request says of how to run its command.
type RunOptions struct {
	// IfMatch, if set, is the version the session must be at (If-Match).
	IfMatch *int64
	// IdempotencyKey, if set, runs the command once for this caller and
	// key: the same request sent again gets the first answer (Replayed),
	// another request with the key is refused (see idempotency.go).
	IdempotencyKey string
	// FreshKey says that IdempotencyKey was made for this request and
	// never sent before (a cluster node's first try of a command the
	// client sent without a key): the engine need not look it up.
	FreshKey bool
}

// Engine commits session commands; *engine.Engine is one.
type Engine interface {
	CreateWith(ctx context.Context, cmd *lifecycle.Create, actor sb.Actor, idem *engine.Idempotency) (engine.Result, error)
	Execute(ctx context.Context, id int64, cmd lifecycle.Command, actor sb.Actor, cond *engine.Cond) (engine.Result, error)
	Clock() sb.Clock
	Store() sb.EventStore
}

// Router applies the routing rules; *directory.Directory is one.
type Router interface {
	Route(in directory.RouteInput, now time.Time) (queueID, agentID int64, rule sb.RoutingRule, err error)
}

// Directory is the configuration session commands consult;
// *directory.Directory is one.
type Directory interface {
	Router
	HasMembers(queueID int64) bool
	GetQueue(id int64) (sb.Queue, error)
	GetAgent(id int64) (sb.Agent, error)
	GetWebPlugin(id int64) (sb.WebPlugin, error)
	SessionTagRefs(ids []int64) ([]sb.TagRef, error)
	ChatSettings() sb.ChatSettings
	CSATSettings() sb.CSATSettings
	RoutingSettings() sb.RoutingSettings
}

// Sessions decides and runs the session commands of every transport.
type Sessions struct {
	engine Engine
	dir    Directory
	// settings reads the routing settings; it may be newer than dir's
	// when saves go through the engine.
	settings interface{ RoutingSettings() sb.RoutingSettings }
	attach   Attachments
}

// Attachments finds the attachment records messages refer to.
type Attachments interface {
	Attachment(ctx context.Context, id int64) (sb.Attachment, error)
}

// Options are the optional parts of Sessions.
type Options struct {
	// Settings reads the routing settings; nil reads them from the
	// directory.
	Settings interface{ RoutingSettings() sb.RoutingSettings }
	// Attachments resolves the attachments image and file messages name;
	// nil refuses such messages as unavailable.
	Attachments Attachments
}

var _ Commands = (*Sessions)(nil)

// NewSessions returns the session commands of eng, deciding with dir.
func NewSessions(eng Engine, dir Directory, opt Options) *Sessions {
	s := &Sessions{engine: eng, dir: dir, settings: opt.Settings, attach: opt.Attachments}
	if s.settings == nil {
		s.settings = dir
	}
	return s
}

// Create starts a session for c: a visitor's becomes a web chat of its
// plugin for itself; an agent may only create the sessions it dials; a
// session to be routed with no queue named goes where the routing rules
// send it.
func (s *Sessions) Create(ctx context.Context, c Caller, cmd *lifecycle.Create, opt RunOptions) (engine.Result, error) {
	idem, err := idempotency(c, opt, 0, cmd)
	if err != nil {
		return engine.Result{}, err
	}
	if err := s.visitorCreate(ctx, c, cmd); err != nil {
		return engine.Result{}, err
	}
	if c.Role == sb.RoleAgent && cmd.AgentID != c.AgentID {
		return engine.Result{}, sb.Errorf(sb.EFORBIDDEN, "an agent may only create sessions it dials itself (agent_id %d)", c.AgentID)
	}
	if cmd.Route && cmd.QueueID == 0 {
		info, ok := cmd.Type.Info()
		if !ok {
			return engine.Result{}, sb.Errorf(sb.EINVALID, "type %q is not a session type", cmd.Type)
		}
		q, agent, rule, err := s.dir.Route(directory.RouteInput{Channel: info.Channel, Tags: cmd.EndUser.Tags, Entry: cmd.Entry}, s.engine.Clock().Now())
		if err != nil {
			return engine.Result{}, err
		}
		cmd.QueueID, cmd.Routed = q, lifecycle.Routed{RuleID: rule.ID, AgentID: agent}
	}
	return s.engine.CreateWith(ctx, cmd, c.Actor(), idem)
}

// Run runs cmd, decoded from the request, on session id for c, with every
// rule that does not depend on the transport: the visitor's side of a
// chat, the attachment a message names, routing of a requeue, transfer
// policy, the sender of a message, what chat commands take from the
// settings, and — checked against the session as the writer holds it — the
// sessions an agent or a visitor may act on.
func (s *Sessions) Run(ctx context.Context, c Caller, id int64, cmd lifecycle.Command, opt RunOptions) (engine.Result, error) {
	if id <= 0 {
		return engine.Result{}, sb.Errorf(sb.EINVALID, "id must be a positive integer, not %d", id)
	}
	idem, err := idempotency(c, opt, id, cmd)
	if err != nil {
		return engine.Result{}, err
	}
	if err := visitorCommand(c, cmd); err != nil {
		return engine.Result{}, err
	}
	if err := s.attachToMessage(ctx, id, cmd); err != nil {
		return engine.Result{}, err
	}
	if e, ok := cmd.(*lifecycle.Enqueue); ok && e.Route && e.QueueID == 0 {
		sess, err := s.engine.Store().Session(ctx, id)
		if err != nil {
			return engine.Result{}, err
		}
		q, agent, rule, err := s.dir.Route(directory.RouteInput{Channel: sess.Channel, Tags: sess.EndUser.Tags, Entry: sess.Entry}, s.engine.Clock().Now())
		if err != nil {
			return engine.Result{}, err
		}
		e.QueueID, e.Routed = q, lifecycle.Routed{RuleID: rule.ID, AgentID: agent}
	}
	if t, ok := cmd.(*lifecycle.Transfer); ok && t.Kind == sb.TransferToQueue && t.QueueID != 0 && !s.dir.HasMembers(t.QueueID) {
		if _, err := s.dir.GetQueue(t.QueueID); err == nil {
			return engine.Result{}, sb.Errorf(sb.ECONFLICT, "queue %d has no members and cannot receive transfers", t.QueueID)
		}
	}
	if t, ok := cmd.(*lifecycle.Transfer); ok && t.Kind == sb.TransferToAgent && s.settings.RoutingSettings().TransferConfirmation {
		t.Confirm = true // the setting: every transfer to an agent waits for the receiver
	}
	if err := setSender(c, cmd); err != nil {
		return engine.Result{}, err
	}
	s.prepareChat(c, cmd)
	if t, ok := cmd.(*lifecycle.Tag); ok {
		if t.AddRefs, err = s.dir.SessionTagRefs(t.Add); err != nil {
			return engine.Result{}, err
		}
	}
	cond := &engine.Cond{IfMatch: opt.IfMatch, Idempotency: idem}
	switch c.Role {
	case sb.RoleAgent:
		cond.Check = func(sess *sb.Session) error { return AgentMay(c.AgentID, sess, cmd) }
	case sb.RoleVisitor:
		cond.Check = func(sess *sb.Session) error { return VisitorOwns(c, sess) }
	}
	return s.engine.Execute(ctx, id, cmd, c.Actor(), cond)
}

// attachToMessage resolves the attachment an image or file message names:
// it must belong to the session the message is for. The message then
// records a snapshot of it.
func (s *Sessions) attachToMessage(ctx context.Context, sessionID int64, cmd lifecycle.Command) error {
	m, ok := cmd.(*lifecycle.Message)
	if !ok || m.AttachmentID == 0 {
		return nil
	}
	if s.attach == nil {
		return sb.Errorf(sb.EUNAVAILABLE, "attachments are not configured on this server")
	}
	att, err := s.attach.Attachment(ctx, m.AttachmentID)
	if sb.ErrorCode(err) == sb.ENOTFOUND || err == nil && att.SessionID != sessionID {
		return sb.Errorf(sb.ENOTFOUND, "attachment %d is not an attachment of session %d", m.AttachmentID, sessionID)
	}
	if err != nil {
		return err
	}
	ref := att.Ref()
	m.Attachment = &ref
	return nil
}

// visitorCreate turns a visitor's session request into a web chat of its
// plugin for itself, routed by the routing rules (with the plugin's entry),
// else to the plugin's own group. The visitor may give its language,
// device and, where its token has none, name, e-mail and phone; anything
// else is refused, and so is a second chat while one is open.
func (s *Sessions) visitorCreate(ctx context.Context, c Caller, cmd *lifecycle.Create) error {
	if c.Role != sb.RoleVisitor {
		return nil
	}
	plugin, err := s.dir.GetWebPlugin(c.PluginID)
	if err != nil {
		return sb.Errorf(sb.EFORBIDDEN, "the visitor's web plugin no longer exists")
	}
	u := cmd.EndUser
	if cmd.Type != "" && cmd.Type != sb.TypeChatWeb || cmd.QueueID != 0 || cmd.AgentID != 0 || cmd.ScheduledAt != nil ||
		cmd.SupportNumber != "" || cmd.OutboundNumber != "" || cmd.Entry != "" || cmd.CampaignMode != "" ||
		cmd.RecordingPermission != "" || cmd.OutTicketID != "" || cmd.OutTicketURL != "" ||
		u.ID != 0 || u.Identifier != "" || u.OutContactID != "" || len(u.Tags) > 0 || u.Region != "" || u.Network != "" {
		return sb.Errorf(sb.EFORBIDDEN, "a visitor may only start a web chat for itself (type, lang, device and end_user name, email and phone)")
	}
	live, err := s.engine.Store().Sessions(ctx, sb.SessionFilter{EndUser: c.VisitorID, Limit: 20})
	if err != nil {
		return err
	}
	for _, sess := range live {
		if !sess.Status.Terminal() {
			e := sb.Errorf(sb.ECONFLICT, "the visitor's chat %d is still open", sess.ID)
			e.Detail = map[string]any{"session_id": sess.ID}
			return e
		}
	}
	v := c.Contact
	eu := sb.EndUser{Identifier: c.VisitorID, Name: first(v.Name, u.Name), Email: first(v.Email, u.Email), Phone: first(v.Phone, u.Phone)}
	*cmd = lifecycle.Create{Type: sb.TypeChatWeb, Lang: cmd.Lang, Device: cmd.Device, EndUser: eu, Entry: plugin.Entry}
	q, agent, rule, err := PluginRoute(s.dir, plugin, s.engine.Clock().Now())
	if err != nil {
		return sb.Errorf(sb.ECONFLICT, "chats of this web plugin go to no skill group: name one in the plugin or add a routing rule")
	}
	cmd.QueueID = q
	if rule.ID != 0 { // else the plugin's own group, no rule
		cmd.Route, cmd.Routed = true, lifecycle.Routed{RuleID: rule.ID, AgentID: agent}
	}
	return nil
}

// PluginRoute is where a web plugin's chats go now: the group of the
// first routing rule that matches a web chat with the plugin's entry,
// else the plugin's own group.
func PluginRoute(d Router, p sb.WebPlugin, now time.Time) (queueID, agentID int64, rule sb.RoutingRule, err error) {
	return d.Route(directory.RouteInput{Channel: sb.ChannelWeb, Entry: p.Entry, QueueID: p.QueueID}, now)
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
