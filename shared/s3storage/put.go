package s3storage

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/shared/files"
)

// Put stores body under key the way a presigned PUT would: with its content
// type and If-None-Match: * (never over an existing object), plus Content-MD5
// and x-amz-checksum-sha256 (sha256, hex), so S3 refuses bytes damaged on
// the way and keeps the checksum with the object.
func (s *Storage) Put(ctx context.Context, key string, body []byte, contentType, sha256 string) error {
	sum := md5.Sum(body)
	in := &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           &key,
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   &contentType,
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(sum[:])),
		IfNoneMatch:   aws.String("*"),
	}
	if sha256 != "" {
		in.ChecksumSHA256 = aws.String(files.SHA256Base64(sha256))
	}
	_, err := s.client.PutObject(ctx, in)
	return classify(err)
}
