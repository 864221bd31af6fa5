package dispatch_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/lifecycle"
)

// BenchmarkCustomers is BenchmarkAssignmentsEndToEnd with customers:
// "returning" chats come from 1,000 customers, so routing reads each one's
// history once and then keeps it; "new" chats each come from a customer
// routing has not seen, whose history it reads from the store. Every
// assignment records who served the customer.
func BenchmarkCustomers(b *testing.B) {
	for _, c := range []struct {
		name      string
		customers int64
	}{{"returning", 1000}, {"new", 1 << 62}} {
		b.Run(c.name, func(b *testing.B) {
			a := benchApp(b)
			ctx := context.Background()
			var n atomic.Int64
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					who := sb.EndUser{Identifier: fmt.Sprintf("c-%d", n.Add(1)%c.customers)}
					res, err := a.Engine.Create(ctx, &lifecycle.Create{Type: sb.TypeChatWeb, QueueID: 1, EndUser: who},
						sb.Actor{Kind: sb.ActorIntegration})
					if err != nil {
						b.Error(err)
						return
					}
					if _, err := a.Engine.Execute(ctx, res.Session.ID, &lifecycle.End{DisconnectedBy: lifecycle.ByAgent}, sb.Actor{Kind: sb.ActorAgent}, nil); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "sessions/s")
		})
	}
}
