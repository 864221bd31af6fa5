package httpapi

import (
	"errors"
	"net/http"
	"path"
	"time"

	sb "github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/webauth"
)

// streamRoutes are the routes a browser opens without being able to send
// a header: the event streams (EventSource) and the WebSocket. Only they
// take a credential in the URL, and only a ticket (?ticket=).
var streamRoutes = map[string]bool{
	"GET /api/v1/ws":                                  true,
	"GET /api/v1/events/stream":                       true,
	"GET /api/v1/sessions/{id}/events/stream":         true,
	"GET /api/v1/sessions/{id}/queue-position/stream": true,
}

func (s *Server) ticketRoutes() {
	s.handle("POST /api/v1/tickets", s.authed(s.issueTicket, everyone...))
}

// TicketRequest is the body of POST /api/v1/tickets.
type TicketRequest struct {
	// Path is the stream the ticket opens, e.g. /api/v1/ws or
	// /api/v1/sessions/5/events/stream.
	Path string `json:"path"`
}

// TicketResponse answers a ticket request.
type TicketResponse struct {
	Ticket    string    `json:"ticket"`
	Path      string    `json:"path"`
	ExpiresAt time.Time `json:"expires_at"`
}

// issueTicket hands the caller a ticket for one stream: good once, on
// that path, for webauth.TicketTTL, as the caller. The stream checks the
// caller's rights when the ticket is used, as for any other credential.
func (s *Server) issueTicket(w http.ResponseWriter, r *http.Request) error {
	var in TicketRequest
	if err := decode(r, &in, false); err != nil {
		return err
	}
	if len(in.Path) > 512 || len(in.Path) == 0 || in.Path[0] != '/' || path.Clean(in.Path) != in.Path {
		return sb.Errorf(sb.EINVALID, "path must be the clean path of an event stream or of the WebSocket, e.g. /api/v1/ws")
	}
	probe, err := http.NewRequest(http.MethodGet, in.Path, nil)
	if err != nil {
		return sb.Errorf(sb.EINVALID, "path must be a URL path without query or fragment")
	}
	if _, pattern := s.mux.Handler(probe); !streamRoutes[pattern] || probe.URL.RawQuery != "" || probe.URL.Fragment != "" {
		return sb.Errorf(sb.EINVALID, "tickets are for the event streams and the WebSocket, not %s", in.Path)
	}
	secret, expires, err := s.tickets.Issue(principalFrom(r.Context()), in.Path)
	if errors.Is(err, webauth.ErrTooManyTickets) {
		retryAfter(w, webauth.TicketTTL)
		return sb.Errorf(sb.ERATELIMITED, "too many tickets are outstanding; try again shortly")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, TicketResponse{Ticket: secret, Path: in.Path, ExpiresAt: expires.UTC()})
	return nil
}

// ticketPrincipal resolves the ?ticket= of r. Presenting it uses it up,
// on whatever route.
func (s *Server) ticketPrincipal(r *http.Request, secret string) (Principal, error) {
	p, err := s.tickets.Redeem(secret, r.URL.Path)
	if !streamRoutes[r.Pattern] {
		return Principal{}, sb.Errorf(sb.EUNAUTHORIZED, "a ticket is accepted only on the event streams and the WebSocket")
	}
	if err != nil {
		return Principal{}, sb.Errorf(sb.EUNAUTHORIZED, "the ticket is not valid: tickets are good once, on their own path, for %s", webauth.TicketTTL)
	}
	return p, nil
}
