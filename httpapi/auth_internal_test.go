package httpapi

import (
	"context"
	"testing"

	sb "github.com/switchboardhq/switchboard"
)

// slowTokens answers TokenByHash with the token as it was, after during
// runs: a read that a revocation overtakes.
type slowTokens struct {
	sb.ConfigStore
	token  sb.Token
	during func()
}

func (s *slowTokens) TokenByHash(context.Context, []byte) (*sb.Token, error) {
	t := s.token
	s.during()
	return &t, nil
}

// A lookup that read the store before a forget does not cache what it
// read: the token may have been revoked in between, and the next request
// must read it again.
func TestALookupOvertakenByAForgetIsNotCached(t *testing.T) {
	store := &slowTokens{token: sb.Token{ID: 7, Role: sb.RoleIntegration}}
	a := &authenticator{store: store, cache: map[string]*sb.Token{}}
	store.during = a.forget
	if _, err := a.lookup(context.Background(), "sbt_secret"); err != nil {
		t.Fatal(err)
	}
	if n := len(a.cache); n != 0 {
		t.Fatalf("the overtaken lookup was cached (%d entries)", n)
	}
	store.during = func() {}
	if _, err := a.lookup(context.Background(), "sbt_secret"); err != nil {
		t.Fatal(err)
	}
	if n := len(a.cache); n != 1 {
		t.Fatalf("a lookup with no forget meanwhile was not cached (%d entries)", n)
	}
}
