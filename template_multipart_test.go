package template_test

import (
	"testing"
	"time"

	"github.com/filegate/filegate/infra/localstack/minio"
)

// The bucket's AbortIncompleteMultipartUpload rule is the longest session
// the MultipartSessionSeconds parameter allows + 1 day, and the local
// stack's MinIO aborts unfinished uploads after the same time
// (minio.StaleUploadsExpiry; TestMinIOKeepsMultipartUploadsAsLongAsTheBucketRule
// shows MinIO runs with it).
func TestBucketRuleKeepsMultipartUploadsAsLongAsMinIO(t *testing.T) {
	doc := readCfnDoc(t)
	longest := time.Duration(number(t, at(doc.section("Parameters"), "MultipartSessionSeconds", "MaxValue"), "MultipartSessionSeconds.MaxValue")) * time.Second
	want := longest + 24*time.Hour
	if want != minio.StaleUploadsExpiry {
		t.Errorf("the longest session + 1 day is %s; the local MinIO aborts after %s (minio.StaleUploadsExpiry)", want, minio.StaleUploadsExpiry)
	}
	n := 0
	for id, b := range doc.resources(t, "AWS::S3::Bucket") {
		for _, r := range list(at(b, "Properties", "LifecycleConfiguration", "Rules")) {
			if days := at(r, "AbortIncompleteMultipartUpload", "DaysAfterInitiation"); days != nil {
				n++
				if d := time.Duration(number(t, days, id+" DaysAfterInitiation")) * 24 * time.Hour; d != want {
					t.Errorf("%s aborts unfinished multipart uploads after %s; the longest session + 1 day is %s", id, d, want)
				}
			}
		}
	}

	if n == 0 {
		t.Error("no bucket of template.yaml has an AbortIncompleteMultipartUpload rule")
	}
}
