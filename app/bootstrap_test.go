package app_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/clock"
	"github.com/switchboardhq/switchboard/internal/pgtest"
)

// Nodes starting together on a new PostgreSQL store make the first admin
// token and the first admin user once between them: one of them reports
// what it made, the others find it made.
func TestNodesStartingTogetherBootstrapOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.New(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	const nodes = 4
	apps := make([]*app.App, nodes)
	for i := range apps {
		a, err := app.OpenFollower(ctx, app.Options{Store: url, ExportsDir: t.TempDir(), Clock: clock.NewVirtual(t0), Logger: quiet}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		apps[i] = a
	}
	var wg sync.WaitGroup
	secrets, passwords := make([]string, nodes), make([]string, nodes)
	start := make(chan struct{})
	for i, a := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var err error
			secrets[i], passwords[i], err = a.Bootstrap(ctx, "", "", "")
			if err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	made := 0
	for i := range apps {
		if secrets[i] != "" {
			made++
			if passwords[i] == "" {
				t.Errorf("node %d made the token but not the user", i)
			}
		}
	}
	tokens, err := apps[0].DB.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	users, err := apps[0].DB.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if made != 1 || len(tokens) != 1 || len(users) != 1 {
		t.Errorf("%d nodes made the first admin: %d tokens, %d users; want one of each, made once", made, len(tokens), len(users))
	}
}
