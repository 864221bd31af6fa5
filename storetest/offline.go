package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

func offline(content, status string, assignee int64, at time.Time) *sb.OfflineMessage {
	return &sb.OfflineMessage{Content: content, Status: status, AssigneeID: assignee, CreatedAt: at, UpdatedAt: at}
}

func addOffline(t *testing.T, st Store, m *sb.OfflineMessage) {
	t.Helper()
	if err := st.CreateOfflineMessage(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

func testOfflineMessages(t *testing.T, st Store) {
	ctx := context.Background()
	m := &sb.OfflineMessage{PluginID: 3, TemplateID: 2, VisitorID: "u:42", SessionID: 9, QueueID: 1, Name: "Dana Li",
		Email: "dana@example.com", Phone: "+12223334444", Fields: map[string]string{"order": "A-17", "topic": "Billing"},
		Content: "Please call me back about the refund.", Status: sb.OfflineUnprocessed, Note: "VIP",
		CreatedAt: t0, UpdatedAt: t0}
	addOffline(t, st, m)
	if m.ID <= 0 {
		t.Fatalf("no ID assigned: %d", m.ID)
	}
	got, err := st.OfflineMessage(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(m)
	if string(a) != string(b) {
		t.Errorf("read back %s, want %s", a, b)
	}
	if _, err := st.OfflineMessage(ctx, m.ID+1); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("missing message: %v", err)
	}
	second := offline("second", sb.OfflineUnprocessed, 0, t0.Add(time.Minute))
	addOffline(t, st, second)
	if second.ID <= m.ID {
		t.Errorf("IDs do not increase: %d then %d", m.ID, second.ID)
	}
	list, err := st.OfflineMessages(ctx, sb.OfflineFilter{})
	if err != nil || len(list) != 2 || list[0].ID != second.ID || list[1].Fields["order"] != "A-17" {
		t.Errorf("list: %+v %v", list, err)
	}
	if list[0].Fields != nil || list[0].ProcessedAt != nil {
		t.Errorf("empty fields or processed time read back as %v %v", list[0].Fields, list[0].ProcessedAt)
	}
}

func testOfflineFilters(t *testing.T, st Store) {
	ctx := context.Background()
	// IDs 1..6 in this order.
	msgs := []*sb.OfflineMessage{
		offline("where is my parcel", sb.OfflineUnprocessed, 0, t0),
		offline("refund 100% please", sb.OfflineProcessing, 7, t0.Add(time.Minute)),
		offline("invoice copy", sb.OfflineProcessed, 7, t0.Add(2*time.Minute)),
		offline("call me", sb.OfflineUnprocessed, 8, t0.Add(3*time.Minute)),
		offline("REFUND status?", sb.OfflineUnprocessed, 0, t0.Add(4*time.Minute)),
		offline("under_score", sb.OfflineProcessing, 8, t0.Add(5*time.Minute)),
	}
	msgs[3].Email, msgs[3].Name, msgs[0].Phone = "kim@example.com", "Kim Park", "+12223334444"
	for _, m := range msgs {
		addOffline(t, st, m)
	}
	ids := func(f sb.OfflineFilter) []int64 {
		t.Helper()
		list, err := st.OfflineMessages(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, m := range list {
			out = append(out, m.ID)
		}
		return out
	}
	zero, seven := int64(0), int64(7)
	for name, c := range map[string]struct {
		f    sb.OfflineFilter
		want []int64
	}{
		"all":                  {sb.OfflineFilter{}, []int64{6, 5, 4, 3, 2, 1}},
		"status":               {sb.OfflineFilter{Status: sb.OfflineUnprocessed}, []int64{5, 4, 1}},
		"unassigned":           {sb.OfflineFilter{Assignee: &zero}, []int64{5, 1}},
		"assignee":             {sb.OfflineFilter{Assignee: &seven}, []int64{3, 2}},
		"assignee and status":  {sb.OfflineFilter{Assignee: &seven, Status: sb.OfflineProcessed}, []int64{3}},
		"query ignores case":   {sb.OfflineFilter{Query: "refund"}, []int64{5, 2}},
		"query percent":        {sb.OfflineFilter{Query: "100%"}, []int64{2}},
		"query underscore":     {sb.OfflineFilter{Query: "s_a"}, []int64{}},
		"query literal _":      {sb.OfflineFilter{Query: "under_"}, []int64{6}},
		"query e-mail":         {sb.OfflineFilter{Query: "KIM@"}, []int64{4}},
		"query name":           {sb.OfflineFilter{Query: "park"}, []int64{4}},
		"query phone":          {sb.OfflineFilter{Query: "2223334"}, []int64{1}},
		"cursor":               {sb.OfflineFilter{BeforeID: 4}, []int64{3, 2, 1}},
		"cursor limit":         {sb.OfflineFilter{BeforeID: 6, Limit: 2}, []int64{5, 4}},
		"cursor status":        {sb.OfflineFilter{BeforeID: 5, Status: sb.OfflineUnprocessed}, []int64{4, 1}},
		"no match":             {sb.OfflineFilter{Status: sb.OfflineProcessed, Assignee: &zero}, []int64{}},
		"limit newest first":   {sb.OfflineFilter{Limit: 1}, []int64{6}},
		"query and unassigned": {sb.OfflineFilter{Query: "parcel", Assignee: &zero}, []int64{1}},
	} {
		if got := ids(c.f); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
	for agent, want := range map[int64]sb.OfflineCounts{
		7: {All: 6, Unprocessed: 3, Processing: 2, Processed: 1, Unassigned: 2, Mine: 2},
		8: {All: 6, Unprocessed: 3, Processing: 2, Processed: 1, Unassigned: 2, Mine: 2},
		9: {All: 6, Unprocessed: 3, Processing: 2, Processed: 1, Unassigned: 2, Mine: 0},
		0: {All: 6, Unprocessed: 3, Processing: 2, Processed: 1, Unassigned: 2, Mine: 0},
	} {
		got, err := st.CountOfflineMessages(ctx, agent)
		if err != nil || got != want {
			t.Errorf("counts for agent %d: %+v %v, want %+v", agent, got, err, want)
		}
	}
}

func testOfflineUpdate(t *testing.T, st Store) {
	ctx := context.Background()
	m := offline("hello", sb.OfflineUnprocessed, 0, t0)
	m.Fields = map[string]string{"topic": "Sales"}
	addOffline(t, st, m)
	later := t0.Add(time.Hour)
	got, err := st.UpdateOfflineMessage(ctx, m.ID, func(u *sb.OfflineMessage) error {
		u.Status, u.AssigneeID, u.Note, u.UpdatedAt, u.ProcessedAt = sb.OfflineProcessed, 7, "called back", later, &later
		u.ID, u.CreatedAt = 99, later // neither may change
		u.Fields["topic"] = "Support"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	read, err := st.OfflineMessage(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, read) {
		t.Errorf("returned %+v, stored %+v", got, read)
	}
	if read.ID != m.ID || !read.CreatedAt.Equal(t0) || read.Status != sb.OfflineProcessed || read.AssigneeID != 7 ||
		read.Note != "called back" || !read.UpdatedAt.Equal(later) || read.ProcessedAt == nil || !read.ProcessedAt.Equal(later) ||
		read.Fields["topic"] != "Support" {
		t.Errorf("after the update: %+v", read)
	}

	// A refusal stores nothing and leaves the message as it was.
	refusal := sb.Errorf(sb.ECONFLICT, "no")
	_, err = st.UpdateOfflineMessage(ctx, m.ID, func(u *sb.OfflineMessage) error {
		u.Status, u.Note, u.ProcessedAt = sb.OfflineUnprocessed, "changed", nil
		u.Fields["topic"] = "Other"
		return refusal
	})
	if !errors.Is(err, refusal) {
		t.Errorf("refusal returned %v", err)
	}
	again, _ := st.OfflineMessage(ctx, m.ID)
	if !reflect.DeepEqual(again, read) {
		t.Errorf("a refused change was stored: %+v", again)
	}
	if _, err := st.UpdateOfflineMessage(ctx, m.ID+5, func(*sb.OfflineMessage) error { return nil }); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("update of a missing message: %v", err)
	}
	// The store accepts the next write after a refusal (the transaction ended).
	if _, err := st.UpdateOfflineMessage(ctx, m.ID, func(u *sb.OfflineMessage) error { u.ProcessedAt = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	if again, _ := st.OfflineMessage(ctx, m.ID); again.ProcessedAt != nil {
		t.Errorf("processed_at not cleared: %v", again.ProcessedAt)
	}
}
