package postgres_test

import (
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/storetest"
)

func TestReportConformance(t *testing.T) {
	storetest.RunReports(t, func(t *testing.T) sb.ReportStore { return openTest(t) })
}
