package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/switchboardhq/switchboard/app"
	"github.com/switchboardhq/switchboard/datadir"
)

// adminCmd runs "switchboard admin reset-password EMAIL": it gives a user a
// new random password, printed once, and ends the user's browser logins.
// It takes the data directory's lock (on PostgreSQL, the cluster's leader
// lease), so it runs only while the server or cluster is stopped.
func adminCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "reset-password" {
		return errors.New("usage: switchboard admin reset-password [--data DIR] [--store URL] EMAIL")
	}
	fs := flag.NewFlagSet("admin reset-password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", env("SWITCHBOARD_DATA", "./data"), "data directory (env SWITCHBOARD_DATA)")
	store := addStoreFlag(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: switchboard admin reset-password [--data DIR] [--store URL] EMAIL")
	}
	ctx := context.Background()
	db, closeDB, err := openExisting(ctx, *data, *store, true, stderr)
	if datadir.IsInUse(err) {
		return fmt.Errorf("%w: reset-password runs while the server is stopped", err)
	}
	if err != nil {
		return err
	}
	defer closeDB()
	u, password, err := app.ResetPassword(ctx, db, time.Now(), fs.Arg(0))
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	fmt.Fprintf(stdout, "New password for %s, shown only once; change it after logging in:\n\n    %s\n\n", u.Email, password)
	fmt.Fprintln(stdout, "Every browser login of this user has ended.")
	if u.Disabled {
		fmt.Fprintln(stdout, "The account is disabled: an administrator must enable it before it can log in.")
	}
	return nil
}
