// Package docs embeds the documents the server serves, such as the OpenAPI
// description of the API.
package docs

import _ "embed"

// OpenAPI is the OpenAPI 3.1 description of the REST API (openapi.json).
//
//go:embed openapi.json
var OpenAPI []byte
