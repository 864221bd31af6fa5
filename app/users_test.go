package app_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/webauth"
)

func openApp(t *testing.T) *app.App {
	t.Helper()
	dir := t.TempDir()
	a, err := app.Open(context.Background(), app.Options{DBPath: filepath.Join(dir, "sb.db"), ExportsDir: filepath.Join(dir, "exports"),
		Clock: clock.NewVirtual(t0), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestEnsureAdminUserGeneratesAPasswordOnce(t *testing.T) {
	ctx := context.Background()
	a := openApp(t)
	pw, err := a.EnsureAdminUser(ctx, "", "")
	if err != nil || len(pw) < 20 {
		t.Fatalf("generated %q, %v", pw, err)
	}
	u, err := a.DB.UserByEmail(ctx, "admin@localhost")
	if err != nil || u.Role != "admin" || webauth.Verify(pw, u.PasswordHash) != nil || !u.CreatedAt.Equal(t0) {
		t.Fatalf("admin user %+v, %v", u, err)
	}
	if again, err := a.EnsureAdminUser(ctx, "other@example.com", "long enough"); err != nil || again != "" {
		t.Errorf("second call: %q, %v", again, err)
	}
	if list, _ := a.DB.Users(ctx); len(list) != 1 {
		t.Errorf("%d users, want 1", len(list))
	}
}

func TestEnsureAdminUserFromTheEnvironment(t *testing.T) {
	ctx := context.Background()
	a := openApp(t)
	if _, err := a.EnsureAdminUser(ctx, "boss@example.com", "short"); err == nil {
		t.Error("a short password was accepted")
	}
	if _, err := a.EnsureAdminUser(ctx, "not an e-mail", "long enough"); err == nil {
		t.Error("a bad e-mail was accepted")
	}
	pw, err := a.EnsureAdminUser(ctx, " Boss@Example.com ", "long enough")
	if err != nil || pw != "" {
		t.Fatalf("EnsureAdminUser = %q, %v", pw, err)
	}
	u, err := a.DB.UserByEmail(ctx, "boss@example.com")
	if err != nil || u.Email != "boss@example.com" || webauth.Verify("long enough", u.PasswordHash) != nil {
		t.Fatalf("admin user %+v, %v", u, err)
	}
}
