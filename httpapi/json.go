package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	sb "github.com/switchboardhq/switchboard"
)

// MaxBodyBytes is the largest request body accepted.
const MaxBodyBytes = 1 << 20

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Detail  map[string]any `json:"detail,omitempty"`
}

var statusOf = map[string]int{
	sb.EINVALID:      http.StatusBadRequest,
	sb.ENOTFOUND:     http.StatusNotFound,
	sb.ECONFLICT:     http.StatusConflict,
	sb.ENOTMEMBER:    http.StatusConflict,
	sb.ENOTWORKING:   http.StatusConflict,
	sb.EATCAPACITY:   http.StatusConflict,
	sb.EPRECONDITION: http.StatusPreconditionFailed,
	sb.EUNAUTHORIZED: http.StatusUnauthorized,
	sb.EFORBIDDEN:    http.StatusForbidden,
	sb.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	sb.ERATELIMITED:  http.StatusTooManyRequests,
	sb.ETIMEOUT:      http.StatusRequestTimeout,
	sb.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	sb.EUNAVAILABLE:  http.StatusServiceUnavailable,
	sb.EINTERNAL:     http.StatusInternalServerError,
}

// writeError answers with the JSON error for err. Internal errors are
// logged and answered with a generic message: no SQL or stack reaches a client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	body := errorBody{Error: errorOf(err)}
	code := body.Error.Code
	switch code {
	case sb.EINTERNAL:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case sb.EUNAVAILABLE:
		// The store cannot write (a full or read-only disk) or the server
		// is stopping: the operator needs to know, the client may retry.
		s.log.Warn("request refused: unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if code == sb.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	}
	writeJSON(w, status, body)
}

// notReady is the answer of a failed readiness check: err itself when it
// says why the store is unavailable (it cannot write), else a generic
// unavailable error wrapping it.
func notReady(err error) error {
	if sb.ErrorCode(err) == sb.EUNAVAILABLE {
		return err
	}
	return fmt.Errorf("%w: %w", sb.Errorf(sb.EUNAVAILABLE, "the store is not ready"), err)
}

// errorOf is the client's view of err: internal errors say only that.
func errorOf(err error) errorDetail {
	d := errorDetail{Code: sb.ErrorCode(err), Message: sb.ErrorMessage(err)}
	var e *sb.Error
	if errors.As(err, &e) {
		d.Detail = e.Detail
	}
	return d
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Error("encode response", "err", err)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":{"code":"internal","message":"internal error"}}`+"\n")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// decode reads a JSON object strictly into v: unknown fields, trailing
// data, wrong types and oversized bodies are refused with a clear message.
// An empty body decodes as {} when allowEmpty is set.
func decode(r *http.Request, v any, allowEmpty bool) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return DecodeStrict(body, v, allowEmpty)
}

// readBody reads a request body that must be JSON, if any.
func readBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return nil, sb.Errorf(sb.EINVALID, "Content-Type must be application/json")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, sb.Errorf(sb.ETOOLARGE, "the request body is larger than %d bytes", MaxBodyBytes)
		}
		if sb.ErrorCode(err) == sb.ETIMEOUT {
			return nil, err
		}
		return nil, sb.Errorf(sb.EINVALID, "could not read the request body")
	}
	return body, nil
}

// DecodeStrict decodes one JSON object from body into v, refusing unknown
// fields and trailing data.
func DecodeStrict(body []byte, v any, allowEmpty bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		if allowEmpty {
			return nil
		}
		return sb.Errorf(sb.EINVALID, "the request body is empty; a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return sb.Errorf(sb.EINVALID, "%s", jsonMessage(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return sb.Errorf(sb.EINVALID, "unexpected data after the JSON object")
	}
	return nil
}

func jsonMessage(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var sbe *sb.Error
	switch {
	case errors.As(err, &sbe):
		return sbe.Message
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Sprintf("the body must be a JSON object, not %s", typ.Value)
		}
		return fmt.Sprintf("field %s must be %s, not %s", typ.Field, jsonType(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON body ended too early"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")
}

func jsonType(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return kind
}
