package gen

import (
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// assignRetry is how long a session waits for another look when every
// member of its queue is at capacity (routing would assign it the moment
// one is released; the generator looks again a little later).
const assignRetry = 15 * time.Second

// assign gives the waiting session to the member routing picks. When
// nobody is free it waits on, and the queue timeout ends it if nobody
// becomes free in time.
func (v *visit) assign(g *generator) error {
	cmd, ok := g.w.assign(v.queue, v.waitFrom, v.now)
	if !ok {
		deadline := v.waitFrom.Add(queueTimeout)
		if v.now.Add(assignRetry).Before(deadline) {
			v.plan = append([]action{{after: assignRetry, do: (*visit).assign}}, v.plan...)
			return nil
		}
		g.count(OutcomeNoAgentFree)
		v.plan = []action{{at: deadline, do: (*visit).queueTimedOut}}
		return nil
	}
	if err := g.exec(v, cmd, sb.SystemActor); err != nil {
		return err
	}
	if len(v.s.Handles) == 1 {
		g.count(OutcomePickedUp)
	}
	v.agent = g.w.agents[cmd.AgentID]
	return nil
}

// requeue: the assigned agent could not take the session, which waits
// in its queue again.
func (v *visit) requeue(g *generator) error {
	if err := g.exec(v, &lifecycle.Requeue{QueueID: v.queue, Reason: "agent_unavailable"}, v.agent.actor); err != nil {
		return err
	}
	g.count(OutcomeRequeue)
	v.agent, v.waitFrom = nil, v.now
	return nil
}

// transferToColleague hands the session to another agent of its group.
func (v *visit) transferToColleague(g *generator) error {
	return v.transferTo(g, g.w.colleague(v.queue, v.agent.ref.ID), OutcomeTransferAgent)
}

// offerToColleague offers the session to another agent of its group, who
// accepts it or, now and then, declines: then it stays with the sender.
func (v *visit) offerToColleague(g *generator) error {
	b := g.w.colleague(v.queue, v.agent.ref.ID)
	if err := g.exec(v, &lifecycle.Transfer{Kind: sb.TransferToAgent, AgentID: b.ref.ID, Confirm: true}, v.agent.actor); err != nil {
		return err
	}
	answer := func(v *visit, g *generator) error {
		if err := g.exec(v, &lifecycle.TransferComplete{}, b.actor); err != nil {
			return err
		}
		g.count(OutcomeTransferAgent)
		v.agent = b
		return nil
	}
	if g.rng.Float64() < 0.3 {
		answer = func(v *visit, g *generator) error {
			g.count(OutcomeTransferDeclined)
			return g.exec(v, &lifecycle.TransferFail{Reason: lifecycle.TransferDeclined}, b.actor)
		}
	}
	v.plan = append([]action{{after: g.between(3*time.Second, 20*time.Second), do: answer}}, v.plan...)
	return nil
}

// transferTo hands the session to agent b, which completes at once.
func (v *visit) transferTo(g *generator, b *agent, outcome string) error {
	if err := g.exec(v, &lifecycle.Transfer{Kind: sb.TransferToAgent, AgentID: b.ref.ID}, v.agent.actor); err != nil {
		return err
	}
	g.count(outcome)
	v.agent = b
	return nil
}

// transferToGroup sends the session to another group's queue, of the
// same medium, where it waits for that group's agents.
func (v *visit) transferToGroup(g *generator) error {
	lo, n := int64(1), int64(16) // chat groups
	if !v.chat {
		lo, n = 17, 4
	}
	q := lo + (v.queue-lo+1+g.rng.Int64N(n-1))%n
	if err := g.exec(v, &lifecycle.Transfer{Kind: sb.TransferToQueue, QueueID: q}, v.agent.actor); err != nil {
		return err
	}
	g.count(OutcomeTransferGroup)
	v.agent, v.queue, v.waitFrom = nil, q, v.now
	return nil
}

// giveUp: the visitor leaves the queue; now and then they come back.
func (v *visit) giveUp(g *generator) error {
	if err := v.end(g, lifecycle.ByEndUser); err != nil {
		return err
	}
	g.count(OutcomeGaveUp)
	return v.maybeComeBack(g)
}

// queueTimedOut does what the queue timeout timer does: the closing text
// and the end as a system drop.
func (v *visit) queueTimedOut(g *generator) error {
	if err := g.exec(v, &lifecycle.QueueTimeout{Text: queueTimeoutText, Reason: "queue_timeout"}, sb.SystemActor); err != nil {
		return err
	}
	g.count(OutcomeTimeout)
	return v.maybeComeBack(g)
}

// maybeComeBack starts the same visitor's next session a little later,
// in place of an arrival still to come.
func (v *visit) maybeComeBack(g *generator) error {
	if g.rng.Float64() >= 0.35 || g.left <= g.owed {
		return nil
	}
	g.owed++
	return g.arrive(v.now.Add(g.between(30*time.Second, 15*time.Minute)), v)
}

// end ends the session by the agent or the visitor.
func (v *visit) end(g *generator, by string) error {
	actor := v.visitor
	if by == lifecycle.ByAgent {
		actor = v.agent.actor
	}
	return g.exec(v, &lifecycle.End{DisconnectedBy: by}, actor)
}

// invite: the agent invites the visitor to rate the chat.
func (v *visit) invite(g *generator) error {
	if err := g.exec(v, &lifecycle.InviteRating{By: sb.FromAgent, AgentID: v.agent.ref.ID}, v.agent.actor); err != nil {
		return err
	}
	g.count(OutcomeInvited)
	return nil
}

var visitorLines = []string{
	"Hi, I have a question about my order.", "Hello?", "My payment did not go through.",
	"How do I change my plan?", "The app crashes when I open settings.", "Can I get a refund?",
	"Thanks, that helps.", "I already tried that.", "It still does not work.", "OK, one moment.",
	"Where can I find the invoice?", "Great, thank you!", "Is there a discount for annual billing?",
}

var agentLines = []string{
	"Hi, thanks for reaching out! Let me look into that.", "Could you share your order number?",
	"I see the issue, one moment please.", "I have updated your account.", "Please try again now.",
	"You can find it under Settings > Billing.", "Is there anything else I can help with?",
	"I have sent you an e-mail with the details.", "Sorry for the wait, I am checking with the team.",
}

func (v *visit) visitorSays(g *generator) error {
	return g.exec(v, &lifecycle.Message{From: sb.FromEndUser, Text: visitorLines[g.rng.IntN(len(visitorLines))]}, v.visitor)
}

func (v *visit) agentSays(g *generator) error {
	return g.exec(v, &lifecycle.Message{From: sb.FromAgent, AgentID: v.agent.ref.ID,
		Text: agentLines[g.rng.IntN(len(agentLines))]}, v.agent.actor)
}
