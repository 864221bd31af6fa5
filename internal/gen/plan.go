package gen

import (
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

const (
	second = time.Second
	minute = time.Minute
)

// planOutcome decides how the visit goes and plans its actions: it is
// picked up (with or without transfers), the visitor gives up in the
// queue, or the queue timeout ends the wait.
func (v *visit) planOutcome(g *generator) {
	giveUp, timeout := 0.10, 0.05
	if v.returned {
		giveUp, timeout = 0.22, 0.12
	}
	var firstMsg time.Duration // the visitor's first message while waiting
	if v.chat && g.rng.Float64() < 0.85 {
		firstMsg = g.between(2*second, 15*second)
	}
	waitThen := func(wait time.Duration, do func(*visit, *generator) error) {
		if firstMsg > 0 && firstMsg < wait {
			v.then(firstMsg, (*visit).visitorSays)
			wait -= firstMsg
		}
		v.then(wait, do)
	}
	switch u := g.rng.Float64(); {
	case u < giveUp:
		waitThen(g.giveUpWait(), (*visit).giveUp)
	case u < giveUp+timeout:
		waitThen(queueTimeout, (*visit).queueTimedOut)
	default:
		wait := g.pickupWait()
		if firstMsg >= wait {
			wait = firstMsg + second
		}
		waitThen(wait, (*visit).assign)
		v.planService(g)
	}
}

// planService plans a picked-up session from the acceptance to the end
// and the ratings after it.
func (v *visit) planService(g *generator) {
	r := g.rng
	if r.Float64() < 0.02 {
		// The assigned agent does not accept: the session is queued again.
		v.then(g.between(20*second, 40*second), (*visit).requeue)
		v.then(g.between(5*second, 60*second), (*visit).assign)
	}
	v.planAccept(g)
	silentVisitor, silentAgent := r.Float64() < 0.03, r.Float64() < 0.02
	v.planTalk(g, 1+r.IntN(4), silentVisitor, silentAgent)
	if u := r.Float64(); u < 0.176 {
		a := func(v *visit) *agent { return v.agent }
		switch u /= 0.176; {
		case u < 0.20:
			v.then(g.between(10*second, 60*second), (*visit).transferToColleague)
			v.planTalk(g, 1+r.IntN(3), silentVisitor, false)
		case u < 0.40:
			v.then(g.between(10*second, 60*second), (*visit).offerToColleague)
			v.planTalk(g, 1+r.IntN(3), silentVisitor, false)
		case u < 0.55:
			var first *agent
			v.then(g.between(10*second, 60*second), func(v *visit, g *generator) error {
				first = a(v)
				return v.transferToColleague(g)
			})
			v.planTalk(g, 1+r.IntN(2), silentVisitor, false)
			v.then(g.between(10*second, 60*second), func(v *visit, g *generator) error {
				return v.transferTo(g, first, OutcomeTransferBack)
			})
			v.planTalk(g, 1+r.IntN(2), silentVisitor, false)
		case u < 0.90:
			v.then(g.between(10*second, 60*second), (*visit).transferToGroup)
			v.then(g.pickupWait()/2+second, (*visit).assign)
			v.planAccept(g)
			v.planTalk(g, 1+r.IntN(3), silentVisitor, false)
		default:
			v.then(g.between(10*second, 60*second), (*visit).transferToGroup)
			v.then(g.giveUpWait(), func(v *visit, g *generator) error {
				g.count(OutcomeTransferAbandon)
				return v.end(g, lifecycle.ByEndUser)
			})
			return
		}
	}
	invited := false
	if v.chat && !silentAgent && r.Float64() < 0.55 {
		invited = true
		v.then(g.between(5*second, 30*second), (*visit).invite)
	}
	rate := v.chat && (invited && r.Float64() < 0.6 || !invited && r.Float64() < 0.03) || !v.chat && r.Float64() < 0.12
	during := rate && invited && r.Float64() < 0.35
	if during {
		v.planRatings(g, g.between(10*second, 60*second))
	}
	by := lifecycle.ByAgent
	if r.Float64() < 0.45 {
		by = lifecycle.ByEndUser
	}
	v.then(g.between(10*second, 2*minute), func(v *visit, g *generator) error { return v.end(g, by) })
	if rate && !during {
		after := g.between(5*second, 10*minute)
		if !v.chat {
			after = g.between(20*second, 2*minute) // the survey after the call
		} else if r.Float64() < 0.06 {
			after = g.between(24*time.Hour, 72*time.Hour)
		}
		v.planRatings(g, after)
	}
}

// planAccept plans the agent's acceptance of an assigned session: the
// desk connects a chat; the telephony integration reports a call's
// connection.
func (v *visit) planAccept(g *generator) {
	if v.chat {
		v.then(g.between(time.Second, 6*second), func(v *visit, g *generator) error {
			return g.exec(v, mustStatus("connect"), v.agent.actor)
		})
		return
	}
	v.then(g.between(time.Second, 3*second), func(v *visit, g *generator) error {
		return g.exec(v, mustStatus("connecting"), v.connector)
	})
	v.then(g.between(3*second, 15*second), func(v *visit, g *generator) error {
		return g.exec(v, mustStatus("connect"), v.connector)
	})
}

// planTalk plans a conversation with the current agent: the agent's
// answer, then exchanges of a visitor's message and the agent's reply. A
// call is talk time, with a hold now and then.
func (v *visit) planTalk(g *generator, exchanges int, silentVisitor, silentAgent bool) {
	r := g.rng
	if !v.chat {
		if r.Float64() < 0.15 {
			v.then(g.between(30*second, 3*minute), func(v *visit, g *generator) error {
				return g.exec(v, &lifecycle.Hold{}, v.agent.actor)
			})
			v.then(g.between(15*second, 2*minute), func(v *visit, g *generator) error {
				return g.exec(v, &lifecycle.Resume{}, v.agent.actor)
			})
		}
		v.then(g.between(minute, 6*minute), func(*visit, *generator) error { return nil })
		return
	}
	if !silentAgent {
		v.then(g.between(5*second, 60*second), (*visit).agentSays)
	}
	for range exchanges {
		if !silentVisitor {
			v.then(g.between(10*second, 90*second), (*visit).visitorSays)
		}
		if !silentAgent {
			v.then(g.between(8*second, 2*minute), (*visit).agentSays)
		}
	}
}

// planRatings plans the visitor's rating after the given delay, and now
// and then a second one, which is recorded but not counted.
func (v *visit) planRatings(g *generator, after time.Duration) {
	v.then(after, func(v *visit, g *generator) error { return v.rate(g) })
	if g.rng.Float64() < 0.1 {
		v.then(g.between(20*second, 3*minute), func(v *visit, g *generator) error { return v.rate(g) })
	}
}

func mustStatus(name string) lifecycle.Command {
	c, ok := lifecycle.NewStatusCommand(name)
	if !ok {
		panic("no status command " + name)
	}
	return c
}

// ratingComments are the comments visitors leave with a rating.
var ratingComments = []string{"", "", "", "Thanks!", "Quick and helpful.", "Took a while but solved.", "Not what I needed."}

// rate records the visitor's rating; the system thanks for the first one
// of a chat, as the dispatcher does with the CSAT receipt.
func (v *visit) rate(g *generator) error {
	r := g.rng
	score := []int{1, 2, 3, 4, 4, 5, 5, 5}[r.IntN(8)]
	csat := g.w.dir.CSATSettings()
	cmd := &lifecycle.Rate{Rating: score, Comment: ratingComments[r.IntN(len(ratingComments))],
		Window: time.Duration(csat.DeadlineSeconds) * time.Second, Attribution: csat.Attribution, Scores: csat.Scores}
	if tags := csat.Scores[score-1].Tags; len(tags) > 0 && r.Float64() < 0.5 {
		cmd.Tags = []string{tags[r.IntN(len(tags))]}
	}
	if r.Float64() < 0.7 {
		solved := score >= 3
		cmd.Solved = &solved
	}
	wasRated := v.s.Rating != nil
	if err := g.exec(v, cmd, v.visitor); err != nil {
		return err
	}
	switch {
	case wasRated:
		g.count(OutcomeRatedTwice)
	case v.s.EndedAt != nil && v.now.Truncate(24*time.Hour).After(*v.s.EndedAt):
		g.count(OutcomeRatedLate)
		g.count(OutcomeRated)
	default:
		g.count(OutcomeRated)
	}
	if v.chat && v.s.Ratings == 1 && csat.Receipt != "" {
		return g.exec(v, &lifecycle.Notice{Purpose: lifecycle.PurposeRatingReceipt, Text: csat.Receipt}, sb.SystemActor)
	}
	return nil
}
