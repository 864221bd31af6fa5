package postgres_test

import (
	"testing"

	"github.com/switchboardhq/switchboard/storetest"
)

// The PostgreSQL store passes the conformance suite the SQLite store
// passes, each test on a new, empty database.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return openTest(t) })
}
