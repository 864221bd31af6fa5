// Package loadclient is the small REST client the load tools (sbload,
// wsload) set up their runs with: JSON requests with a bearer token, and a
// wait for the server to be ready.
package loadclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client sends JSON requests to a Switchboard server.
type Client struct {
	HTTP  *http.Client
	Base  string // e.g. http://127.0.0.1:8080
	Token string
}

// Do sends body (nil: none) as JSON and decodes the JSON answer; a status
// of 300 or more is an error carrying the server's answer.
func (c *Client) Do(method, path string, body any) (map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(b))
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return out, nil
}

// WaitReady polls /readyz for up to ten seconds, so that a tool can be
// started right after the server.
func (c *Client) WaitReady() error {
	var last error
	for range 100 {
		res, err := c.HTTP.Get(c.Base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("readyz: %s", res.Status)
		}
		last = err
		time.Sleep(100 * time.Millisecond) // a tool waiting on a real server, not test logic
	}
	return fmt.Errorf("the server is not ready: %w", last)
}
