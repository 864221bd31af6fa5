package httpapi

// TranscriptLine exposes the transcript's message type to the OpenAPI test.
type TranscriptLine = transcriptLine

// WallboardTicks returns a channel that receives after each tick of the
// wallboard's subscribers (the test must drain it).
func WallboardTicks(s *Server) <-chan struct{} {
	ch := make(chan struct{}, 64)
	s.wallboard.mu.Lock()
	defer s.wallboard.mu.Unlock()
	s.wallboard.afterTick = func() { ch <- struct{}{} }
	return ch
}

// WSPending is how many live events a WebSocket subscription keeps.
const WSPending = wsPending

// SetWSCatchUpHook has f run before (read false) and after (read true)
// each store read of a WebSocket subscription catching up. Set it before
// the server serves.
func SetWSCatchUpHook(s *Server, f func(sessionID, after int64, read bool)) { s.wsCatchUp = f }

// StatusOf is the HTTP status of an error code, if it has one.
func StatusOf(code string) (int, bool) {
	st, ok := statusOf[code]
	return st, ok
}
