package server

import (
	_ "embed"
	"net/http"
)

// openAPIDoc describes every route of routes(); a test holds the two
// together.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves the API's OpenAPI 3 document at GET /v1/openapi.json.
func openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc)
}
