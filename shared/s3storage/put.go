package s3storage

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Put stores body under key the way a presigned PUT would: with its content
// type and If-None-Match: * (never over an existing object), plus Content-MD5
// so S3 refuses bytes damaged on the way.
func (s *Storage) Put(ctx context.Context, key string, body []byte, contentType string) error {
	sum := md5.Sum(body)
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           &key,
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   &contentType,
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(sum[:])),
		IfNoneMatch:   aws.String("*"),
	})
	return classify(err)
}
