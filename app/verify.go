package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// VerifyReport is the outcome of Verify.
type VerifyReport struct {
	Sessions int     `json:"sessions"`
	Events   int     `json:"events"`
	Mismatch []int64 `json:"mismatch"`
	// Orphans are session rows without a log.
	Orphans int64 `json:"orphans"`
}

// Verify folds every session's log and compares the result with the stored
// projection. With fix set, differing projections are rewritten from the
// log (the log is the truth; projections are derived).
func Verify(ctx context.Context, db Store, fix bool) (VerifyReport, error) {
	var rep VerifyReport
	err := db.ForEachLog(ctx, func(id int64, events []sb.Event) error {
		rep.Sessions++
		rep.Events += len(events)
		folded, err := lifecycle.Fold(events)
		if err != nil {
			return fmt.Errorf("session %d: %w", id, err)
		}
		want, err := json.Marshal(folded)
		if err != nil {
			return err
		}
		got, err := db.StoredProjection(ctx, id)
		if err != nil {
			return err
		}
		if bytes.Equal(got, want) {
			return nil
		}
		rep.Mismatch = append(rep.Mismatch, id)
		if fix {
			return db.ReplaceProjection(ctx, folded)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	n, err := db.CountSessions(ctx)
	if err != nil {
		return rep, err
	}
	rep.Orphans = n - int64(rep.Sessions)
	return rep, nil
}
