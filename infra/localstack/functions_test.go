package localstack

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/filegate/filegate/infra/lambdaruntime"
	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/samtemplate"
	"github.com/filegate/filegate/shared/wiring"
)

const modulePath = "github.com/filegate/filegate"

// constructors is every function's constructor the stack calls, by logical
// ID: the routed ones and the event set's.
func constructors(t *testing.T) map[string]any {
	t.Helper()
	out := map[string]any{}
	for id, f := range routed {
		out[id] = f
	}
	ef := eventFunctions
	for _, e := range []struct {
		id string
		f  any
	}{
		{ef.authorizer.id, ef.authorizer.new}, {ef.processUpload.id, ef.processUpload.new}, {ef.cleanup.id, ef.cleanup.new},
		{ef.counters.id, ef.counters.new}, {ef.reconcile.id, ef.reconcile.new}, {ef.scanResult.id, ef.scanResult.new},
		{ef.events.id, ef.events.new}, {ef.sender.id, ef.sender.new},
	} {
		if _, dup := out[e.id]; dup || e.id == "" {
			t.Errorf("functions.go builds %q twice (or without an ID)", e.id)
		}
		out[e.id] = e.f
	}
	if len(ef.ids()) != reflect.TypeOf(ef).NumField() {
		t.Errorf("eventSet.ids lists %d IDs for %d fields", len(ef.ids()), reflect.TypeOf(ef).NumField())
	}
	return out
}

// Every template function's main starts <pkg>.New of its own
// functions/<dir>/<pkg>, and the local stack builds the function with that
// same constructor: the handler is named once, and the local gateway calls
// exactly what each Lambda runs. And back: the stack builds nothing the
// template lacks.
func TestStackBuildsWhatEachMainStarts(t *testing.T) {
	tpl := samtemplate.Repo(t)
	built := constructors(t)
	for id := range tpl.Functions {
		dir := lambdaruntime.FunctionDir(id)
		pkg := strings.ReplaceAll(dir, "-", "")
		want := modulePath + "/functions/" + dir + "/" + pkg
		t.Run(dir, func(t *testing.T) {
			ctor, ok := built[id]
			if !ok {
				t.Fatalf("functions.go has no constructor for %s (want %s.New)", id, want)
			}
			if got := runtime.FuncForPC(reflect.ValueOf(ctor).Pointer()).Name(); got != want+".New" {
				t.Errorf("the stack builds %s with %s, want %s.New", id, got, want)
			}
			if got := mainStarts(t, filepath.Join("..", "..", "functions", dir, "main.go")); got != want {
				t.Errorf("functions/%s/main.go starts %s's New, want %s.New", dir, got, want)
			}
		})
	}
	for id := range built {
		if tpl.Functions[id] == nil {
			t.Errorf("functions.go builds %s, which template.yaml lacks", id)
		}
	}
}

// mainStarts is the import path of the package whose New(env) a main
// passes lambda.Start (HTTP functions start its Handle), the only call.
func mainStarts(t *testing.T, path string) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]string{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		imports[p[strings.LastIndex(p, "/")+1:]] = p
	}
	var started []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || !isSelector(call.Fun, "lambda", "Start") || len(call.Args) != 1 {
			return true
		}
		arg := call.Args[0]
		if h, ok := arg.(*ast.SelectorExpr); ok && h.Sel.Name == "Handle" {
			arg = h.X
		}
		if ctor, ok := arg.(*ast.CallExpr); ok && len(ctor.Args) == 1 {
			if sel, ok := ctor.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "New" {
				if pkg, ok := sel.X.(*ast.Ident); ok {
					started = append(started, imports[pkg.Name])
					return true
				}
			}
		}
		started = append(started, "(not a <pkg>.New(env) call)")
		return true
	})
	if len(started) != 1 {
		t.Fatalf("%s calls lambda.Start %d times, want once", path, len(started))
	}
	return started[0]
}

func isSelector(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == pkg
}

// builtRoutes is every routed function's handler, over an environment no
// request reaches.
func builtRoutes(t *testing.T) map[string]wiring.HTTPFunction {
	t.Helper()
	env, err := wiring.Load(func(name string) string {
		return map[string]string{"TABLE_NAME": "files", "BUCKET_NAME": "uploads", "AWS_REGION": dynamodblocal.LocalRegion}[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	built := map[string]wiring.HTTPFunction{}
	for id, newFn := range routed {
		built[id] = newFn(env)
	}
	if len(built) == 0 {
		t.Fatal("functions.go builds no routed function")
	}
	return built
}

func TestTemplateRoutes(t *testing.T) {
	tpl := samtemplate.Repo(t)
	built := builtRoutes(t)
	s3 := 0
	for id, f := range tpl.Functions {
		if f.S3Events {
			s3++
		}
		fn, ok := built[id]
		if len(f.Routes) == 0 {
			if ok {
				t.Errorf("%s: functions.go routes it, but template.yaml gives it no route", id)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: template routes %q, but functions.go builds no HTTP function for it", id, f.Routes)
			continue
		}
		want := []string{fn.Route}
		if want[0] == wiring.DefaultRoute {
			// The $default function also serves the unauthenticated
			// preflight route AWS documents for an authorized $default.
			want = append(want, wiring.PreflightRoute)
		}
		if !slices.Equal(f.Routes, want) {
			t.Errorf("%s: template routes %q, its handler wants %q", id, f.Routes, want)
		}
		// Every route is behind the authorizer, but the preflight route.
		for _, r := range f.Routes {
			if tpl.PublicRoutes[r] != (r == wiring.PreflightRoute) {
				t.Errorf("%s: route %q without authorizer: %v", id, r, tpl.PublicRoutes[r])
			}
		}
	}
	if a := tpl.Functions[tpl.AuthorizerID]; a == nil || len(a.Routes) > 0 || a.S3Events {
		t.Errorf("authorizer %q: not found, or it also has events", tpl.AuthorizerID)
	}
	if s3 != 1 {
		t.Errorf("%d S3-triggered functions, want exactly 1 (process-upload)", s3)
	}
}
