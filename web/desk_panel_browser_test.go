package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	sb "github.com/switchboardhq/switchboard"
)

// The details panel: the data stream shows events readably (malformed
// foreign data as received, flagged) and new ones live; a tag ticked in
// the tree and a phone number saved in the profile reach the session.
func TestDeskPanelStreamTagsAndProfile(t *testing.T) {
	ctx := newBrowser(t)
	s := startStack(t)
	f := s.agentFixture()
	var orders, late sb.SessionTag
	s.must(s.Admin, "POST", "/api/v1/session-tags", map[string]any{"name": "Orders"}, &orders)
	s.must(s.Admin, "POST", "/api/v1/session-tags", map[string]any{"name": "Late delivery", "parent_id": orders.ID}, &late)
	s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/agents/%d/status", f.Agent.ID), map[string]any{"status": "online"}, nil)
	var created struct {
		Session struct {
			ID int64 `json:"id"`
		} `json:"session"`
	}
	s.must(s.Admin, "POST", "/api/v1/sessions", map[string]any{"type": "chat_web", "queue_id": f.Queue.ID,
		"end_user": map[string]any{"name": "Grace Hopper"}}, &created)
	id := created.Session.ID
	record := func(typ string, data any) {
		t.Helper()
		s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/sessions/%d/events", id), map[string]any{"type": typ, "data": data}, nil)
	}
	record("custom_data", map[string]any{"raw": `{"order": "A-1042", "eta": Invalid DateTime}`})

	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	item := css(fmt.Sprintf(`.session-item[data-id="%d"]`, id))
	err := chromedp.Do(ctx,
		s.signIn(f),
		chromedp.WaitVisible(item),
		clickJS(string(item)),
		chromedp.WaitVisible(css(`#input`)),
		clickJS(`[data-tab="stream"]`),
		chromedp.WaitVisible(css(`.stream li[data-type="custom_data"] .warn`)),
		chromedp.Func(func(context.Context, *chromedp.Target) error {
			record("payment", map[string]any{"product": "Gift card", "amount": "10.00", "currency": "USD", "status": "paid"})
			return nil
		}),
		chromedp.WaitVisible(css(`.stream li[data-type="payment"]`)), // arrives live
	)
	if err != nil {
		t.Fatal(err)
	}
	payment, err := chromedp.Run(ctx, chromedp.Text(css(`.stream li[data-type="payment"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(payment, "10.00 USD") || !strings.Contains(payment, "Gift card") {
		t.Fatalf("the payment reads %q, want its amount and product", payment)
	}
	err = chromedp.Do(ctx,
		clickJS(`[data-tab="tags"]`),
		clickJS(fmt.Sprintf(`[data-tag="%d"]`, late.ID)), // the tag list redraws as it fills
		chromedp.WaitVisible(css(`#tab-tags .tag-chip`)),
		clickJS(`[data-tab="info"]`),
		// The panel redraws as the tag's event arrives; look the form up
		// at the moment of each step.
		whenFound(`document.querySelector('#profile-form [name="phone"]')`,
			`el.value = '+14155550100'; el.dispatchEvent(new Event('input', {bubbles: true}))`),
		clickJS(`#profile-form button[type="submit"]`),
		waitJS(`[...document.querySelectorAll('#tab-info dd')].some(d => d.textContent === '+14155550100')`),
	)
	if err != nil {
		t.Fatal(err)
	}
	var got sb.Session
	s.must(s.Admin, "GET", fmt.Sprintf("/api/v1/sessions/%d", id), nil, &got)
	if len(got.Tags) != 1 || got.Tags[0].ID != late.ID {
		t.Fatalf("session tags %+v, want only %q", got.Tags, late.Name)
	}
	if got.EndUser.Phone != "+14155550100" {
		t.Fatalf("end user phone %q, want the one saved in the profile", got.EndUser.Phone)
	}

	// What the agent typed and left unsaved outlives a change that
	// arrives meanwhile: a tag added elsewhere redraws the panel, not the
	// form the agent is filling in.
	err = chromedp.Do(ctx,
		whenFound(`document.querySelector('#profile-form [name="email"]')`,
			`el.value = 'grace@example.com'; el.dispatchEvent(new Event('input', {bubbles: true})); el.blur()`),
		chromedp.Func(func(context.Context, *chromedp.Target) error {
			s.must(s.Admin, "POST", fmt.Sprintf("/api/v1/sessions/%d/tag", id), map[string]any{"add": []int64{orders.ID}}, nil)
			return nil
		}),
		waitJS(`document.querySelectorAll('#tab-tags .tag-chip').length === 2`),
	)
	if err != nil {
		t.Fatal(err)
	}
	email, err := chromedp.Run(ctx, chromedp.Value(css(`#profile-form [name="email"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if email != "grace@example.com" {
		t.Errorf("the unsaved e-mail reads %q after the tag arrived, want what the agent typed", email)
	}
}
