package webauth

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/clock"
)

var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerify(t *testing.T) {
	phc, err := HashWith("correct horse", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string with the parameters", phc)
	}
	if err := Verify("correct horse", phc); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := Verify("correct horsE", phc); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong password: %v, want ErrMismatch", err)
	}
	other, _ := HashWith("correct horse", cheap)
	if other == phc {
		t.Error("two hashes of one password share a salt")
	}
}

func TestDefaultHashVerifies(t *testing.T) {
	phc, err := Hash("a long passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(phc, "$m=19456,t=2,p=1$") {
		t.Errorf("default parameters not in %q", phc)
	}
	if err := Verify("a long passphrase", phc); err != nil {
		t.Error(err)
	}
	if NeedsRehash(phc) {
		t.Error("a fresh hash needs a rehash")
	}
	weak, _ := HashWith("a long passphrase", cheap)
	if !NeedsRehash(weak) {
		t.Error("a hash with other parameters does not need a rehash")
	}
}

func TestVerifyRefusesBadHashes(t *testing.T) {
	good, _ := HashWith("pw", cheap)
	parts := strings.Split(good, "$")
	for _, bad := range []string{
		"", "plain", "$argon2i$v=19$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=18$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=99999999,t=1,p=1$" + parts[4] + "$" + parts[5], // 95 GiB
		"$argon2id$v=19$m=64,t=1000,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=0$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1,x=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$",
		good + "$",
	} {
		if err := Verify("pw", bad); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("Verify(%q) = %v, want a format error", bad, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, ok := range map[string]bool{"1234567": false, "12345678": true, "ééééééé": false, "éééééééé": true,
		strings.Repeat("x", 257): false, "\xff\xfe12345678": false} {
		if err := CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%q) = %v, want ok %v", pw, err, ok)
		}
	}
}

// testLimiter calls a Limiter without a context; an error fails the test.
type testLimiter struct {
	t *testing.T
	*Limiter
}

func (l testLimiter) Allow(email, ip string) (bool, time.Duration) {
	ok, wait, err := l.Limiter.Allow(context.Background(), email, ip)
	if err != nil {
		l.t.Fatal(err)
	}
	return ok, wait
}

func (l testLimiter) Fail(email, ip string) {
	if err := l.Limiter.Fail(context.Background(), email, ip); err != nil {
		l.t.Fatal(err)
	}
}

func (l testLimiter) Succeed(email, ip string) {
	if err := l.Limiter.Succeed(context.Background(), email, ip); err != nil {
		l.t.Fatal(err)
	}
}

func TestLimiterLocksTheAddressNotTheAccount(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	l := testLimiter{t, NewLimiter(c)}
	for i := 0; i < MaxFailuresPerAccountAddress; i++ {
		if ok, _ := l.Allow("a@x.io", "10.0.0.66"); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
		l.Fail("a@x.io", "10.0.0.66")
		c.Advance(time.Minute)
	}
	ok, wait := l.Allow("a@x.io", "10.0.0.66")
	if ok || wait != Window-5*time.Minute {
		t.Errorf("after 5 failures: allowed %v, wait %v; want refused for %v", ok, wait, Window-5*time.Minute)
	}
	if ok, wait := l.Allow("a@x.io", "10.0.0.1"); !ok {
		t.Errorf("the account is locked for another address too (wait %v)", wait)
	}
	if ok, _ := l.Allow("b@x.io", "10.0.0.66"); !ok {
		t.Error("another e-mail from the same address is refused after 5 failures")
	}
	c.Advance(wait)
	if ok, _ := l.Allow("a@x.io", "10.0.0.66"); !ok {
		t.Error("still refused after the window")
	}
}

func TestLimiterPerIPAndSuccess(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	l := testLimiter{t, NewLimiter(c)}
	for i := 0; i < MaxFailuresPerIP; i++ {
		l.Fail(string(rune('a'+i))+"@x.io", "10.0.0.9")
	}
	if ok, wait := l.Allow("new@x.io", "10.0.0.9"); ok || wait != Window {
		t.Errorf("after 20 failures from one address: allowed %v wait %v", ok, wait)
	}
	l.Fail("c@x.io", "10.0.0.1")
	l.Succeed("c@x.io", "10.0.0.1")
	for i := 0; i < MaxFailuresPerAccountAddress-1; i++ {
		l.Fail("c@x.io", "10.0.0.1")
	}
	if ok, _ := l.Allow("c@x.io", "10.0.0.1"); !ok {
		t.Error("a success did not reset the address's count for the account")
	}
}

// Failures from many addresses slow the account down for addresses it
// does not know, one attempt per AccountBackoffInterval, never more; the
// addresses it has logged in from are not slowed.
func TestLimiterBacksOffAnAccountUnderADistributedAttack(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	l := testLimiter{t, NewLimiter(c)}
	l.Succeed("a@x.io", "192.0.2.1") // the owner's usual address
	for i := 0; i < AccountBackoffAfter-1; i++ {
		l.Fail("a@x.io", "10.1.0."+strconv.Itoa(i))
	}
	for i := 0; i < 3; i++ { // not yet in backoff: new addresses try freely
		if ok, wait := l.Allow("a@x.io", "10.2.0."+strconv.Itoa(i)); !ok {
			t.Fatalf("attempt %d before the backoff refused for %v", i, wait)
		}
	}
	l.Fail("a@x.io", "10.1.0.99")
	if ok, _ := l.Allow("a@x.io", "10.3.0.1"); !ok {
		t.Fatal("the first attempt in backoff is refused")
	}
	ok, wait := l.Allow("a@x.io", "10.3.0.2")
	if ok || wait != AccountBackoffInterval {
		t.Errorf("a second new address at once: allowed %v wait %v, want refused for %v", ok, wait, AccountBackoffInterval)
	}
	if ok, wait := l.Allow("a@x.io", "192.0.2.1"); !ok {
		t.Errorf("the owner's known address is slowed: wait %v", wait)
	}
	if ok, _ := l.Allow("b@x.io", "10.3.0.2"); !ok {
		t.Error("another account is slowed")
	}
	c.Advance(AccountBackoffInterval)
	if ok, _ := l.Allow("a@x.io", "10.3.0.2"); !ok {
		t.Error("refused after the interval")
	}
	c.Advance(Window)
	for i := 0; i < 3; i++ {
		if ok, wait := l.Allow("a@x.io", "10.4.0."+strconv.Itoa(i)); !ok {
			t.Errorf("after the window, attempt %d refused for %v", i, wait)
		}
	}
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	l := testLimiter{t, NewLimiter(c)}
	for i := 0; i < maxTracked+5000; i++ {
		l.Fail("", strings.Repeat("x", 3)+string(rune(i+1000)))
		if i%1000 == 0 {
			c.Advance(time.Second)
		}
	}
	if n := l.tracked(); n > maxTracked+1 {
		t.Errorf("the limiter tracks %d keys, more than %d", n, maxTracked)
	}
}

func TestVisitorTokenRoundTrip(t *testing.T) {
	key := NewServerKey()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	v := Visitor{ID: NewAnonymousID(), PluginID: 3, IssuedAt: now}
	tok, err := SignVisitor(key, v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, VisitorTokenPrefix) {
		t.Errorf("token %q lacks the prefix", tok)
	}
	got, err := ParseVisitor(key, tok, now.Add(time.Hour), 24*time.Hour)
	if err != nil || got != v || got.Verified() {
		t.Errorf("parse = %+v, %v; want %+v", got, err, v)
	}
	if _, err := ParseVisitor(key, tok, now.Add(25*time.Hour), 24*time.Hour); err != ErrBadToken {
		t.Errorf("an expired token: %v", err)
	}
	if _, err := ParseVisitor(NewServerKey(), tok, now, 0); err != ErrBadToken {
		t.Errorf("another key: %v", err)
	}
	// Flip one character of the payload.
	i := len(VisitorTokenPrefix) + 3
	forged := tok[:i] + string(tok[i]^1) + tok[i+1:]
	if _, err := ParseVisitor(key, forged, now, 0); err != ErrBadToken {
		t.Errorf("a forged token: %v", err)
	}
	vu := Visitor{ID: "u:42", PluginID: 3, Name: "Ana Lima", Email: "ana@example.com", Phone: "+5511999990000", IssuedAt: now}
	u, _ := SignVisitor(key, vu)
	if got, err := ParseVisitor(key, u, now, 0); err != nil || !got.Verified() || got != vu {
		t.Errorf("verified visitor: %+v %v", got, err)
	}
	for _, bad := range []Visitor{{ID: "42", PluginID: 1}, {ID: "a:x", PluginID: 0}, {ID: "u:", PluginID: 1},
		{ID: "u:1", PluginID: 1, Name: strings.Repeat("n", 201)}} {
		if _, err := SignVisitor(key, bad); err == nil {
			t.Errorf("SignVisitor(%+v) accepted", bad)
		}
	}
}

func TestUserHash(t *testing.T) {
	// Computed independently: printf %s 42 | openssl dgst -sha256 -hmac secret
	const want = "93c121e7aa437a1e01e3c512c6f0ce3c821a839025dca4408f85616de4aaee70"
	h := UserHash("secret", "42")
	if h != want {
		t.Fatalf("UserHash = %q, want %q", h, want)
	}
	if !VerifyUserHash("secret", "42", h) || !VerifyUserHash("secret", "42", strings.ToUpper(h)) {
		t.Error("the right hash is refused")
	}
	if VerifyUserHash("secret", "43", h) || VerifyUserHash("other", "42", h) || VerifyUserHash("secret", "42", "zz") ||
		VerifyUserHash("", "42", UserHash("", "42")) {
		t.Error("a wrong hash is accepted")
	}
}

func FuzzParseVisitor(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	good, _ := SignVisitor(key, Visitor{ID: "u:42", PluginID: 3, IssuedAt: now})
	for _, s := range []string{good, "", "sbv_", "sbv_.", "sbv_e30.", good + "x", strings.Replace(good, ".", "..", 1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		v, err := ParseVisitor(key, tok, now, 0)
		if err != nil {
			return
		}
		// Whatever parses re-signs to a token that parses the same.
		again, err := SignVisitor(key, v)
		if err != nil {
			t.Fatalf("parsed %+v does not sign: %v", v, err)
		}
		w, err := ParseVisitor(key, again, now, 0)
		if err != nil || w != v {
			t.Fatalf("round trip %+v -> %+v %v", v, w, err)
		}
	})
}

func FuzzDecodePHC(f *testing.F) {
	good, _ := HashWith("pw", cheap)
	for _, s := range []string{good, "", "$argon2id$v=19$m=64,t=1,p=1$$", "$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, phc string) {
		p, salt, key, err := decodePHC(phc)
		if err != nil {
			return
		}
		// Whatever decodes stays within the bounds that keep Verify cheap.
		if p.Memory > maxMemory || p.Time > maxTime || p.Threads < 1 || len(salt) < 8 || len(key) < 16 || len(key) > 1024 {
			t.Fatalf("decoded out-of-bounds parameters %+v from %q", p, phc)
		}
	})
}

// BenchmarkVerifyDefault measures one login's password check with the
// production parameters.
func BenchmarkVerifyDefault(b *testing.B) {
	phc, err := HashWith("a long passphrase", DefaultParams)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify("a long passphrase", phc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseVisitor(b *testing.B) {
	key := NewServerKey()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	tok, _ := SignVisitor(key, Visitor{ID: NewAnonymousID(), PluginID: 3, Name: "Ana", IssuedAt: now})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseVisitor(key, tok, now, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTicketsAreSingleUseBoundAndShortLived(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	tk := NewTickets[string](c)
	secret, expires, err := tk.Issue("ana", "/api/v1/ws")
	if err != nil || !strings.HasPrefix(secret, TicketPrefix) || !expires.Equal(c.Now().Add(TicketTTL)) {
		t.Fatalf("Issue = %q, %v, %v", secret, expires, err)
	}
	if h, err := tk.Redeem(secret, "/api/v1/ws"); err != nil || h != "ana" {
		t.Errorf("first use: %q, %v", h, err)
	}
	if _, err := tk.Redeem(secret, "/api/v1/ws"); !errors.Is(err, ErrTicket) {
		t.Errorf("second use: %v, want ErrTicket", err)
	}
	other, _, _ := tk.Issue("ana", "/api/v1/ws")
	if _, err := tk.Redeem(other, "/api/v1/events/stream"); !errors.Is(err, ErrTicket) {
		t.Errorf("on another path: %v, want ErrTicket", err)
	}
	if _, err := tk.Redeem(other, "/api/v1/ws"); !errors.Is(err, ErrTicket) {
		t.Errorf("after a use on another path: %v, want ErrTicket", err)
	}
	late, _, _ := tk.Issue("ana", "/api/v1/ws")
	c.Advance(TicketTTL)
	if _, err := tk.Redeem(late, "/api/v1/ws"); !errors.Is(err, ErrTicket) {
		t.Errorf("after %v: %v, want ErrTicket", TicketTTL, err)
	}
	if n := tk.held(); n != 0 {
		t.Errorf("%d tickets held after all were presented", n)
	}
}

func TestTicketsStayBounded(t *testing.T) {
	c := clock.NewVirtual(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	tk := NewTickets[int](c)
	for i := 0; i < maxTickets; i++ {
		if _, _, err := tk.Issue(i, "/p"); err != nil {
			t.Fatalf("ticket %d: %v", i, err)
		}
	}
	if _, _, err := tk.Issue(0, "/p"); !errors.Is(err, ErrTooManyTickets) {
		t.Errorf("past the bound: %v, want ErrTooManyTickets", err)
	}
	c.Advance(TicketTTL)
	if _, _, err := tk.Issue(0, "/p"); err != nil || tk.held() != 1 {
		t.Errorf("after the others expired: %v, %d held", err, tk.held())
	}
}
