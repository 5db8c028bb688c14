package s3storage

import (
	"context"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// What the malware scan reads of objects.

// Open streams the object's bytes (a malware scanner reads them chunk by
// chunk); files.ErrObjectMissing when there is none. The caller closes it.
func (s *Storage) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return nil, classify(err)
	}
	return out.Body, nil
}

// ObjectTag reads the object's tag name (GuardDuty writes its verdict in
// one); ok is false when the object has no such tag.
func (s *Storage) ObjectTag(ctx context.Context, key, name string) (value string, ok bool, err error) {
	out, err := s.client.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return "", false, classify(err)
	}
	for _, t := range out.TagSet {
		if aws.ToString(t.Key) == name {
			return aws.ToString(t.Value), true, nil
		}
	}
	return "", false, nil
}

// IgnoreScannerTags makes validation's reads leave out the tags a malware
// scanner writes on objects (GuardDuty's verdict tag): their bytes may be
// scanned, and tagged, before validation reads them, and those tags are no
// metadata an upload brought. Any other tag is still reported.
func (s *Storage) IgnoreScannerTags(names ...string) *Storage {
	s.scannerTags = append(s.scannerTags, names...)
	return s
}

// uploadedTagCount is how many of an object's tagCount tags did not come
// from a scanner: when the object has any and some scanner tags are
// ignored, its tags are read.
func (s *Storage) uploadedTagCount(ctx context.Context, key string, tagCount *int32) (*int32, error) {
	if aws.ToInt32(tagCount) == 0 || len(s.scannerTags) == 0 {
		return tagCount, nil
	}
	out, err := s.client.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return nil, classify(err)
	}
	n := int32(0)
	for _, t := range out.TagSet {
		if !isScannerTag(s.scannerTags, aws.ToString(t.Key)) {
			n++
		}
	}
	return &n, nil
}

func isScannerTag(names []string, key string) bool {
	for _, n := range names {
		if strings.EqualFold(n, key) {
			return true
		}
	}
	return false
}
