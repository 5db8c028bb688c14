// Package authorizer is authorizer: the HTTP API's Lambda authorizer: Bearer
// API key → organization, project and scopes; Bearer upload token → its
// project and limits, verified with a key derived from the root secret. Its
// main (functions/authorizer) and the local stack both start what New returns,
// so the handler is named once.
package authorizer

import (
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/tokenwiring"
)

// New is authorizer's handler over env.
func New(env *wiring.Env) wiring.AuthorizerLambda {
	return tokenwiring.Authorizer(env)
}
