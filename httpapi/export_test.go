package httpapi

// TranscriptLine exposes the transcript's message type to the OpenAPI test.
type TranscriptLine = transcriptLine
