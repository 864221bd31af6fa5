package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
)

// RunUsers runs the user store suite. open must return a new, empty store.
func RunUsers(t *testing.T, open func(t *testing.T) sb.UserStore) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, sb.UserStore)
	}{
		{"UserCRUD", testUserCRUD},
		{"EmailsUniqueRegardlessOfCase", testEmailsUnique},
		{"Logins", testLogins},
		{"LastAdministratorStays", testLastAdmin},
		{"ServerKeyIsGeneratedOnce", testServerKey},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

func user(email string) *sb.User {
	return &sb.User{Email: email, Name: "Dana", Role: sb.RoleAgent, AgentID: 3, PasswordHash: "$argon2id$x",
		CreatedAt: t0, UpdatedAt: t0}
}

func testUserCRUD(t *testing.T, st sb.UserStore) {
	ctx := context.Background()
	u := user("dana@example.com")
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 {
		t.Fatal("no ID assigned")
	}
	got, err := st.User(ctx, u.ID)
	if err != nil || *got != *u {
		t.Fatalf("User = %+v, %v; want %+v", got, err, u)
	}
	u.Name, u.Role, u.AgentID, u.Disabled, u.UpdatedAt = "Dana S", sb.RoleSupervisor, 0, true, t0.Add(time.Hour)
	if err := st.UpdateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.UserByEmail(ctx, "DANA@example.com"); got == nil || *got != *u {
		t.Errorf("UserByEmail after update = %+v, want %+v", got, u)
	}
	other := user("lee@example.com")
	if err := st.CreateUser(ctx, other); err != nil {
		t.Fatal(err)
	}
	if list, err := st.Users(ctx); err != nil || len(list) != 2 || list[0].ID != u.ID || list[1].ID != other.ID {
		t.Errorf("Users = %+v, %v", list, err)
	}
	if err := st.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		func() error { _, err := st.User(ctx, u.ID); return err }(),
		func() error { _, err := st.UserByEmail(ctx, "nobody@example.com"); return err }(),
		st.DeleteUser(ctx, u.ID),
		st.UpdateUser(ctx, u),
	} {
		if sb.ErrorCode(err) != sb.ENOTFOUND {
			t.Errorf("after delete: %v, want not_found", err)
		}
	}
}

func testEmailsUnique(t *testing.T, st sb.UserStore) {
	ctx := context.Background()
	a, b := user("ann@example.com"), user("bob@example.com")
	if err := st.CreateUser(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, user("ANN@Example.com")); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("create with a used e-mail: %v, want conflict", err)
	}
	b.Email = "Ann@example.com"
	if err := st.UpdateUser(ctx, b); sb.ErrorCode(err) != sb.ECONFLICT {
		t.Errorf("update to a used e-mail: %v, want conflict", err)
	}
	if got, _ := st.User(ctx, b.ID); got.Email != "bob@example.com" {
		t.Errorf("a refused update changed the e-mail to %s", got.Email)
	}
}

// testLastAdmin: the last enabled administrator can be neither demoted,
// disabled nor deleted; any other can.
func testLastAdmin(t *testing.T, st sb.UserStore) {
	ctx := context.Background()
	ann, bob := user("ann@example.com"), user("bob@example.com")
	for _, u := range []*sb.User{ann, bob} {
		u.Role, u.AgentID = sb.RoleAdmin, 0
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	off := *bob
	off.Disabled = true
	if err := st.UpdateUser(ctx, &off); err != nil {
		t.Fatalf("disabling one of two administrators: %v", err)
	}
	demoted := *ann
	demoted.Role = sb.RoleSupervisor
	disabled := *ann
	disabled.Disabled = true
	for what, err := range map[string]error{
		"demoted":  st.UpdateUser(ctx, &demoted),
		"disabled": st.UpdateUser(ctx, &disabled),
		"deleted":  st.DeleteUser(ctx, ann.ID),
	} {
		if sb.ErrorCode(err) != sb.ECONFLICT {
			t.Errorf("the last enabled administrator %s: %v, want conflict", what, err)
		}
	}
	if got, _ := st.User(ctx, ann.ID); got == nil || *got != *ann {
		t.Errorf("a refused change changed the administrator: %+v", got)
	}
	renamed := *ann
	renamed.Name = "Ann S"
	if err := st.UpdateUser(ctx, &renamed); err != nil {
		t.Errorf("renaming the last administrator: %v", err)
	}
	// A disabled administrator goes without a fuss, and another enabled
	// one lets the first go.
	if err := st.DeleteUser(ctx, bob.ID); err != nil {
		t.Errorf("deleting a disabled administrator: %v", err)
	}
	cy := user("cy@example.com")
	cy.Role, cy.AgentID = sb.RoleAdmin, 0
	if err := st.CreateUser(ctx, cy); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateUser(ctx, &demoted); err != nil {
		t.Errorf("demoting one of two administrators: %v", err)
	}
}

func testLogins(t *testing.T, st sb.UserStore) {
	ctx := context.Background()
	u := user("kim@example.com")
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	mk := func(hash string, expires time.Time) *sb.Login {
		l := &sb.Login{UserID: u.ID, Hash: []byte(hash), CSRFToken: "csrf-" + hash, CreatedAt: t0, ExpiresAt: expires}
		if err := st.CreateLogin(ctx, l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	l1 := mk("h1", t0.Add(12*time.Hour))
	l2 := mk("h2", t0.Add(12*time.Hour))
	mk("h3", t0.Add(time.Hour))
	got, err := st.LoginByHash(ctx, []byte("h1"))
	if err != nil || got.ID != l1.ID || got.UserID != u.ID || got.CSRFToken != "csrf-h1" || !bytes.Equal(got.Hash, l1.Hash) ||
		!got.ExpiresAt.Equal(l1.ExpiresAt) || !got.Active(t0) || got.Active(t0.Add(12*time.Hour)) {
		t.Fatalf("LoginByHash = %+v, %v", got, err)
	}
	if err := st.CreateLogin(ctx, &sb.Login{UserID: u.ID + 100, Hash: []byte("hx"), ExpiresAt: t0}); err == nil {
		t.Error("a login of an unknown user was stored")
	}
	if err := st.RevokeLogin(ctx, l1.ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeLogin(ctx, l1.ID, t0.Add(time.Minute)); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("second revoke: %v, want not_found", err)
	}
	if got, _ := st.LoginByHash(ctx, []byte("h1")); got.RevokedAt == nil || got.Active(t0.Add(2*time.Minute)) {
		t.Errorf("revoked login %+v is active", got)
	}
	if err := st.RevokeUserLogins(ctx, u.ID, l2.ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.LoginByHash(ctx, []byte("h2")); got.RevokedAt != nil {
		t.Error("the kept login was revoked")
	}
	if got, _ := st.LoginByHash(ctx, []byte("h3")); got.RevokedAt == nil {
		t.Error("another login of the user was not revoked")
	}
	// h1 and h3 were revoked at t0+1m; h3 also expires at t0+1h.
	if n, err := st.DeleteExpiredLogins(ctx, t0.Add(2*time.Minute)); err != nil || n != 2 {
		t.Errorf("DeleteExpiredLogins = %d, %v; want 2", n, err)
	}
	if _, err := st.LoginByHash(ctx, []byte("h2")); err != nil {
		t.Errorf("the active login was deleted: %v", err)
	}
	if err := st.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.LoginByHash(ctx, []byte("h2")); sb.ErrorCode(err) != sb.ENOTFOUND {
		t.Errorf("a deleted user's login remains: %v", err)
	}
}

func testServerKey(t *testing.T, st sb.UserStore) {
	ctx := context.Background()
	k1, err := st.ServerKey(ctx, "visitor", []byte("first-key"))
	if err != nil || string(k1) != "first-key" {
		t.Fatalf("first ServerKey = %q, %v", k1, err)
	}
	k2, err := st.ServerKey(ctx, "visitor", []byte("second-key"))
	if err != nil || string(k2) != "first-key" {
		t.Errorf("second ServerKey = %q, %v; want the first key kept", k2, err)
	}
	if k3, _ := st.ServerKey(ctx, "other", []byte("third")); string(k3) != "third" {
		t.Errorf("another name shares the key: %q", k3)
	}
}
