package localstack

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/filegate/filegate/infra/lambdaruntime"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/wiring"
)

// The template, the Makefile, functions/, events/ and wiring each list the
// functions; these tests keep the lists equal, so `sam build`, `make build`,
// the local stack and the samples cannot drift apart.

const repoRoot = "../.."

func repoTemplate(t *testing.T) *Template {
	t.Helper()
	tpl, err := ReadTemplate(filepath.Join(repoRoot, "template.yaml"))
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
// the binary): <dir>.json, except the stream consumer's, named for its record.
func sampleName(f *TemplateFunction) string {
	if f.Stream {
		return "dynamodb-ttl-remove.json"
	}
	return lambdaruntime.FunctionDir(f.LogicalID) + ".json"
}

// checkBuildRecipe wants `GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build
// <BuildFlags> -o $(ARTIFACTS_DIR)/bootstrap ./functions/<dir>` (DESIGN §6).
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

func TestTemplateRoutes(t *testing.T) {
	tpl := repoTemplate(t)
	s3 := 0
	for id, f := range tpl.Functions {
		if f.S3Events {
			s3++
		}
		if len(f.Routes) == 0 {
			continue
		}
		want := []string{wiring.HTTPFunctions[id]}
		if want[0] == wiring.DefaultRoute {
			// The $default function also serves the unauthenticated
			// preflight route AWS documents for an authorized $default.
			want = append(want, wiring.PreflightRoute)
		}
		if !slices.Equal(f.Routes, want) {
			t.Errorf("%s: template routes %q, wiring wants %q", id, f.Routes, want)
		}
		// Every route is behind the authorizer, but the preflight route.
		for _, r := range f.Routes {
			if tpl.PublicRoutes[r] != (r == wiring.PreflightRoute) {
				t.Errorf("%s: route %q without authorizer: %v", id, r, tpl.PublicRoutes[r])
			}
		}
	}
	for id, route := range wiring.HTTPFunctions {
		if f := tpl.Functions[id]; f == nil || !slices.Contains(f.Routes, route) {
			t.Errorf("wiring.HTTPFunctions[%s] = %q is not in template.yaml", id, route)
		}
	}
	if a := tpl.Functions[tpl.AuthorizerID]; a == nil || len(a.Routes) > 0 || a.S3Events {
		t.Errorf("authorizer %q: not found, or it also has events", tpl.AuthorizerID)
	}
	if s3 != 1 {
		t.Errorf("%d S3-triggered functions, want exactly 1 (process-upload)", s3)
	}
}

func TestTemplateTable(t *testing.T) {
	tab := repoTemplate(t).Table
	if want := []keyElement{{"pk", "HASH"}, {"sk", "RANGE"}}; !slices.Equal(tab.KeySchema, want) {
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
			if want := []keyElement{{"lpk", "HASH"}, {"lsk", "RANGE"}}; !slices.Equal(g.KeySchema, want) || g.Projection.ProjectionType != "KEYS_ONLY" {
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
