package s3storage

import (
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// storedMetadata is what a GET shows the object was stored with beyond an
// upload session's signed headers (Content-Type, Content-Length), keyed by
// the request header that sets it. Every one of them could have come with a
// presigned PUT: the Content-* family, Cache-Control and Expires unsigned
// (S3 stores them), the x-amz-* ones only where a store is laxer than S3.
//
// The tag count is in a GET only for a caller allowed s3:GetObjectTagging
// (template.yaml grants it to the validating functions); MinIO always shows
// it, so a missing permission cannot show locally.
func storedMetadata(out *s3.GetObjectOutput) map[string]string {
	m := map[string]string{}
	set := func(header string, v *string) {
		if s := aws.ToString(v); s != "" {
			m[header] = s
		}
	}
	set("Cache-Control", out.CacheControl)
	set("Content-Disposition", out.ContentDisposition)
	set("Content-Encoding", out.ContentEncoding)
	set("Content-Language", out.ContentLanguage)
	set("Expires", out.ExpiresString)
	set("x-amz-website-redirect-location", out.WebsiteRedirectLocation)
	if n := aws.ToInt32(out.TagCount); n > 0 {
		m["x-amz-tagging"] = strconv.Itoa(int(n)) + " tags"
	}
	if c := out.StorageClass; c != "" && c != types.StorageClassStandard {
		m["x-amz-storage-class"] = string(c)
	}
	// SSE-S3 (AES256) is the bucket's default; anything else (SSE-KMS, SSE-C)
	// was asked for by the PUT, and its ETag is not the object's MD5.
	if e := out.ServerSideEncryption; e != "" && e != types.ServerSideEncryptionAes256 {
		m["x-amz-server-side-encryption"] = string(e)
	}
	for k, v := range out.Metadata {
		m["x-amz-meta-"+k] = v
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
