package s3storage

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/shared/files"
)

// SignWith returns storage that presigns with creds, credentials whose
// expiry is known (stssigner's), judged by now (nil: time.Now): a URL dies
// with the credentials that signed it, so each URL lives
// min(requested, their expiry - now), and its ExpiresAt says so.
func (s *Storage) SignWith(creds aws.CredentialsProvider, now func() time.Time) *Storage {
	c := *s
	c.signer = creds
	if now != nil {
		c.now = now
	}
	return &c
}

// errSignerExpiring is credentials that came back with less than a second
// left: no URL signed with them would be usable.
var errSignerExpiring = errors.New("the signing credentials end within a second")

// signing is how long a URL asked to live requested may live, and the
// options that presign it so. Without a signer (local stand-ins, whose
// static keys never expire) it is requested, signed by the client's own
// credentials; with one, the URL is signed with exactly the credentials its
// life was computed from (the SDK's own credential cache judges expiry by
// the wall clock, not by s.now).
func (s *Storage) signing(ctx context.Context, requested time.Duration) (time.Duration, []func(*s3.PresignOptions), error) {
	if s.signer == nil {
		return requested, []func(*s3.PresignOptions){s3.WithPresignExpires(requested)}, nil
	}
	c, err := s.signer.Retrieve(ctx)
	if err != nil {
		return 0, nil, files.Unavailable("URL signing credentials", err)
	}
	life := requested
	if c.CanExpire {
		// X-Amz-Expires counts whole seconds: round down, so ExpiresAt is
		// never later than what storage enforces.
		life = min(requested, c.Expires.Sub(s.now())).Truncate(time.Second)
	}
	if life < time.Second {
		return 0, nil, files.Unavailable("URL signing credentials", errSignerExpiring)
	}
	static := credentials.StaticCredentialsProvider{Value: c}
	return life, []func(*s3.PresignOptions){
		s3.WithPresignExpires(life),
		s3.WithPresignClientFromClientOptions(func(o *s3.Options) { o.Credentials = static }),
	}, nil
}
