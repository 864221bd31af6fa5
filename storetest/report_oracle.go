package storetest

import (
	"slices"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// oracle answers reports the slow, obvious way: by adding up every fact
// held in memory. The randomized tests hold a store to it.
type oracle struct {
	facts     map[int64]sb.SessionFacts
	threshold time.Duration // configured in the store
}

func (o *oracle) put(f sb.SessionFacts) { o.facts[f.SessionID] = f }

func counted(q sb.ReportQuery, at time.Time) bool { return !at.Before(q.From) && at.Before(q.To) }

func match[T comparable](list []T, v T) bool { return len(list) == 0 || slices.Contains(list, v) }

func (o *oracle) sessions() []sb.SessionFacts {
	out := make([]sb.SessionFacts, 0, len(o.facts))
	for _, f := range o.facts {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b sb.SessionFacts) int { return int(a.SessionID - b.SessionID) })
	return out
}

func addAgentFact(w *sb.Workload, a sb.AgentFact) {
	w.Sessions++
	w.PickUps += a.PickUps
	w.AccessedFirst += a.AccessedFirst
	w.TransfersIn += a.TransfersIn
	w.TransfersOut += a.TransfersOut
	w.Ended += a.Ended
	w.DurationMS += a.DurationMS
	w.Valid += a.Valid
	w.Invalid += a.Invalid
	w.FirstResponses += a.FirstResponses
	w.FirstResponseMS += a.FirstResponseMS
	w.ResponseAvgs += a.ResponseAvgs
	w.ResponseAvgMS += a.ResponseAvgMS
	w.Invited += a.Invited
	w.InviteSuccess += a.InviteSuccess
	w.HoldMS += a.HoldMS
	w.HandleMS += a.HandleMS
}

func sortedRows(m map[int64]*sb.WorkloadRow) []sb.WorkloadRow {
	out := []sb.WorkloadRow{}
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b sb.WorkloadRow) int { return int(a.ID - b.ID) })
	return out
}

func workloadRow(m map[int64]*sb.WorkloadRow, id int64) *sb.WorkloadRow {
	if m[id] == nil {
		m[id] = &sb.WorkloadRow{ID: id}
	}
	return m[id]
}

func (o *oracle) agentWorkload(q sb.ReportQuery) []sb.WorkloadRow {
	m := map[int64]*sb.WorkloadRow{}
	for _, f := range o.sessions() {
		for _, a := range f.Agents {
			if counted(q, a.At) && match(q.Channels, a.Channel) && match(q.Entries, a.Entry) &&
				match(q.AgentIDs, a.AgentID) && match(q.GroupIDs, a.GroupID) {
				addAgentFact(&workloadRow(m, a.AgentID).Workload, a)
			}
		}
		for _, r := range f.Ratings {
			if r.AgentID != 0 && counted(q, r.At) && match(q.Channels, r.Channel) && match(q.Entries, r.Entry) &&
				match(q.AgentIDs, r.AgentID) && match(q.GroupIDs, r.GroupID) {
				w := workloadRow(m, r.AgentID)
				w.Ratings++
				w.RatingSum += r.Rating
			}
		}
	}
	return sortedRows(m)
}

func (o *oracle) groupWorkload(q sb.ReportQuery) []sb.WorkloadRow {
	m := map[int64]*sb.WorkloadRow{}
	for _, f := range o.sessions() {
		for _, g := range f.Groups {
			if counted(q, g.At) && match(q.Channels, g.Channel) && match(q.Entries, g.Entry) && match(q.GroupIDs, g.GroupID) {
				addAgentFact(&workloadRow(m, g.GroupID).Workload, sb.AgentFact{PickUps: g.PickUps,
					AccessedFirst: g.AccessedFirst, TransfersIn: g.TransfersIn, TransfersOut: g.TransfersOut, Ended: g.Ended,
					DurationMS: g.DurationMS, Valid: g.Valid, Invalid: g.Invalid, FirstResponses: g.FirstResponses,
					FirstResponseMS: g.FirstResponseMS, ResponseAvgs: g.ResponseAvgs, ResponseAvgMS: g.ResponseAvgMS,
					Invited: g.Invited, InviteSuccess: g.InviteSuccess, HoldMS: g.HoldMS, HandleMS: g.HandleMS})
			}
		}
		for _, r := range f.Ratings {
			if r.AgentID == 0 && r.GroupID != 0 && counted(q, r.At) && match(q.Channels, r.Channel) &&
				match(q.Entries, r.Entry) && match(q.GroupIDs, r.GroupID) {
				w := workloadRow(m, r.GroupID)
				w.Ratings++
				w.RatingSum += r.Rating
			}
		}
	}
	return sortedRows(m)
}

func (o *oracle) thresholdOf(q sb.ReportQuery) time.Duration {
	if q.QueueThreshold != 0 {
		return q.QueueThreshold
	}
	return o.threshold
}

func addWait(s *sb.QueueSums, w sb.WaitFact, x time.Duration) {
	s.Waits++
	s.WaitMS += w.WaitMS
	if time.Duration(w.WaitMS)*time.Millisecond > x && w.Outcome != sb.WaitOutcomeWaiting {
		s.Counted++
		s.CountedMS += w.WaitMS
		switch w.Outcome {
		case sb.WaitOutcomePickedUp:
			s.Successes++
			s.SuccessMS += w.WaitMS
		case sb.WaitOutcomeAbandoned, sb.WaitOutcomeDropped:
			s.Abandons++
			s.AbandonMS += w.WaitMS
			if w.Outcome == sb.WaitOutcomeAbandoned {
				s.VisitorAbandons++
				s.VisitorAbandonMS += w.WaitMS
			}
		}
	}
	if !w.Transfer {
		switch w.Outcome {
		case sb.WaitOutcomePickedUp:
			s.Inbound++
			s.InboundPickedUp++
		case sb.WaitOutcomeAbandoned:
			s.Inbound++
			s.InboundAbandoned++
		case sb.WaitOutcomeDropped:
			s.Inbound++
			s.InboundDropped++
		}
	}
}

func (o *oracle) queueReport(q sb.ReportQuery) []sb.QueueRow {
	m := map[int64]*sb.QueueRow{}
	for _, f := range o.sessions() {
		for _, w := range f.Waits {
			if counted(q, w.At) && match(q.Channels, w.Channel) && match(q.Entries, w.Entry) && match(q.GroupIDs, w.GroupID) {
				if m[w.GroupID] == nil {
					m[w.GroupID] = &sb.QueueRow{GroupID: w.GroupID}
				}
				addWait(&m[w.GroupID].QueueSums, w, o.thresholdOf(q))
			}
		}
	}
	out := []sb.QueueRow{}
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b sb.QueueRow) int { return int(a.GroupID - b.GroupID) })
	return out
}

func (o *oracle) channelReport(q sb.ReportQuery) []sb.ChannelRow {
	m := map[sb.Channel]*sb.ChannelRow{}
	row := func(c sb.Channel) *sb.ChannelRow {
		if m[c] == nil {
			m[c] = &sb.ChannelRow{Channel: c}
		}
		return m[c]
	}
	for _, f := range o.sessions() {
		for _, w := range f.Waits {
			if counted(q, w.At) && match(q.Channels, w.Channel) && match(q.Entries, w.Entry) && match(q.GroupIDs, w.GroupID) {
				addWait(&row(w.Channel).QueueSums, w, o.thresholdOf(q))
			}
		}
		s := f.Session
		if counted(q, s.At) && match(q.Channels, s.Channel) && match(q.Entries, s.Entry) && match(q.GroupIDs, s.GroupID) {
			r := row(s.Channel)
			r.Ended += s.Ended
			r.DurationMS += s.DurationMS
			r.Invited += s.Invited
			r.InviteSuccess += s.InviteSuccess
		}
		for _, x := range f.Ratings {
			if x.AgentID == 0 && counted(q, x.At) && match(q.Channels, x.Channel) && match(q.Entries, x.Entry) &&
				match(q.GroupIDs, x.GroupID) {
				r := row(x.Channel)
				r.Ratings++
				r.RatingSum += x.Rating
			}
		}
	}
	out := []sb.ChannelRow{}
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b sb.ChannelRow) int { return strings.Compare(string(a.Channel), string(b.Channel)) })
	return out
}

func (o *oracle) queueSessions(q sb.ReportQuery) []sb.WaitFact {
	var out []sb.WaitFact
	for _, f := range o.sessions() {
		for _, w := range f.Waits {
			if counted(q, w.At) && match(q.Channels, w.Channel) && match(q.Entries, w.Entry) && match(q.GroupIDs, w.GroupID) &&
				time.Duration(w.WaitMS)*time.Millisecond > o.thresholdOf(q) && w.Outcome != sb.WaitOutcomeWaiting {
				out = append(out, w)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b sb.WaitFact) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return int(a.SessionID - b.SessionID)
	})
	return out
}

func (o *oracle) transfers(q sb.ReportQuery) []sb.TransferFact {
	var out []sb.TransferFact
	for _, f := range o.sessions() {
		for _, t := range f.Transfers {
			if counted(q, t.At) && match(q.Channels, t.Channel) && match(q.Entries, t.Entry) &&
				(q.Kind == "" || q.Kind == t.Kind) && match(q.FromAgentIDs, t.FromAgentID) &&
				(q.Success == nil || *q.Success == t.Success) && match(q.GroupIDs, t.ToGroupID) &&
				(len(q.AgentIDs) == 0 || slices.Contains(q.AgentIDs, t.FromAgentID) || slices.Contains(q.AgentIDs, t.ToAgentID)) {
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(a, b sb.TransferFact) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		if a.SessionID != b.SessionID {
			return int(a.SessionID - b.SessionID)
		}
		return int(a.TransferID - b.TransferID)
	})
	return out
}
