// Package secretsmgr keeps the root secret (shared/rootsecret) in AWS
// Secrets Manager: template.yaml's RootSecret, generated at deploy. Its
// staging labels are the versions: AWSCURRENT signs and AWSPREVIOUS, which
// Secrets Manager gives the version a put-secret-value replaced, still
// verifies.
package secretsmgr

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/filegate/filegate/shared/rootsecret"
)

// API is the one call of the Secrets Manager client this adapter makes.
type API interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Source reads the root secret's current and previous versions.
type Source struct {
	client   API
	secretID string
}

var _ rootsecret.Source = (*Source)(nil)

// New reads the secret secretID (its ARN) through client.
func New(client API, secretID string) *Source {
	return &Source{client: client, secretID: secretID}
}

// Load makes two GetSecretValue calls: AWSCURRENT, then AWSPREVIOUS, which
// is absent (ResourceNotFoundException) until the first rotation.
func (s *Source) Load(ctx context.Context) (rootsecret.Versions, error) {
	current, err := s.get(ctx, "AWSCURRENT")
	if err != nil {
		return rootsecret.Versions{}, err
	}
	previous, err := s.get(ctx, "AWSPREVIOUS")
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) {
		previous, err = nil, nil
	}
	if err != nil {
		return rootsecret.Versions{}, err
	}
	vs, err := rootsecret.Parse(current, previous)
	if err != nil {
		return vs, fmt.Errorf("secret %s: %w", s.secretID, err)
	}
	return vs, nil
}

func (s *Source) get(ctx context.Context, stage string) ([]byte, error) {
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.secretID), VersionStage: aws.String(stage)})
	if err != nil {
		return nil, fmt.Errorf("secret %s (%s): %w", s.secretID, stage, err)
	}
	if out.SecretString != nil {
		return []byte(*out.SecretString), nil
	}
	return out.SecretBinary, nil
}
