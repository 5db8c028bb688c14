package template_test

import (
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/filegate/filegate/infra/lambdaruntime"
	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/infra/localstack/dynamodblocal"
	"github.com/filegate/filegate/infra/localstack/samtemplate"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/wiring"
)

// The template, the Makefile, functions/, events/ and the local stack's
// functions.go each list the functions; these tests keep the lists equal, so
// `sam build`, `make build`, the local stack and the samples cannot drift
// apart.

const repoRoot = "."

func repoTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	tpl, err := samtemplate.ReadTemplate(filepath.Join(repoRoot, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Functions) == 0 {
		t.Fatal("template.yaml has no AWS::Serverless::Function")
	}
	return tpl
}

func TestTemplateFunctions(t *testing.T) {
	tpl := repoTemplate(t)
	mk := readMakefile(t, filepath.Join(repoRoot, "Makefile"))
	byDir := map[string]string{}
	for id, f := range tpl.Functions {
		dir := lambdaruntime.FunctionDir(id)
		byDir[dir] = id
		t.Run(id, func(t *testing.T) {
			if f.Build != "makefile" || f.CodeURI != "." {
				t.Errorf("Metadata.BuildMethod %q, CodeUri %q; want makefile and \".\"", f.Build, f.CodeURI)
			}
			for _, p := range []string{"functions/" + dir + "/main.go", "events/" + sampleName(f)} {
				if _, err := os.Stat(filepath.Join(repoRoot, p)); err != nil {
					t.Errorf("%s: %v", p, err)
				}
			}
			recipe, ok := mk.targets["build-"+id]
			if !ok {
				t.Fatalf("Makefile has no build-%s target (sam build runs it)", id)
			}
			checkBuildRecipe(t, mk.expand(recipe), dir)
		})
	}
	// And back: nothing built or kept that the template does not deploy.
	entries, err := os.ReadDir(filepath.Join(repoRoot, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := byDir[e.Name()]; e.IsDir() && !ok {
			t.Errorf("functions/%s is no function of template.yaml", e.Name())
		}
	}
	for target := range mk.targets {
		if id, ok := strings.CutPrefix(target, "build-"); ok && strings.HasSuffix(id, "Function") && tpl.Functions[id] == nil {
			t.Errorf("Makefile target %s builds %s, which template.yaml lacks", target, id)
		}
	}
}

// sampleName is a function's events/ sample (the e2e entry test feeds it to
// the binary): <dir>.json, except the stream consumers', named for their records.
func sampleName(f *samtemplate.TemplateFunction) string {
	if name, ok := streamSamples[f.LogicalID]; ok {
		return name
	}
	return lambdaruntime.FunctionDir(f.LogicalID) + ".json"
}

var streamSamples = map[string]string{
	"CleanupFunction":    "dynamodb-ttl-remove.json",
	"CountersFunction":   "dynamodb-file-changes.json",
	"FileEventsFunction": "dynamodb-file-events.json",
}

// checkBuildRecipe wants `GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build
// <BuildFlags> -o $(ARTIFACTS_DIR)/bootstrap ./functions/<dir>`, as SAM's
// makefile build runs it.
func checkBuildRecipe(t *testing.T, recipe, dir string) {
	t.Helper()
	for _, line := range strings.Split(recipe, "\n") {
		words := shellWords(line)
		i := slices.Index(words, "build")
		if i < 1 || words[i-1] != "go" {
			continue
		}
		env, args := words[:i-1], words[i+1:]
		for _, kv := range []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"} {
			if !slices.Contains(env, kv) {
				t.Errorf("build line %q lacks %s", line, kv)
			}
		}
		want := append(slices.Clone(lambdaruntime.BuildFlags), "-o", "$(ARTIFACTS_DIR)/bootstrap", "./functions/"+dir)
		if !slices.Equal(args, want) {
			t.Errorf("go build %q, want %q (lambdaruntime.BuildFlags must match the Makefile)", args, want)
		}
		return
	}
	t.Errorf("no `go build` line in the recipe:\n%s", recipe)
}

// builtFunctions is every function's handler as the local stack builds it,
// over an environment no request reaches.
func builtFunctions(t *testing.T) map[string]any {
	t.Helper()
	env, err := wiring.Load(func(name string) string {
		return map[string]string{"TABLE_NAME": "files", "BUCKET_NAME": "uploads", "AWS_REGION": dynamodblocal.LocalRegion}[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	built := map[string]any{}
	for id, build := range localstack.Functions() {
		built[id] = build(env)
	}
	return built
}

func TestTemplateRoutes(t *testing.T) {
	tpl := repoTemplate(t)
	built := builtFunctions(t)
	s3 := 0
	for id, f := range tpl.Functions {
		if f.S3Events {
			s3++
		}
		if len(f.Routes) == 0 {
			continue
		}
		fn, ok := built[id].(wiring.HTTPFunction)
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
	for id, fn := range built {
		f := tpl.Functions[id]
		if f == nil {
			t.Errorf("functions.go builds %s, which template.yaml lacks", id)
			continue
		}
		if h, ok := fn.(wiring.HTTPFunction); ok && !slices.Contains(f.Routes, h.Route) {
			t.Errorf("%s serves %q, which is not among its template routes %q", id, h.Route, f.Routes)
		}
	}
	if a := tpl.Functions[tpl.AuthorizerID]; a == nil || len(a.Routes) > 0 || a.S3Events {
		t.Errorf("authorizer %q: not found, or it also has events", tpl.AuthorizerID)
	}
	if s3 != 1 {
		t.Errorf("%d S3-triggered functions, want exactly 1 (process-upload)", s3)
	}
}

// Each main passes lambda.Start exactly one handler, built by typed
// constructors the compiler checks, and functions.go builds the same
// expression for the local stack: the local gateway calls exactly the
// handler each main starts.
func TestMainsStartWhatTheStackServes(t *testing.T) {
	stack := registeredExprs(t)
	for id := range repoTemplate(t).Functions {
		dir := lambdaruntime.FunctionDir(id)
		t.Run(dir, func(t *testing.T) {
			fset := token.NewFileSet()
			path := filepath.Join(repoRoot, "functions", dir, "main.go")
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			var started []string
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if sel, isSel := callee(call); ok && isSel && sel == "lambda.Start" && len(call.Args) == 1 {
					arg := call.Args[0]
					if h, ok := arg.(*ast.SelectorExpr); ok && h.Sel.Name == "Handle" {
						arg = h.X // HTTP functions start their Handle
					}
					started = append(started, render(fset, arg))
				}
				return true
			})
			if len(started) != 1 {
				t.Fatalf("%s calls lambda.Start %d times, want once", path, len(started))
			}
			if want, ok := stack[id]; !ok {
				t.Errorf("functions.go has no entry for %s (its main starts %s)", id, started[0])
			} else if started[0] != want {
				t.Errorf("main starts %s\nthe local stack serves %s", started[0], want)
			}
		})
	}
}

// registeredExprs is functions.go's map literal: logical ID → the source of
// the handler its function returns.
func registeredExprs(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(repoRoot, "infra", "localstack", "functions.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		lit, ok := kv.Key.(*ast.BasicLit)
		fn, isFunc := kv.Value.(*ast.FuncLit)
		if !ok || lit.Kind != token.STRING || !isFunc || len(fn.Body.List) != 1 {
			return true
		}
		if ret, ok := fn.Body.List[0].(*ast.ReturnStmt); ok && len(ret.Results) == 1 {
			id, _ := strconv.Unquote(lit.Value)
			out[id] = render(fset, ret.Results[0])
		}
		return false
	})
	if len(out) == 0 {
		t.Fatal("functions.go builds no functions")
	}
	return out
}

// callee is the name a call is made through, as written ("lambda.Start").
func callee(call *ast.CallExpr) (string, bool) {
	if call == nil {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", false
	}
	return pkg.Name + "." + sel.Sel.Name, true
}

func render(fset *token.FileSet, n ast.Node) string {
	var b strings.Builder
	_ = printer.Fprint(&b, fset, n)
	return b.String()
}

func TestTemplateTable(t *testing.T) {
	tab := repoTemplate(t).Table
	if want := []samtemplate.KeyElement{{AttributeName: "pk", KeyType: "HASH"}, {AttributeName: "sk", KeyType: "RANGE"}}; !slices.Equal(tab.KeySchema, want) {
		t.Errorf("KeySchema %v, want %v", tab.KeySchema, want)
	}
	used := map[string]bool{"pk": true, "sk": true}
	found := false
	for _, g := range tab.GlobalSecondaryIndexes {
		for _, k := range g.KeySchema {
			used[k.AttributeName] = true
		}
		if g.IndexName == dynamostore.IndexNewest {
			found = true
			if want := []samtemplate.KeyElement{{AttributeName: "lpk", KeyType: "HASH"}, {AttributeName: "lsk", KeyType: "RANGE"}}; !slices.Equal(g.KeySchema, want) || g.Projection.ProjectionType != "KEYS_ONLY" {
				t.Errorf("%s: keys %v projection %q, want %v KEYS_ONLY", g.IndexName, g.KeySchema, g.Projection.ProjectionType, want)
			}
		}
	}
	if !found {
		t.Errorf("no index %q (dynamostore.IndexNewest)", dynamostore.IndexNewest)
	}
	// CloudFormation wants exactly the key attributes defined.
	defined := map[string]bool{}
	for _, a := range tab.AttributeDefinitions {
		defined[a.AttributeName] = true
		if !used[a.AttributeName] {
			t.Errorf("attribute %s is defined but keys nothing", a.AttributeName)
		}
	}
	for a := range used {
		if !defined[a] {
			t.Errorf("key attribute %s has no AttributeDefinition", a)
		}
	}
	if ttl := tab.TimeToLiveSpecification; ttl.AttributeName != "ttl" || !ttl.Enabled {
		t.Errorf("TimeToLiveSpecification %+v, want ttl enabled", ttl)
	}
	// The TTL clean-up reads the removed item's old image from the stream.
	if v := tab.StreamSpecification.StreamViewType; v != "NEW_AND_OLD_IMAGES" && v != "OLD_IMAGE" {
		t.Errorf("StreamViewType %q carries no old image", v)
	}
	if tab.BillingMode != "PAY_PER_REQUEST" {
		t.Errorf("BillingMode %q", tab.BillingMode)
	}
}

func TestTemplateCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint is not on PATH: install cfn-lint: pip install cfn-lint")
	}
	cmd := exec.CommandContext(t.Context(), bin, "template.yaml")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}

// makefile is the little of make's syntax the Makefile uses for builds:
// simple variables, define blocks, $(call …) and targets with recipes.
type makefile struct {
	vars    map[string]string
	defines map[string]string
	targets map[string]string // target → recipe lines
}

var (
	makeVarRe    = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|\?=|=)\s*(.*)$`)
	makeTargetRe = regexp.MustCompile(`^([A-Za-z0-9_.-]+):(?:\s|$)`)
	makeCallRe   = regexp.MustCompile(`\$\(call ([A-Za-z_][A-Za-z0-9_]*),([^)]*)\)`)
	makeRefRe    = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
)

func readMakefile(t *testing.T, path string) *makefile {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mk := &makefile{vars: map[string]string{}, defines: map[string]string{}, targets: map[string]string{}}
	var define, target string
	for _, line := range strings.Split(string(raw), "\n") {
		switch {
		case define != "":
			if strings.TrimSpace(line) == "endef" {
				define = ""
			} else {
				mk.defines[define] += line + "\n"
			}
		case strings.HasPrefix(line, "define "):
			define, target = strings.TrimSpace(strings.TrimPrefix(line, "define ")), ""
		case strings.HasPrefix(line, "\t") && target != "":
			mk.targets[target] += line + "\n"
		case makeTargetRe.MatchString(line) && !strings.Contains(line, ":="):
			target = makeTargetRe.FindStringSubmatch(line)[1]
			mk.targets[target] += ""
		case makeVarRe.MatchString(line):
			m := makeVarRe.FindStringSubmatch(line)
			mk.vars[m[1]], target = m[2], ""
		case strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "#"):
			target = ""
		}
	}
	return mk
}

// expand resolves calls and variables; ARTIFACTS_DIR stays, as SAM sets it.
func (mk *makefile) expand(s string) string {
	for range 10 {
		next := makeCallRe.ReplaceAllStringFunc(s, func(m string) string {
			sub := makeCallRe.FindStringSubmatch(m)
			return strings.ReplaceAll(strings.TrimRight(mk.defines[sub[1]], "\n"), "$(1)", sub[2])
		})
		next = makeRefRe.ReplaceAllStringFunc(next, func(m string) string {
			name := makeRefRe.FindStringSubmatch(m)[1]
			if v, ok := mk.vars[name]; ok && name != "ARTIFACTS_DIR" {
				return v
			}
			return m
		})
		if next == s {
			break
		}
		s = next
	}
	return s
}

// shellWords splits a command line as sh would for plain words and quotes.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, c := range line {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(c)
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == ' ' || c == '\t':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
