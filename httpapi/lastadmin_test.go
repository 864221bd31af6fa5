package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	sb "github.com/switchboardhq/switchboard"
)

// Administrators removed concurrently — demoted, disabled or deleted, all
// at once — never leave the server without an enabled administrator: every
// removal but one succeeds, and the one refused says why.
func TestConcurrentRemovalsKeepAnAdministrator(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	const admins = 6
	for round := 0; round < 25; round++ {
		var users []sb.User // the enabled administrators, topped up to six
		users = append(users, enabledAdmins(t, s)...)
		for i := len(users); i < admins; i++ {
			u := sb.User{Email: fmt.Sprintf("admin%d-%d@example.com", round, i), Name: "Admin", Role: sb.RoleAdmin,
				PasswordHash: "$argon2id$x", CreatedAt: t0, UpdatedAt: t0}
			if err := s.db.CreateUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
			users = append(users, u)
		}
		results := make([]response, len(users))
		var wg sync.WaitGroup
		for i, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				path := fmt.Sprintf("/api/v1/users/%d", u.ID)
				switch i % 3 {
				case 0:
					results[i] = s.do("admin", "DELETE", path, "")
				case 1: // demoted
					results[i] = s.do("admin", "PUT", path, fmt.Sprintf(`{"email":%q,"name":"Admin","role":"supervisor"}`, u.Email))
				default: // disabled
					results[i] = s.do("admin", "PUT", path, fmt.Sprintf(`{"email":%q,"name":"Admin","role":"admin","disabled":true}`, u.Email))
				}
			}()
		}
		wg.Wait()
		refused := 0
		for i, r := range results {
			switch r.Status {
			case 200, 204:
			case 409:
				refused++
				e := r.json(t)["error"].(map[string]any)
				if e["code"] != sb.ECONFLICT || !strings.Contains(e["message"].(string), "last enabled administrator") {
					t.Errorf("round %d: removal %d refused with %v", round, i, e)
				}
			default:
				t.Fatalf("round %d: removal %d: %d %s", round, i, r.Status, r.Body)
			}
		}
		if left := enabledAdmins(t, s); len(left) != 1 || refused != 1 {
			t.Fatalf("round %d: %d enabled administrators left, %d removals refused; want 1 and 1", round, len(left), refused)
		}
	}
}

func enabledAdmins(t *testing.T, s *stack) []sb.User {
	t.Helper()
	list, err := s.db.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []sb.User
	for _, u := range list {
		if u.Role == sb.RoleAdmin && !u.Disabled {
			out = append(out, u)
		}
	}
	return out
}
