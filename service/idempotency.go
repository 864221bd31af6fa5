package service

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/engine"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// MaxIdempotencyKey is the longest idempotency key, in bytes.
const MaxIdempotencyKey = 255

// idempotency turns a request's idempotency key into the engine's: scoped
// by the caller, so that two callers' keys never meet, with a
// fingerprint of the request as the client sent it (before the service
// fills anything in), so that the key sent with another request is
// refused. No key: nil.
func idempotency(c Caller, opt RunOptions, sessionID int64, cmd lifecycle.Command) (*engine.Idempotency, error) {
	key := opt.IdempotencyKey
	if key == "" {
		return nil, nil
	}
	if len(key) > MaxIdempotencyKey {
		return nil, sb.Errorf(sb.EINVALID, "the idempotency key is longer than %d bytes", MaxIdempotencyKey)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return nil, sb.Errorf(sb.EINVALID, "the idempotency key must be printable ASCII without spaces (a UUID, say)")
		}
	}
	body, err := json.Marshal(cmd)
	if err != nil {
		return nil, fmt.Errorf("idempotency: encode the command: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", cmd.Name(), sessionID)
	h.Write(body)
	a := c.Actor()
	return &engine.Idempotency{Key: string(a.Kind) + ":" + strconv.Quote(a.ID) + ":" + key, Fingerprint: hex.EncodeToString(h.Sum(nil)),
		Fresh: opt.FreshKey}, nil
}
