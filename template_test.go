package template_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/filegate/filegate/infra/lambdaruntime"
	"github.com/filegate/filegate/infra/localstack/samtemplate"
	"github.com/filegate/filegate/infra/sampleevents"
	"github.com/filegate/filegate/shared/dynamostore"
)

// The template lists the functions; the Makefile builds each from
// functions/<dir>, events/ holds a sample of each (or sampleevents makes
// one of an HTTP function's route), and the local stack
// builds each with its main's constructor (infra/localstack's
// TestStackBuildsWhatEachMainStarts): these tests keep the lists equal, so
// `sam build`, `make build`, the local stack and the samples cannot drift
// apart.

const repoRoot = "."

func TestTemplateFunctions(t *testing.T) {
	tpl := samtemplate.Repo(t)
	byDir := map[string]string{}
	for id, f := range tpl.Functions {
		dir := lambdaruntime.FunctionDir(id)
		byDir[dir] = id
		t.Run(id, func(t *testing.T) {
			if f.Build != "makefile" || f.CodeURI != "." {
				t.Errorf("Metadata.BuildMethod %q, CodeUri %q; want makefile and \".\"", f.Build, f.CodeURI)
			}
			if _, err := os.Stat(filepath.Join(repoRoot, "functions", dir, "main.go")); err != nil {
				t.Error(err)
			}
			// Its sample: committed, or the default request of its one route.
			if _, err := sampleevents.For(repoRoot, f); err != nil {
				t.Error(err)
			}
			// What `sam build` runs for the function.
			checkBuildRecipe(t, dryRunMake(t, "build-"+id, "ARTIFACTS_DIR="+artifactsDir), dir)
		})
	}
	if len(byDir) == 0 {
		t.Fatal("template.yaml has no functions")
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
	// `make build` builds exactly the template's functions, once each.
	built := map[string]int{}
	for _, line := range strings.Split(dryRunMake(t, "build", "ARTIFACTS_DIR="+artifactsDir), "\n") {
		if words := shellWords(line); slices.Contains(words, "build") && len(words) > 0 {
			if dir, ok := strings.CutPrefix(words[len(words)-1], "./functions/"); ok {
				built[dir]++
			}
		}
	}
	for dir, id := range byDir {
		if built[dir] != 1 {
			t.Errorf("make build builds functions/%s (%s) %d times, want once", dir, id, built[dir])
		}
	}
	for dir := range built {
		if byDir[dir] == "" {
			t.Errorf("make build builds functions/%s, which template.yaml lacks", dir)
		}
	}
	// A logical ID the template lacks builds nothing.
	cmd := exec.CommandContext(t.Context(), "make", "-s", "build-NoSuchFunction", "ARTIFACTS_DIR="+t.TempDir())
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("make build-NoSuchFunction succeeded:\n%s", out)
	}
}

// artifactsDir stands for the ARTIFACTS_DIR SAM sets, in dry runs.
const artifactsDir = "ARTIFACTS"

// dryRunMake is what `make -n` prints for target: the commands, expanded.
func dryRunMake(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "make", append([]string{"-n", "--no-print-directory"}, args...)...)
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// checkBuildRecipe wants `GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build
// <BuildFlags> -o $(ARTIFACTS_DIR)/bootstrap ./functions/<dir>`, as SAM's
// makefile build runs it (ARTIFACTS_DIR set to artifactsDir).
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
		want := append(slices.Clone(lambdaruntime.BuildFlags), "-o", artifactsDir+"/bootstrap", "./functions/"+dir)
		if !slices.Equal(args, want) {
			t.Errorf("go build %q, want %q (lambdaruntime.BuildFlags must match the Makefile)", args, want)
		}
		return
	}
	t.Errorf("no `go build` line in the recipe:\n%s", recipe)
}

func TestTemplateTable(t *testing.T) {
	tab := samtemplate.Repo(t).Table
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
