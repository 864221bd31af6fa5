package gen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/directory"
)

// The shape of the generated contact center.
const (
	numGroups  = 20
	numAgents  = 200
	numPlugins = 5
	// queueTimeout is the routing setting queue_timeout_seconds the
	// generated directory uses: a wait this long is ended as a system drop.
	queueTimeout = 300 * time.Second
	// queueTimeoutText is sent to a chat before the queue timeout ends it.
	queueTimeoutText = "Sorry, all our agents are busy right now. Please try again later."
)

// channelMix is the share of sessions per session type. Web chats come
// through the web plugins and are routed by their entry; the others are
// created by integrations that name their queue.
var channelMix = []struct {
	typ    sb.SessionType
	weight float64
	groups []int64 // queues the integration sends to; web: by entry
}{
	{sb.TypeChatWeb, 0.40, nil},
	{sb.TypeChatMobile, 0.20, []int64{6, 7, 8, 9}},
	{sb.TypeChatWhatsApp, 0.15, []int64{10, 11, 12, 13}},
	{sb.TypeChatMiniProgram, 0.10, []int64{14, 15, 16}},
	{sb.TypeVoiceInbound, 0.15, []int64{17, 18, 19, 20}},
}

var groupNames = [numGroups]string{
	"Sales", "Billing", "Technical Support", "Accounts", "Onboarding",
	"App Support", "App Payments", "App Orders", "App Feedback",
	"WhatsApp Sales", "WhatsApp Support", "WhatsApp Returns", "WhatsApp VIP",
	"Mini Program Orders", "Mini Program Support", "Mini Program Returns",
	"Phone Sales", "Phone Support", "Phone Billing", "Phone Escalations",
}

var pluginNames = [numPlugins]struct{ name, entry string }{
	{"Home page", "home"}, {"Pricing page", "pricing"}, {"Help center", "help-center"},
	{"Checkout", "checkout"}, {"Developer docs", "docs"},
}

var firstNames = []string{"Ada", "Ben", "Chen", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jia", "Kofi", "Lea",
	"Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera", "Wen", "Ximena", "Yusuf", "Zoe"}

var lastNames = []string{"Alvarez", "Brown", "Cohen", "Dubois", "Evans", "Fischer", "Garcia", "Huang", "Ito", "Jensen",
	"Kim", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Rossi", "Silva", "Tanaka", "Weber"}

// agent is an agent as the generator's router sees it.
type agent struct {
	ref      sb.AgentRef
	actor    sb.Actor
	capacity int
	load     int
	freedAt  time.Time
}

// world is the generated directory and the routing state over it.
type world struct {
	dir     *directory.Directory
	agents  map[int64]*agent
	members map[int64][]*agent // queue → members, by agent ID
	// entries maps a web plugin's entry to its routing target.
	entries []string
}

// setup writes the directory of the generated contact center: the groups,
// the agents and their memberships, the web plugins with their entries
// and one routing rule per entry, and the settings the sessions are
// generated under.
func setup(ctx context.Context, dir *directory.Directory, rng *rand.Rand) (*world, error) {
	w := &world{dir: dir, agents: map[int64]*agent{}, members: map[int64][]*agent{}}
	for i, name := range groupNames {
		q := sb.Queue{Name: name, Priority: 1 + i%3}
		if i >= 16 {
			q.SupportNumber = fmt.Sprintf("+1555010%04d", i)
		}
		saved, err := dir.SaveQueue(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("save queue %s: %w", name, err)
		}
		if saved.ID != int64(i+1) {
			return nil, fmt.Errorf("queue %s got ID %d: the directory is not empty", name, saved.ID)
		}
	}
	for i := range numAgents {
		first, last := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames)+i)%len(lastNames)]
		groups := []int64{int64(i%numGroups + 1)}
		if rng.Float64() < 0.3 {
			if g := int64(rng.IntN(numGroups) + 1); g != groups[0] {
				groups = append(groups, g)
			}
		}
		a, err := dir.SaveAgent(ctx, sb.Agent{
			Name: first + " " + last, FirstName: first, LastName: last, Nickname: first,
			Email:  fmt.Sprintf("agent%03d@example.com", i+1),
			Groups: groups, MaxConcurrent: 3 + rng.IntN(4),
		})
		if err != nil {
			return nil, fmt.Errorf("save agent: %w", err)
		}
		ref, err := dir.Agent(a.ID)
		if err != nil {
			return nil, err
		}
		ag := &agent{ref: ref, capacity: a.MaxConcurrent,
			actor: sb.Actor{Kind: sb.ActorAgent, ID: fmt.Sprint(a.ID), Name: a.Name}}
		w.agents[a.ID] = ag
		for _, g := range a.Groups {
			w.members[g] = append(w.members[g], ag)
		}
	}
	for i, p := range pluginNames {
		if _, err := dir.SaveWebPlugin(ctx, sb.WebPlugin{Name: p.name, Entry: p.entry,
			AfterHours: sb.AfterHoursOpenChat}); err != nil {
			return nil, fmt.Errorf("save web plugin: %w", err)
		}
		if _, err := dir.SaveRoutingRule(ctx, sb.RoutingRule{Name: p.name, Enabled: true, Position: i + 1,
			Match: sb.MatchEntry, Value: p.entry, Target: sb.RouteTarget{QueueID: int64(i + 1)}}); err != nil {
			return nil, fmt.Errorf("save routing rule: %w", err)
		}
		w.entries = append(w.entries, p.entry)
	}
	rs := sb.DefaultRoutingSettings()
	rs.QueueTimeoutSeconds = int(queueTimeout / time.Second)
	rs.QueueTimeoutText = queueTimeoutText
	if _, err := dir.SaveRoutingSettings(ctx, rs); err != nil {
		return nil, fmt.Errorf("save routing settings: %w", err)
	}
	// Agents invite ratings themselves; the automatic invitation at the end
	// is off so that the invitation share is the agents' own.
	cs := sb.DefaultCSATSettings()
	cs.AutoInvite = false
	if _, err := dir.SaveCSATSettings(ctx, cs); err != nil {
		return nil, fmt.Errorf("save CSAT settings: %w", err)
	}
	return w, nil
}
