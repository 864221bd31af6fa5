// Package switchboard holds the domain types of the Switchboard contact-center
// session platform: sessions, their status codes and types, the events that
// make up each session's log, and the interfaces the rest of the system is
// built on. It depends on the standard library only.
package switchboard

import (
	"errors"
	"fmt"
)

// Application error codes. They are stable strings that clients can switch on;
// the HTTP layer maps each one to a status code.
const (
	EINVALID      = "invalid"      // the request is malformed or fails validation
	ENOTFOUND     = "not_found"    // the resource does not exist
	ECONFLICT     = "conflict"     // the command is not allowed in the current state
	EPRECONDITION = "precondition" // an expected sequence number did not match
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EFORBIDDEN    = "forbidden"    // the principal's role may not do this
	ETOOLARGE     = "too_large"    // the request body is over the limit
	ERATELIMITED  = "rate_limited" // too many attempts; retry later
	ETIMEOUT      = "timeout"      // the request did not arrive in time
	EUNAVAILABLE  = "unavailable"  // the server is shutting down or not ready
	EINTERNAL     = "internal"     // anything else; details are logged, never sent
)

// Why routing refuses to give an agent a session (HTTP 409): an agent picks
// up waiting sessions only from the queues of its groups, only while online
// or invisible, and nobody's assignment takes an agent above its
// max_concurrent.
const (
	ENOTMEMBER  = "not_group_member"  // the session waits in a queue the agent is not a member of
	ENOTWORKING = "agent_unavailable" // the agent's status is not online or invisible
	EATCAPACITY = "at_capacity"       // the agent handles its maximum of concurrent sessions
)

// Error is an application error: a code from the list above and a message
// that is safe to show to the caller.
type Error struct {
	Code    string
	Message string
	// Detail carries machine-readable context for some codes, for example the
	// current status of a session when a command conflicts with it.
	Detail map[string]any
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("switchboard error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil
// and EINTERNAL for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-safe message of the first *Error in err's
// chain, and a generic text for any other error.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
