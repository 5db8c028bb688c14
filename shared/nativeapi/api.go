// Package nativeapi is the HTTP layer of the native API, in the Lightfield
// Files API wire format (camelCase, {"error": {...}}), at /v1/files. Each
// route has a typed constructor taking exactly what it calls; a function's
// main passes one of them to wiring.HTTP.
package nativeapi

import "github.com/filegate/filegate/shared/routeguard"

// The native routes, as template.yaml writes them.
const (
	routeCreate   = "POST /v1/files"
	routeComplete = "POST /v1/files/{id}/complete"
	routeGet      = "GET /v1/files/{id}"
	routeList     = "GET /v1/files"
	routeURL      = "GET /v1/files/{id}/url"
	routeCancel   = "POST /v1/files/{id}/cancel"
	routeDelete   = "DELETE /v1/files/{id}"
	routeMint     = "POST /v1/upload-tokens"
	// Filegate extensions: multipart sessions and fresh upload URLs.
	routeSignParts = "POST /v1/files/{id}/parts"
	routeListParts = "GET /v1/files/{id}/parts"
	routeUploadURL = "POST /v1/files/{id}/upload-url"
	// Filegate extensions: webhook endpoints (webhooks.go).
	routeCreateEndpoint = "POST /v1/webhook-endpoints"
	routeListEndpoints  = "GET /v1/webhook-endpoints"
	routeDeleteEndpoint = "DELETE /v1/webhook-endpoints/{id}"
	routeRotateSecret   = "POST /v1/webhook-endpoints/{id}/rotate-secret"
	routeDeliveries     = "GET /v1/webhook-endpoints/{id}/deliveries"
	routeReplay         = "POST /v1/webhook-endpoints/{id}/deliveries/{eventId}/replay"
)

// Routes lists every native route.
func Routes() []string {
	return []string{routeCreate, routeComplete, routeGet, routeList, routeURL, routeCancel, routeDelete, routeMint, routeSignParts, routeListParts, routeUploadURL,
		routeCreateEndpoint, routeListEndpoints, routeDeleteEndpoint, routeRotateSecret, routeDeliveries, routeReplay}
}

// Fallback answers, in this dialect's envelope, the requests outside
// /api/v1/beta/ that no route takes.
func Fallback() routeguard.Fallback {
	return routeguard.Fallback{Prefix: "/", Dialect: Dialect, Routes: Routes()}
}

// Dialect is the native envelope around every native route.
var Dialect = &routeguard.Dialect{Envelope: envelope}
