package s3storage

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestStoredMetadata maps each field of a GET that a PUT could set to the
// header that sets it, and ignores what every object has.
func TestStoredMetadata(t *testing.T) {
	for _, tc := range []struct {
		name string
		out  s3.GetObjectOutput
		want map[string]string
	}{
		{"as signed, SSE-S3, standard class", s3.GetObjectOutput{ContentType: aws.String("application/pdf"), ContentLength: aws.Int64(9), ETag: aws.String(`"x"`), ServerSideEncryption: types.ServerSideEncryptionAes256, StorageClass: types.StorageClassStandard, TagCount: aws.Int32(0)}, nil},
		{"Cache-Control", s3.GetObjectOutput{CacheControl: aws.String("public")}, map[string]string{"Cache-Control": "public"}},
		{"Content-Disposition", s3.GetObjectOutput{ContentDisposition: aws.String("inline")}, map[string]string{"Content-Disposition": "inline"}},
		{"Content-Encoding", s3.GetObjectOutput{ContentEncoding: aws.String("gzip")}, map[string]string{"Content-Encoding": "gzip"}},
		{"Content-Language", s3.GetObjectOutput{ContentLanguage: aws.String("en")}, map[string]string{"Content-Language": "en"}},
		{"Expires", s3.GetObjectOutput{ExpiresString: aws.String("Thu, 01 Dec 2044 16:00:00 GMT")}, map[string]string{"Expires": "Thu, 01 Dec 2044 16:00:00 GMT"}},
		{"website redirect", s3.GetObjectOutput{WebsiteRedirectLocation: aws.String("/x")}, map[string]string{"x-amz-website-redirect-location": "/x"}},
		{"tags", s3.GetObjectOutput{TagCount: aws.Int32(2)}, map[string]string{"x-amz-tagging": "2 tags"}},
		{"storage class", s3.GetObjectOutput{StorageClass: types.StorageClassGlacierIr}, map[string]string{"x-amz-storage-class": "GLACIER_IR"}},
		{"SSE-KMS", s3.GetObjectOutput{ServerSideEncryption: types.ServerSideEncryptionAwsKms}, map[string]string{"x-amz-server-side-encryption": "aws:kms"}},
		{"user metadata", s3.GetObjectOutput{Metadata: map[string]string{"owner": "m"}}, map[string]string{"x-amz-meta-owner": "m"}},
	} {
		if got := storedMetadata(&tc.out); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
