package metadata

import (
	"strconv"
	"strings"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// TimeLayout is the layout of every timestamp in a record: milliseconds and
// the offset of the location ("Z" for a zero offset).
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// clock formats times in one location and measures intervals, closing open
// ones at the horizon: the session's end, or now while it is in progress.
type clock struct {
	loc     *time.Location
	horizon time.Time
}

func (c clock) ts(t time.Time) string { return t.In(c.loc).Format(TimeLayout) }

func (c clock) tsp(t *time.Time) *string {
	if t == nil {
		return nil
	}
	return ptr(c.ts(*t))
}

// until returns the end of an interval: end when it is closed, else the
// horizon.
func (c clock) until(end *time.Time) time.Time {
	if end != nil {
		return *end
	}
	return c.horizon
}

// spanMS returns the milliseconds from a to b, never negative.
func spanMS(a, b time.Time) int64 { return max(b.Sub(a).Milliseconds(), 0) }

// seconds turns milliseconds into whole seconds, rounding down. Sums are
// taken over milliseconds and floored once, at the end.
func seconds(ms int64) int64 { return max(ms, 0) / 1000 }

// secs returns the whole seconds from a to b (floored, never negative).
func secs(a, b time.Time) int64 { return seconds(spanMS(a, b)) }

func ptr[T any](v T) *T { return &v }

// str returns nil for "" (a JSON null) and a pointer to s otherwise.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// id returns nil for 0 (a JSON null) and a pointer to n otherwise.
func id(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

// menuPath describes a queue as a CCAI menu path. The materialized path is
// the queue's path of IDs from the root, or its own ID when it has none.
func menuPath(q sb.QueueRef) MenuPath {
	path := q.Path
	if path == "" {
		path = strconv.FormatInt(q.ID, 10)
	}
	return MenuPath{
		Name:             str(q.Name),
		MaterializedPath: &path,
		ItemsCount:       ptr(int64(len(strings.Split(path, "/")))),
		MenuType:         str(q.MenuType),
	}
}

func menuPathp(q *sb.QueueRef) *MenuPath {
	if q == nil {
		return nil
	}
	return ptr(menuPath(*q))
}

func humanAgent(a sb.AgentRef) AgentInfo {
	return AgentInfo{ID: a.ID, Name: str(a.Name), AvatarURL: str(a.AvatarURL),
		HumanAgentInfo: &HumanAgentInfo{Email: str(a.Email), FirstName: str(a.FirstName),
			LastName: str(a.LastName), AgentNumber: id(a.AgentNumber)}}
}

func humanAgentp(a *sb.AgentRef) *AgentInfo {
	if a == nil {
		return nil
	}
	return ptr(humanAgent(*a))
}

func virtualAgent(v sb.VirtualAgentRef) AgentInfo {
	return AgentInfo{ID: v.ID, Name: str(v.Name), AvatarURL: str(v.AvatarURL),
		VirtualAgentInfo: &VirtualAgentInfo{VAAlias: str(v.Alias)}}
}

func virtualAgentp(v *sb.VirtualAgentRef) *AgentInfo {
	if v == nil {
		return nil
	}
	return ptr(virtualAgent(*v))
}
