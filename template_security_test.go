package template_test

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestTemplateSecurityPosture checks what the deploy promises users: a
// private, encrypted, TLS-only bucket, no wildcard permissions in any
// function's policy, and no "*" CORS origin by default.
func TestTemplateSecurityPosture(t *testing.T) {
	raw, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Parameters map[string]struct {
			Default string `yaml:"Default"`
		} `yaml:"Parameters"`
		Resources map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if o := doc.Parameters["AllowedOrigins"].Default; o == "" || strings.Contains(o, "*") {
		t.Errorf("default AllowedOrigins %q must list origins, never *", o)
	}
	var bucket, policy map[string]any
	for id, r := range doc.Resources {
		switch r.Type {
		case "AWS::S3::Bucket":
			bucket = r.Properties
		case "AWS::S3::BucketPolicy":
			policy = r.Properties
		case "AWS::Serverless::Function":
			for _, stmt := range statements(r.Properties["Policies"]) {
				for _, field := range []string{"Action", "Resource"} {
					for _, v := range strings.Fields(flatten(stmt[field])) {
						if v == "*" || strings.HasSuffix(v, ":*") {
							t.Errorf("%s: %s %q is a wildcard", id, field, v)
						}
					}
				}
			}
		}
	}
	pab := flatten(bucket["PublicAccessBlockConfiguration"])
	if strings.Count(pab, "true") != 4 {
		t.Errorf("bucket PublicAccessBlockConfiguration = %s, want all four true", pab)
	}
	if !strings.Contains(flatten(bucket["BucketEncryption"]), "AES256") {
		t.Error("bucket is not encrypted with SSE-S3 (ETags must stay MD5s)")
	}
	if p := flatten(policy); !strings.Contains(p, "Deny") || !strings.Contains(p, "aws:SecureTransport") {
		t.Errorf("bucket policy does not deny plain HTTP: %s", p)
	}
}

func statements(policies any) []map[string]any {
	var out []map[string]any
	list, _ := policies.([]any)
	for _, p := range list {
		doc, _ := p.(map[string]any)
		stmts, _ := doc["Statement"].([]any)
		for _, s := range stmts {
			if m, ok := s.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// flatten renders a decoded YAML value as space-separated scalars.
func flatten(v any) string {
	switch v := v.(type) {
	case map[string]any:
		var parts []string
		for k, e := range v {
			parts = append(parts, k, flatten(e))
		}
		return strings.Join(parts, " ")
	case []any:
		var parts []string
		for _, e := range v {
			parts = append(parts, flatten(e))
		}
		return strings.Join(parts, " ")
	case nil:
		return ""
	default:
		return strings.TrimSpace(strings.ReplaceAll(yamlScalar(v), "\n", " "))
	}
}

func yamlScalar(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}
