package httpapi

// TranscriptLine exposes the transcript's message type to the OpenAPI test.
type TranscriptLine = transcriptLine

// WSPending is how many live events a WebSocket subscription keeps.
const WSPending = wsPending

// SetWSCatchUpHook has f run before (read false) and after (read true)
// each store read of a WebSocket subscription catching up. Set it before
// the server serves.
func SetWSCatchUpHook(s *Server, f func(sessionID, after int64, read bool)) { s.wsCatchUp = f }
