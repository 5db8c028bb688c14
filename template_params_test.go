package template_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/wiring"
)

// globalEnvParams maps each function environment variable set from a
// parameter (Globals.Function.Environment: VAR: !Ref Param) to its parameter.
func globalEnvParams(t *testing.T, doc cfnDoc) map[string]string {
	t.Helper()
	vars, _ := at(doc.section("Globals"), "Function", "Environment", "Variables").(map[string]any)
	out := map[string]string{}
	for name, v := range vars {
		if p := refTo(v); p != "" && doc.section("Parameters")[p] != nil {
			out[name] = p
		}
	}
	if len(out) == 0 {
		t.Fatal("no function environment variable is set from a parameter")
	}
	return out
}

// The functions accept exactly what the template's parameters allow: every
// numeric parameter a function reads has a MinValue and a MaxValue, and the
// configuration takes both bounds and refuses one past either, so a value
// CloudFormation lets through never fails a function's start, and a value a
// function would refuse never deploys.
func TestConfigAcceptsExactlyWhatTheTemplateAllows(t *testing.T) {
	doc := readCfnDoc(t)
	for env, name := range globalEnvParams(t, doc) {
		p, _ := doc.section("Parameters")[name].(map[string]any)
		if p["Type"] != "Number" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			if p["MinValue"] == nil || p["MaxValue"] == nil {
				t.Fatalf("no MinValue or MaxValue: %v", p)
			}
			lo, hi := number(t, p["MinValue"], "MinValue"), number(t, p["MaxValue"], "MaxValue")
			for v, ok := range map[int64]bool{lo: true, hi: true, number(t, p["Default"], "Default"): true, lo - 1: false, hi + 1: false} {
				vars := map[string]string{"TABLE_NAME": localstack.TableName, "BUCKET_NAME": localstack.BucketName, env: fmt.Sprint(v)}
				if _, err := wiring.Load(func(name string) string { return vars[name] }); (err == nil) != ok {
					t.Errorf("%s=%d: config error %v, want accepted=%v (template allows %d..%d)", env, v, err, ok, lo, hi)
				}
			}
		})
	}
}

// No URL the API signs may be asked to live longer than an hour (docs/ARCHITECTURE.md "Limits and lifetimes"):
// every URL lifetime parameter stops at 3600 s.
func TestURLLifetimeParametersStopAtAnHour(t *testing.T) {
	doc := readCfnDoc(t)
	envs := globalEnvParams(t, doc)
	found := 0
	for _, env := range []string{"UPLOAD_URL_TTL_SECONDS", "DOWNLOAD_URL_TTL_SECONDS"} {
		name := envs[env]
		p, _ := doc.section("Parameters")[name].(map[string]any)
		if p == nil {
			t.Errorf("%s is not set from a parameter", env)
			continue
		}
		found++
		if hi := number(t, p["MaxValue"], name+".MaxValue"); hi > 3600 {
			t.Errorf("%s allows URLs of %d s; at most 3600", name, hi)
		}
	}
	if found != 2 {
		t.Errorf("found %d URL lifetime parameters, want 2", found)
	}
}

// bucketNameValid is S3's naming rules for general purpose buckets, plus no
// dots (a dotted name breaks TLS for virtual-hosted presigned URLs).
func bucketNameValid(name string) bool {
	if len(name) < 3 || len(name) > 63 || !regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`).MatchString(name) {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}

// The bucket prefix parameter accepts exactly the prefixes that make a valid
// bucket name (<prefix>-<account>-<region>-uploads) in every account and
// region: the longest region name bounds its length, and S3's reserved
// prefixes (xn--, sthree-, amzn-s3-demo-) count with the hyphen the name adds.
// CloudFormation's AllowedPattern is a Java regular expression with
// look-ahead, which Go's regexp lacks; Python's re (cfn-lint's) reads it alike.
func TestBucketNamePrefixAllowsExactlyValidBucketNames(t *testing.T) {
	p, _ := readCfnDoc(t).section("Parameters")["BucketNamePrefix"].(map[string]any)
	pattern := str(p["AllowedPattern"])
	candidates := []string{"", "a", "filegate", "my-stack", "0", "-a", "A", "a.b", "a_b", "a-", "a--",
		"xn", "xn-", "xn--", "xn--a", "xna", "sthree", "sthree-", "sthree-a", "sthreea", "sthre",
		"amzn-s3-demo", "amzn-s3-demo-", "amzn-s3-demo-x", "amzn-s3-demox", "amzn-s3-dem", "amzn",
		strings.Repeat("a", 25), strings.Repeat("a", 26), strings.Repeat("a", 27), strings.Repeat("9", 26)}
	for _, a := range "ax-0" {
		for _, b := range "ax-0" {
			candidates = append(candidates, string(a)+string(b), string(a)+string(b)+"-")
		}
	}
	matched := pythonFullMatch(t, pattern, candidates)
	const account, longestRegion = "123456789012", "us-isof-south-1"
	for i, c := range candidates {
		want := bucketNameValid(c+"-"+account+"-"+longestRegion+"-uploads") && c != ""
		if matched[i] != want {
			t.Errorf("prefix %q: AllowedPattern accepts it = %v, but the bucket name is valid = %v", c, matched[i], want)
		}
	}
}

// pythonFullMatch reports which values pattern matches as a whole.
func pythonFullMatch(t *testing.T, pattern string, values []string) []bool {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is not on PATH (cfn-lint needs it too): install Python 3")
	}
	in, _ := json.Marshal(map[string]any{"pattern": pattern, "values": values})
	cmd := exec.CommandContext(t.Context(), py, "-c", `import json, re, sys
d = json.load(sys.stdin)
print(json.dumps([re.fullmatch(d["pattern"], v) is not None for v in d["values"]]))`)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var res []bool
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(values) {
		t.Fatalf("python3 answered %s (%v)", out, err)
	}
	return res
}
