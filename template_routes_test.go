package template_test

import (
	"slices"
	"testing"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
)

// TestDialectRoutesAreTheTemplateRoutes keeps each dialect's Routes() (which
// the default route uses to tell a 405 from a 404) equal to the routes
// template.yaml deploys: a route added to one and not the other fails here.
func TestDialectRoutesAreTheTemplateRoutes(t *testing.T) {
	var deployed []string
	for _, f := range samtemplate.Repo(t).Functions {
		for _, r := range f.Routes {
			if r != wiring.DefaultRoute && r != wiring.PreflightRoute {
				deployed = append(deployed, r)
			}
		}
	}
	declared := append(nativeapi.Routes(), compatapi.Routes()...)
	slices.Sort(deployed)
	slices.Sort(declared)
	for _, r := range deployed {
		if !slices.Contains(declared, r) {
			t.Errorf("template.yaml deploys %q, which no dialect's Routes() lists", r)
		}
	}
	for _, r := range declared {
		if !slices.Contains(deployed, r) {
			t.Errorf("a dialect's Routes() lists %q, which template.yaml does not deploy", r)
		}
	}
}
