package secretsmgr_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/filegate/filegate/shared/rootsecret"
	"github.com/filegate/filegate/shared/secretsmgr"
)

// fakeSecretsManager answers GetSecretValue as Secrets Manager's JSON
// protocol does (no local Secrets Manager is as real as DynamoDB Local is):
// the narrow seam is the wire, so the SDK client under test is the real one.
type fakeSecretsManager struct {
	mu     sync.Mutex
	stages map[string]string // staging label → secret string
	calls  []string
}

func (f *fakeSecretsManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct{ SecretId, VersionStage string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	defer f.mu.Unlock()
	signed := strings.Contains(r.Header.Get("Authorization"), "/secretsmanager/aws4_request")
	f.calls = append(f.calls, r.Header.Get("X-Amz-Target")+" "+in.SecretId+" "+in.VersionStage+map[bool]string{true: " signed"}[signed])
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	v, ok := f.stages[in.VersionStage]
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret value for staging label: ` + in.VersionStage + `"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ARN": in.SecretId, "Name": "RootSecret", "SecretString": v, "VersionId": "v-" + in.VersionStage, "VersionStages": []string{in.VersionStage}})
}

const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:RootSecret-AbCdEf"

func load(t *testing.T, fake *fakeSecretsManager) (rootsecret.Versions, error) {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	client := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})
	return secretsmgr.New(client, arn).Load(context.Background())
}

func tag(t *testing.T, secret string) string {
	t.Helper()
	v, err := rootsecret.NewVersion([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return v.Tag()
}

// AWSCURRENT is the current version and AWSPREVIOUS the previous one; each
// is one signed GetSecretValue of the secret's ARN and its staging label.
func TestLoadReadsBothStages(t *testing.T) {
	cur, prev := strings.Repeat("c", 64), strings.Repeat("p", 64)
	fake := &fakeSecretsManager{stages: map[string]string{"AWSCURRENT": cur, "AWSPREVIOUS": prev}}
	vs, err := load(t, fake)
	if err != nil {
		t.Fatal(err)
	}
	if vs.Current.Tag() != tag(t, cur) || vs.Previous == nil || vs.Previous.Tag() != tag(t, prev) {
		t.Errorf("versions %+v: want AWSCURRENT current and AWSPREVIOUS previous", vs)
	}
	want := []string{"secretsmanager.GetSecretValue " + arn + " AWSCURRENT signed", "secretsmanager.GetSecretValue " + arn + " AWSPREVIOUS signed"}
	if strings.Join(fake.calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(fake.calls, "\n"), strings.Join(want, "\n"))
	}
}

// A secret never rotated has no AWSPREVIOUS: one version, no error.
func TestLoadWithoutPrevious(t *testing.T) {
	vs, err := load(t, &fakeSecretsManager{stages: map[string]string{"AWSCURRENT": strings.Repeat("c", 64)}})
	if err != nil || vs.Previous != nil {
		t.Errorf("%v, previous %v; want one version", err, vs.Previous)
	}
}

// No current version, or one too short to sign with, is an error.
func TestLoadRefuses(t *testing.T) {
	for name, stages := range map[string]map[string]string{
		"no secret":      {},
		"short current":  {"AWSCURRENT": "short"},
		"short previous": {"AWSCURRENT": strings.Repeat("c", 64), "AWSPREVIOUS": "short"},
	} {
		if _, err := load(t, &fakeSecretsManager{stages: stages}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
