package template_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/filegate/filegate/infra/localstack/samtemplate"
)

// What a deployed role may do is only visible after SAM's transform: SAM
// adds managed policies (AWSLambdaDynamoDBExecutionRole for a DynamoDB
// event: GetRecords on every stream of the account) that template.yaml
// never names. These tests read the template the way CloudFormation gets
// it, transformed offline by samtranslator (which cfn-lint installs and
// uses), with a fixed managed-policy map in place of IAM's list.

// samTransform is the Python side: parse template.yaml with its short-form
// intrinsics, point CodeUri at S3 (the translator refuses local paths, as
// cfn-lint's own transform does), translate, print JSON.
const samTransform = `
import json, os, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

class Policies:
    """IAM's managed-policy list, fixed: no AWS call."""
    def load(self):
        return {name: "arn:aws:iam::aws:policy/" + path + name for name, path in [
            ("AWSLambdaBasicExecutionRole", "service-role/"),
            ("AWSLambdaDynamoDBExecutionRole", "service-role/"),
            ("AWSLambdaSQSQueueExecutionRole", "service-role/"),
            ("AWSLambdaKinesisExecutionRole", "service-role/"),
            ("AWSXrayWriteOnlyAccess", ""),
            ("AWSXRayDaemonWriteAccess", ""),
        ]}

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
with open(sys.argv[1]) as f:
    tpl = yaml_parse(f.read())
for r in tpl.get("Resources", {}).values():
    if r.get("Type") == "AWS::Serverless::Function":
        r["Properties"]["CodeUri"] = "s3://bucket/code.zip"
json.dump(transform(tpl, {}, Policies()), sys.stdout)
`

// transformed is template.yaml after SAM's transform, made once per test
// binary (the transform takes seconds).
var transformed struct {
	once sync.Once
	out  []byte
	err  error
}

// transformedTemplate is template.yaml after SAM's transform. A missing
// python3 or samtranslator fails the test, saying how to get them.
func transformedTemplate(t *testing.T) cfnDoc {
	t.Helper()
	transformed.once.Do(func() { transformed.out, transformed.err = samTransformTemplate() })
	if transformed.err != nil {
		t.Fatal(transformed.err)
	}
	var doc cfnDoc
	if err := json.Unmarshal(transformed.out, &doc); err != nil {
		t.Fatalf("SAM transform output: %v", err)
	}
	return doc
}

func samTransformTemplate() ([]byte, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return nil, errors.New("python3 is not on PATH (cfn-lint needs it too): install Python 3, then pip install cfn-lint")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, py, "-c", "import samtranslator").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("python3 cannot import samtranslator (aws-sam-translator, installed with cfn-lint): pip install cfn-lint\n%s", out)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, py, "-c", samTransform, filepath.Join(repoRoot, "template.yaml"))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("SAM transform of template.yaml: %v\n%s", err, stderr.String())
	}
	return out, nil
}

// The managed policies a function role may carry: their grants are known
// (logs and X-Ray only). Any other would grant what this test cannot see.
var knownManagedPolicies = []string{"AWSLambdaBasicExecutionRole", "AWSXrayWriteOnlyAccess"}

// iamStatement is one statement of a role's policies, as CloudFormation gets it.
type iamStatement struct {
	Role      string
	Effect    string
	Actions   []string
	Resources []any
	Not       bool // NotAction or NotResource: unbounded, refused
}

// roleGrants reads every role's managed policies and statements: inline
// ones and those of AWS::IAM::Policy, ManagedPolicy and RolePolicy
// resources that name the role.
func roleGrants(t *testing.T, doc cfnDoc) (managed map[string][]string, stmts []iamStatement) {
	t.Helper()
	managed = map[string][]string{}
	read := func(role string, document any) {
		for _, s := range listOrOne(at(document, "Statement")) {
			m, _ := s.(map[string]any)
			st := iamStatement{Role: role, Effect: str(m["Effect"]), Not: m["NotAction"] != nil || m["NotResource"] != nil}
			for _, a := range listOrOne(m["Action"]) {
				st.Actions = append(st.Actions, str(a))
			}
			st.Resources = listOrOne(m["Resource"])
			stmts = append(stmts, st)
		}
	}
	for id, r := range doc.resources(t, "AWS::IAM::Role") {
		managed[id] = nil
		for _, arn := range list(at(r, "Properties", "ManagedPolicyArns")) {
			managed[id] = append(managed[id], flattenIntrinsic(arn))
		}
		for _, p := range list(at(r, "Properties", "Policies")) {
			read(id, at(p, "PolicyDocument"))
		}
	}
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"} {
		for id, r := range doc.anyResources(typ) {
			roles := listOrOne(at(r, "Properties", "Roles"))
			if rn := at(r, "Properties", "RoleName"); rn != nil {
				roles = append(roles, rn)
			}
			if len(roles) == 0 {
				t.Errorf("%s %s attaches to no role of the template: its grants are not checked", typ, id)
			}
			for _, role := range roles {
				read(logicalID(role), at(r, "Properties", "PolicyDocument"))
			}
		}
	}
	return managed, stmts
}

// functionRoles maps each role to the Lambda function that assumes it.
func functionRoles(t *testing.T, doc cfnDoc) map[string]string {
	t.Helper()
	out := map[string]string{}
	for id, f := range doc.resources(t, "AWS::Lambda::Function") {
		role := logicalID(at(f, "Properties", "Role"))
		if role == "" {
			t.Errorf("function %s: role %v is not a role of the template", id, at(f, "Properties", "Role"))
		}
		out[role] = id
	}
	return out
}

// The stream's read actions, and the resources a grant of them may name:
// the table's stream ARN; ListStreams (which returns stream ARNs, no
// records) also the table's streams, as AWS's own DynamoDBStreamReadPolicy
// template writes it.
var (
	streamReads  = []string{"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream"}
	streamList   = "dynamodb:ListStreams"
	tableStream  = `{"Fn::GetAtt":["FilesTable","StreamArn"]}`
	tableStreams = `{"Fn::Sub":"${FilesTable.Arn}/stream/*"}`
)

// No role can read a stream other than the table's: no managed policy
// beyond logs and X-Ray, and every grant of a stream action names only the
// table's stream. Each stream consumer's role holds those grants (else
// creating its event source mapping fails).
func TestTransformedRolesReadOnlyTheTablesStream(t *testing.T) {
	doc := transformedTemplate(t)
	managed, stmts := roleGrants(t, doc)
	for role, arns := range managed {
		for _, arn := range arns {
			name := arn[strings.LastIndex(arn, "/")+1:]
			if !slices.Contains(knownManagedPolicies, name) {
				t.Errorf("role %s carries managed policy %s: its grants are not what template.yaml writes (want only %v)", role, arn, knownManagedPolicies)
			}
		}
	}
	granted := map[string]map[string]bool{} // role → stream action → granted on the table's stream
	for _, s := range stmts {
		if s.Effect != "Allow" {
			continue
		}
		for _, action := range append(slices.Clone(streamReads), streamList) {
			if !matchesAny(s.Actions, action) {
				continue
			}
			if s.Not {
				t.Errorf("role %s: a NotAction/NotResource statement grants %s", s.Role, action)
				continue
			}
			for _, r := range s.Resources {
				res := canonical(r)
				if res != tableStream && (action != streamList || res != tableStreams) {
					t.Errorf("role %s: %s granted on %s, which is not the table's stream", s.Role, action, res)
				}
			}
			if granted[s.Role] == nil {
				granted[s.Role] = map[string]bool{}
			}
			granted[s.Role][action] = true
		}
	}
	roles := functionRoles(t, doc)
	consumers := 0
	for id, m := range doc.resources(t, "AWS::Lambda::EventSourceMapping") {
		src := canonical(at(m, "Properties", "EventSourceArn"))
		if !strings.Contains(src, "StreamArn") && !strings.Contains(src, "stream") {
			continue
		}
		consumers++
		if src != tableStream {
			t.Errorf("event source mapping %s reads %s, not the table's stream", id, src)
		}
		fn := logicalID(at(m, "Properties", "FunctionName"))
		role := ""
		for r, f := range roles {
			if f == fn {
				role = r
			}
		}
		for _, a := range append(slices.Clone(streamReads), streamList) {
			if !granted[role][a] {
				t.Errorf("stream consumer %s (role %q) lacks %s on the table's stream", fn, role, a)
			}
		}
	}
	if consumers < 2 {
		t.Errorf("%d stream event source mappings, want the cleanup's and the counters' at least", consumers)
	}
}

// Only the functions that sign or verify (upload tokens; webhooks, whose
// endpoint secrets derive from it) can read the root secret, and only they
// are told where it is.
func TestOnlyTokenFunctionsReadTheRootSecret(t *testing.T) {
	signers := []string{"AuthorizerFunction", "MintUploadTokenFunction",
		"FileEventsFunction", "WebhookSenderFunction", "CreateWebhookEndpointFunction", "RotateWebhookSecretFunction"}
	doc := transformedTemplate(t)
	secrets := doc.resources(t, "AWS::SecretsManager::Secret")
	if _, ok := secrets["RootSecret"]; !ok || len(secrets) != 1 {
		t.Fatalf("secrets %v: want one, RootSecret", keysOf(secrets))
	}
	if at(secrets["RootSecret"], "Properties", "GenerateSecretString") == nil || at(secrets["RootSecret"], "Properties", "SecretString") != nil {
		t.Error("RootSecret must be generated (GenerateSecretString), never written in the template")
	}
	_, stmts := roleGrants(t, doc)
	roles := functionRoles(t, doc)
	readers := map[string]bool{}
	for _, s := range stmts {
		if s.Effect != "Allow" || !slices.ContainsFunc(s.Actions, func(a string) bool { return globMatch(strings.ToLower(a), "secretsmanager:getsecretvalue") }) {
			continue
		}
		if s.Not {
			t.Errorf("role %s: a NotAction/NotResource statement grants secretsmanager:GetSecretValue", s.Role)
		}
		for _, r := range s.Resources {
			if res := canonical(r); res != `{"Ref":"RootSecret"}` {
				t.Errorf("role %s: secretsmanager:GetSecretValue on %s, want the root secret alone", s.Role, res)
			}
		}
		readers[roles[s.Role]] = true
		if !slices.Contains(signers, roles[s.Role]) {
			t.Errorf("%s (role %s) can read the root secret; only %v sign or verify", roles[s.Role], s.Role, signers)
		}
	}
	for _, s := range stmts {
		for _, a := range s.Actions {
			if a := strings.ToLower(a); strings.HasPrefix(a, "secretsmanager:") && !globMatch(a, "secretsmanager:getsecretvalue") {
				t.Errorf("role %s is granted %s: functions only read the secret", s.Role, a)
			}
		}
	}
	for _, fn := range signers {
		if !readers[fn] {
			t.Errorf("%s cannot read the root secret", fn)
		}
	}
	for id, f := range doc.resources(t, "AWS::Lambda::Function") {
		v := at(f, "Properties", "Environment", "Variables", "ROOT_SECRET_ARN")
		if slices.Contains(signers, id) != (v != nil) || (v != nil && canonical(v) != `{"Ref":"RootSecret"}`) {
			t.Errorf("%s: ROOT_SECRET_ARN = %s; only %v name the root secret", id, canonical(v), signers)
		}
	}
}

// matchesAny reports whether some IAM action pattern (wildcards, any case)
// covers action.
func matchesAny(patterns []string, action string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return globMatch(strings.ToLower(p), strings.ToLower(action)) })
}

func globMatch(pattern, v string) bool { return samtemplate.AnyGlob([]string{pattern}, v) }

// canonical renders a template value as compact JSON, GetAtt in its long
// (list) form, so two spellings of one reference compare equal.
func canonical(v any) string {
	if m, ok := v.(map[string]any); ok {
		if g, ok := m["Fn::GetAtt"].(string); ok {
			id, attr, _ := strings.Cut(g, ".")
			v = map[string]any{"Fn::GetAtt": []any{id, attr}}
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// logicalID is what {"Ref": X} or {"Fn::GetAtt": [X, ...]} refers to.
func logicalID(v any) string {
	m, _ := v.(map[string]any)
	if r, ok := m["Ref"].(string); ok {
		return r
	}
	switch g := m["Fn::GetAtt"].(type) {
	case []any:
		if len(g) > 0 {
			return str(g[0])
		}
	case string:
		id, _, _ := strings.Cut(g, ".")
		return id
	}
	return ""
}

// flattenIntrinsic is an ARN written as a string or {"Fn::Sub": string}.
func flattenIntrinsic(v any) string {
	if m, ok := v.(map[string]any); ok {
		return fmt.Sprint(m["Fn::Sub"])
	}
	return str(v)
}

func listOrOne(v any) []any {
	if v == nil {
		return nil
	}
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
