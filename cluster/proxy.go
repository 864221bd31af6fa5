package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	sb "github.com/switchboardhq/switchboard"
)

// APIPath is where the leader's cluster listener serves its public API to
// the other nodes: APIPath + the public path. A node that does not lead
// sends it the requests that only the leader may serve (Proxy), as the
// client made them; the leader authenticates the client's credentials
// itself.
const APIPath = "/internal/v1/api"

// MaxProxiedBody bounds the body of a request Proxy sends on.
const MaxProxiedBody = 16 << 20

// hopHeaders are the headers of one connection, not sent on.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// Proxy sends r to the leader's public API, as the client made it, and
// writes the leader's answer to w. A request no leader took (none found,
// the connection refused, a node that no longer leads) goes to the next
// leader, for up to Patience; one whose answer was lost after it reached
// a leader is not sent again — it may have run — and answers 503, so the
// client looks before it tries again.
//
// Once this node leads (Here), the request is served by local instead,
// and after does not run. after, if set, runs once the leader answered
// and before the answer is written, with its status: the node brings its
// caches up to date with what the leader changed, so the client reads its
// own write on this node next.
func (f *Forwarder) Proxy(w http.ResponseWriter, r *http.Request, local http.Handler, after func(ctx context.Context, status int)) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxProxiedBody+1))
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, sb.EINVALID, "read the request body: "+err.Error())
		return
	case len(body) > MaxProxiedBody:
		writeError(w, http.StatusRequestEntityTooLarge, sb.EINVALID, fmt.Sprintf("the request body is over %d bytes", MaxProxiedBody))
		return
	}
	var resp *http.Response
	var answer []byte
	served := false
	err = f.retry(r.Context(), false, func() error {
		if _, ok := f.here(); ok {
			r.Body = io.NopCloser(bytes.NewReader(body))
			local.ServeHTTP(w, r)
			served = true
			return nil
		}
		var err error
		resp, answer, err = f.tryProxy(r, body)
		return err
	})
	if served {
		return
	}
	if err != nil {
		code := sb.ErrorCode(err)
		if code == "" || code == sb.EINTERNAL {
			code = sb.EUNAVAILABLE
		}
		writeError(w, http.StatusServiceUnavailable, code, "the leader did not answer: "+err.Error())
		return
	}
	if after != nil {
		after(r.Context(), resp.StatusCode)
	}
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(answer)
}

// tryProxy sends the request once.
func (f *Forwarder) tryProxy(r *http.Request, body []byte) (*http.Response, []byte, error) {
	base, err := f.Leader(r.Context())
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errNoLeader, err)
	}
	hr, err := http.NewRequestWithContext(r.Context(), r.Method, base+APIPath+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("proxy: %w", err)
	}
	hr.Header = r.Header.Clone()
	for _, k := range hopHeaders {
		hr.Header.Del(k)
	}
	hr.Header.Set(SecretHeader, f.Secret)
	resp, err := f.client().Do(hr)
	if err != nil {
		if r.Context().Err() != nil {
			return nil, nil, r.Context().Err()
		}
		if notSent(err) {
			return nil, nil, fmt.Errorf("%w: %v", errNoLeader, err)
		}
		return nil, nil, fmt.Errorf("%w: %v", errLost, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: read the answer: %v", errLost, err)
	}
	if resp.StatusCode == http.StatusMisdirectedRequest {
		return nil, nil, fmt.Errorf("%w: the node answered that it does not lead", errNoLeader)
	}
	return resp, answer, nil
}

// writeError writes the API's JSON error.
func writeError(w http.ResponseWriter, status int, code, message string) {
	var body errorBody
	body.Error.Code, body.Error.Message = code, message
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
