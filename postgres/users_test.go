package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/storetest"
)

func TestUserConformance(t *testing.T) {
	storetest.RunUsers(t, func(t *testing.T) sb.UserStore { return openTest(t) })
}

var userT0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func testUser(email string, role string) *sb.User {
	return &sb.User{Email: email, Name: "Dana", Role: role, PasswordHash: "$argon2id$x", CreatedAt: userT0, UpdatedAt: userT0}
}

// Concurrent creates of one e-mail in different cases, on several
// connections: the unique index decides, so exactly one is stored and the
// others are conflicts, not internal errors.
func TestConcurrentCreatesOfOneEmail(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	emails := []string{"kim@example.com", "KIM@example.com", "Kim@Example.com", "kIM@EXAMPLE.COM", "kim@example.COM", "KiM@eXaMpLe.CoM"}
	errs := make([]error, len(emails))
	var wg sync.WaitGroup
	for i, e := range emails {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.CreateUser(ctx, testUser(e, sb.RoleAgent))
		}()
	}
	wg.Wait()
	stored := 0
	for i, err := range errs {
		switch sb.ErrorCode(err) {
		case "":
			stored++
		case sb.ECONFLICT:
		default:
			t.Errorf("create %s: %v, want success or conflict", emails[i], err)
		}
	}
	if users, err := db.Users(ctx); err != nil || stored != 1 || len(users) != 1 {
		t.Errorf("%d creates succeeded, %d users stored (%v); want 1", stored, len(users), err)
	}
}

// E-mails are compared as SQLite's NOCASE compares them: ASCII letters
// regardless of case, other letters as they are.
func TestEmailCaseIsASCIIOnly(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for _, e := range []string{"émile@example.com", "Émile@example.com"} {
		if err := db.CreateUser(ctx, testUser(e, sb.RoleAgent)); err != nil {
			t.Errorf("create %s: %v", e, err)
		}
	}
	if u, err := db.UserByEmail(ctx, "ÉMILE@EXAMPLE.COM"); err != nil || u.Email != "Émile@example.com" {
		t.Errorf("UserByEmail = %+v, %v", u, err)
	}
}

// Two administrators disabled at once, each on its own connection: each
// change alone keeps an enabled administrator, both together would not;
// exactly one goes through. Likewise for deletes.
func TestConcurrentChangesKeepAnAdministrator(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	var survivor *sb.User // the enabled administrator the last round left
	for round := range 10 {
		a, b := testUser(fmt.Sprintf("a%d@example.com", round), sb.RoleAdmin), testUser(fmt.Sprintf("b%d@example.com", round), sb.RoleAdmin)
		for _, u := range []*sb.User{a, b} {
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		if survivor != nil {
			if err := db.DeleteUser(ctx, survivor.ID); err != nil {
				t.Fatal(err)
			}
		}
		var errs [2]error
		var wg sync.WaitGroup
		for i, u := range []*sb.User{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if round%2 == 0 {
					off := *u
					off.Disabled = true
					errs[i] = db.UpdateUser(ctx, &off)
				} else {
					errs[i] = db.DeleteUser(ctx, u.ID)
				}
			}()
		}
		wg.Wait()
		survivor = nil
		for i, err := range errs {
			switch sb.ErrorCode(err) {
			case "":
			case sb.ECONFLICT:
				survivor = []*sb.User{a, b}[i]
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if survivor == nil || (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: %v; want exactly one change through", round, errs)
		}
		if got, err := db.User(ctx, survivor.ID); err != nil || *got != *survivor {
			t.Fatalf("round %d: the last administrator is now %+v, %v", round, got, err)
		}
	}
}
