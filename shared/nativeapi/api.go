// Package nativeapi is the HTTP layer of the native API, in the Lightfield
// Files API wire format (camelCase, {"error": {...}}), at /v1/files. Each
// route has a typed constructor taking exactly what it calls; a function's
// main passes one of them to wiring.HTTP.
package nativeapi

import (
	"slices"

	"github.com/filegate/filegate/shared/routeguard"
)

// declared are the native routes, as template.yaml writes them. Each is
// declared beside its constructor, so a new route is written in one place;
// TestDialectRoutesAreTheTemplateRoutes keeps them equal to the template's.
var declared []string

// declare adds pattern to Routes and returns it, for the constructor's
// routeguard.Route (package variables initialise before any call).
func declare(pattern string) string {
	declared = append(declared, pattern)
	return pattern
}

// Routes lists every native route (the $default function's 405 and Allow
// answers come from it).
func Routes() []string { return slices.Clone(declared) }

// Fallback answers, in this dialect's envelope, the requests outside
// /api/v1/beta/ that no route takes.
func Fallback() routeguard.Fallback {
	return routeguard.Fallback{Prefix: "/", Dialect: Dialect, Routes: Routes()}
}

// Dialect is the native envelope around every native route.
var Dialect = &routeguard.Dialect{Envelope: envelope}
