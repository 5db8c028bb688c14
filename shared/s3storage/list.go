package s3storage

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/shared/files"
)

// List is one ListObjectsV2 page under prefix, starting after the key after.
func (s *Storage) List(ctx context.Context, prefix, after string, max int) ([]files.ObjectSummary, string, error) {
	in := &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &prefix, MaxKeys: aws.Int32(int32(max))}
	if after != "" {
		in.StartAfter = &after
	}
	out, err := s.client.ListObjectsV2(ctx, in)
	if err != nil {
		return nil, "", classify(err)
	}
	objs := make([]files.ObjectSummary, 0, len(out.Contents))
	for _, o := range out.Contents {
		objs = append(objs, files.ObjectSummary{Key: aws.ToString(o.Key), LastModified: aws.ToTime(o.LastModified)})
	}
	next := ""
	if aws.ToBool(out.IsTruncated) && len(objs) > 0 {
		next = objs[len(objs)-1].Key
	}
	return objs, next, nil
}
