package gen

import (
	"encoding/base64"
	"fmt"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
	"github.com/switchboardhq/switchboard/lifecycle"
	"github.com/switchboardhq/switchboard/webauth"
)

// Outcome names counted in Stats.Outcomes. A session may count under
// several (a transfer that was rated).
const (
	OutcomePickedUp         = "picked_up"
	OutcomeTransferAgent    = "transfer_to_agent"
	OutcomeTransferGroup    = "transfer_to_group"
	OutcomeTransferBack     = "transfer_back"          // A → B → A
	OutcomeTransferDeclined = "transfer_declined"      // the receiving agent declined an offer
	OutcomeTransferAbandon  = "transfer_group_gave_up" // gave up in the target queue
	OutcomeGaveUp           = "gave_up"                // gave up in the queue
	OutcomeQueuedAgain      = "queued_again"           // came back after giving up or a timeout
	OutcomeTimeout          = "queue_timeout"          // the system ended the wait
	OutcomeRequeue          = "requeue"                // the agent did not accept; queued again
	OutcomeInvited          = "invited"                // an agent invited a rating
	OutcomeRated            = "rated"                  // a counted rating
	OutcomeRatedTwice       = "rated_twice"            // a second rating, not counted
	OutcomeRatedLate        = "rated_late"             // rated on a later day than the end
	OutcomeNoAgentFree      = "timeout_no_agent_free"  // waited for a free agent until the timeout
)

// action is one thing a visit's actors do, after a delay from the previous
// action or at a fixed time.
type action struct {
	after time.Duration
	at    time.Time
	do    func(v *visit, g *generator) error
}

// visit is one session in the making: its projection, what its actors will
// do next, and who they are.
type visit struct {
	s    *sb.Session
	now  time.Time
	plan []action

	typ     sb.SessionType
	chat    bool
	queue   int64 // where it waits or was picked up
	entry   string
	endUser sb.EndUser
	// visitor acts for the end user: the visitor itself on the web, the
	// integration that relays it on the other channels.
	visitor sb.Actor
	// connector reports a call's connection: the telephony integration.
	// (The agent's desk connects a chat.)
	connector sb.Actor
	waitFrom  time.Time
	agent     *agent // the current handler
	returned  bool   // a visitor who came back

	// Commit state (see batcher).
	pending      *sb.Change
	pendingAgent int64
	indexed      []int64
	inBatch      bool
}

func (v *visit) then(after time.Duration, do func(*visit, *generator) error) {
	v.plan = append(v.plan, action{after: after, do: do})
}

// run does v's next action at at and schedules the one after it.
func (v *visit) run(g *generator, at time.Time) error {
	v.now = at
	a := v.plan[0]
	v.plan = v.plan[1:]
	if err := a.do(v, g); err != nil {
		return err
	}
	if len(v.plan) > 0 {
		next := v.now.Add(v.plan[0].after)
		if !v.plan[0].at.IsZero() {
			next = v.plan[0].at
		}
		g.schedule(v, next)
	}
	return nil
}

var integrations = map[sb.SessionType]sb.Actor{
	sb.TypeChatMobile:      {Kind: sb.ActorIntegration, ID: "1", Name: "Mobile app"},
	sb.TypeChatWhatsApp:    {Kind: sb.ActorIntegration, ID: "2", Name: "WhatsApp connector"},
	sb.TypeChatMiniProgram: {Kind: sb.ActorIntegration, ID: "3", Name: "Mini program"},
	sb.TypeVoiceInbound:    {Kind: sb.ActorIntegration, ID: "4", Name: "Telephony"},
}

// arrive starts a new visit at at: a first-time visitor (prev nil) or one
// who comes back after prev ended without being served.
func (g *generator) arrive(at time.Time, prev *visit) error {
	v := &visit{now: at}
	r := g.rng
	if prev != nil {
		v.typ, v.chat, v.queue, v.entry, v.endUser = prev.typ, prev.chat, prev.queue, prev.entry, prev.endUser
		v.visitor, v.returned = prev.visitor, true
	} else {
		c := channelMix[len(channelMix)-1]
		u := r.Float64()
		for _, m := range channelMix {
			if u < m.weight {
				c = m
				break
			}
			u -= m.weight
		}
		v.typ = c.typ
		if c.groups != nil {
			v.queue = c.groups[r.IntN(len(c.groups))]
		}
		v.newEndUser(g)
	}
	info, _ := v.typ.Info()
	v.chat = info.Medium == sb.MediumChat
	if !v.chat {
		v.connector = integrations[v.typ]
	}
	v.then(0, (*visit).create)
	v.planOutcome(g)
	g.schedule(v, at)
	return nil
}

// newEndUser makes up the visitor of a first visit.
func (v *visit) newEndUser(g *generator) {
	r := g.rng
	n := g.created + 1
	name := ""
	if r.Float64() < 0.35 {
		name = firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))]
	}
	phone := fmt.Sprintf("+1555%07d", r.IntN(10_000_000))
	switch v.typ {
	case sb.TypeChatWeb:
		var b [12]byte
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		id := webauth.AnonymousPrefix + base64.RawURLEncoding.EncodeToString(b[:])
		v.entry = g.w.entries[r.IntN(len(g.w.entries))]
		v.endUser = sb.EndUser{Identifier: id, Name: name}
		v.visitor = sb.Actor{Kind: sb.ActorEndUser, ID: id, Name: name}
		return
	case sb.TypeChatMobile:
		v.endUser = sb.EndUser{Identifier: fmt.Sprintf("app-user-%d", n), Name: name}
	case sb.TypeChatWhatsApp:
		v.endUser = sb.EndUser{Identifier: "wa:" + phone, Name: name, Phone: phone}
	case sb.TypeChatMiniProgram:
		v.endUser = sb.EndUser{Identifier: fmt.Sprintf("mp-%d", n), Name: name}
	default:
		v.endUser = sb.EndUser{Phone: phone, Name: name}
	}
	v.visitor = integrations[v.typ]
}

// create opens the session: a web visitor's chat is routed by its plugin's
// entry; integrations name the queue.
func (v *visit) create(g *generator) error {
	if g.created >= g.opt.Sessions {
		return fmt.Errorf("internal error: more than %d sessions", g.opt.Sessions)
	}
	cmd := &lifecycle.Create{Type: v.typ, EndUser: v.endUser, QueueID: v.queue}
	if v.typ == sb.TypeChatWeb {
		q, agentID, rule, err := g.w.dir.Route(directoryRoute(v), v.now)
		if err != nil {
			return fmt.Errorf("route entry %s: %w", v.entry, err)
		}
		v.queue = q
		cmd.Entry, cmd.QueueID, cmd.Route = v.entry, q, true
		cmd.Routed = lifecycle.Routed{RuleID: rule.ID, AgentID: agentID}
	}
	if err := g.exec(v, cmd, v.visitor); err != nil {
		return err
	}
	g.created++
	g.stats.Sessions++
	v.waitFrom = v.now
	if v.returned {
		g.count(OutcomeQueuedAgain)
	}
	return nil
}

func directoryRoute(v *visit) directory.RouteInput {
	return directory.RouteInput{Channel: sb.ChannelWeb, Entry: v.entry}
}

func (g *generator) count(outcome string) { g.stats.Outcomes[outcome]++ }

// between returns a random duration in [lo, hi), to the millisecond.
func (g *generator) between(lo, hi time.Duration) time.Duration {
	ms := int64(lo / time.Millisecond)
	return time.Duration(ms+g.rng.Int64N(int64((hi-lo)/time.Millisecond))) * time.Millisecond
}

// pickupWait draws how long a session waits before it is picked up.
func (g *generator) pickupWait() time.Duration {
	switch u := g.rng.Float64(); {
	case u < 0.45:
		return g.between(time.Second, 20*time.Second)
	case u < 0.75:
		return g.between(20*time.Second, 60*time.Second)
	case u < 0.92:
		return g.between(60*time.Second, 150*time.Second)
	default:
		return g.between(150*time.Second, 280*time.Second)
	}
}

// giveUpWait draws how long a visitor waits before giving up.
func (g *generator) giveUpWait() time.Duration {
	if g.rng.Float64() < 0.6 {
		return g.between(5*time.Second, 60*time.Second)
	}
	return g.between(60*time.Second, 290*time.Second)
}
