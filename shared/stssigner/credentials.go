// Package stssigner is the STS adapter: credentials of known expiry for
// presigning, from AssumeRole of a signer role. A presigned URL dies with
// the credentials that signed it, whatever its X-Amz-Expires says; a
// Lambda's own session credentials end at a time the function cannot see,
// so URLs are signed with these instead and their life is capped at the
// credentials' end (s3storage).
package stssigner

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const (
	// Duration is what each AssumeRole asks for: a Lambda assuming a role is
	// role chaining, which AWS caps at one hour whatever the role allows.
	Duration = time.Hour
	// RefreshBefore is how much life the cached credentials must have left
	// to be used: a URL signed now lives at least this long (or as long as
	// asked, if less).
	RefreshBefore = 20 * time.Minute
	sessionName   = "filegate-signer"
)

// Assumer is the one STS call used (*sts.Client has it).
type Assumer interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// Credentials is an aws.CredentialsProvider of the signer role's
// credentials, cached and refreshed when less than RefreshBefore remains
// by its clock (a test's fake one, or time.Now).
type Credentials struct {
	client  Assumer
	roleARN string
	now     func() time.Time

	mu     sync.Mutex
	cached aws.Credentials
}

var _ aws.CredentialsProvider = (*Credentials)(nil)

// New returns the credentials of roleARN, assumed through client; now is
// the clock refreshes are judged by (nil: time.Now).
func New(client Assumer, roleARN string, now func() time.Time) *Credentials {
	if now == nil {
		now = time.Now
	}
	return &Credentials{client: client, roleARN: roleARN, now: now}
}

// Retrieve returns the cached credentials while more than RefreshBefore
// remains, and assumes the role again otherwise. Concurrent callers wait
// for one AssumeRole.
func (c *Credentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cached.HasKeys() && c.cached.Expires.Sub(c.now()) > RefreshBefore {
		return c.cached, nil
	}
	out, err := c.client.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         &c.roleARN,
		RoleSessionName: aws.String(sessionName),
		DurationSeconds: aws.Int32(int32(Duration / time.Second)),
	})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("assume the signer role: %w", err)
	}
	k := out.Credentials
	if k == nil || k.AccessKeyId == nil || k.SecretAccessKey == nil || k.Expiration == nil {
		return aws.Credentials{}, fmt.Errorf("assume the signer role: an answer without credentials or expiry")
	}
	c.cached = aws.Credentials{
		AccessKeyID: *k.AccessKeyId, SecretAccessKey: *k.SecretAccessKey, SessionToken: aws.ToString(k.SessionToken),
		Source: "AssumeRole " + c.roleARN, CanExpire: true, Expires: *k.Expiration,
	}
	return c.cached, nil
}
