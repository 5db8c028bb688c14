package s3storage

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/filegate/filegate/shared/files"
)

var _ files.MultipartAborter = (*Storage)(nil)

// StartMultipart opens an S3 multipart upload of an object stored with
// contentType; with partSHA256 every part must carry its SHA-256, and S3
// keeps a checksum of the part checksums (COMPOSITE, the only type S3 has
// for SHA-256 of multipart objects).
func (s *Storage) StartMultipart(ctx context.Context, key, contentType string, partSHA256 bool) (string, error) {
	in := &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &key, ContentType: &contentType}
	if partSHA256 {
		in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256
		in.ChecksumType = types.ChecksumTypeComposite
	}
	out, err := s.client.CreateMultipartUpload(ctx, in)
	if err != nil {
		return "", classify(err)
	}
	return aws.ToString(out.UploadId), nil
}

// PresignPart signs an UploadPart of exactly p.SizeBytes bytes and, when
// p.SHA256 is set, of exactly that digest (x-amz-checksum-sha256): storage
// refuses any other part before storing it.
func (s *Storage) PresignPart(ctx context.Context, key, uploadID string, p files.Part) (files.Presigned, error) {
	in := &s3.UploadPartInput{
		Bucket: &s.bucket, Key: &key, UploadId: &uploadID,
		PartNumber: aws.Int32(int32(p.Number)), ContentLength: aws.Int64(p.SizeBytes),
	}
	if p.SHA256 != "" {
		in.ChecksumSHA256 = aws.String(files.SHA256Base64(p.SHA256))
	}
	life, opts, err := s.signing(ctx, p.Expires)
	if err != nil {
		return files.Presigned{}, err
	}
	req, err := s.presign.PresignUploadPart(ctx, in, opts...)
	return s.upload(req, err, "part", life)
}

// ListParts is every part storage holds of the upload, in part order;
// files.ErrObjectMissing when the upload is gone (completed or aborted).
func (s *Storage) ListParts(ctx context.Context, key, uploadID string) ([]files.StoredPart, error) {
	var out []files.StoredPart
	p := s3.NewListPartsPaginator(s.client, &s3.ListPartsInput{Bucket: &s.bucket, Key: &key, UploadId: &uploadID})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, classify(err)
		}
		for _, part := range page.Parts {
			out = append(out, files.StoredPart{
				Number: int(aws.ToInt32(part.PartNumber)), SizeBytes: aws.ToInt64(part.Size),
				ETag: aws.ToString(part.ETag), SHA256: aws.ToString(part.ChecksumSHA256),
			})
		}
	}
	return out, nil
}

// CompleteMultipart assembles the upload from parts. An upload an earlier
// complete finished is files.ErrObjectExists (the object is there, and
// If-None-Match: * is checked first: MinIO shows it) or
// files.ErrObjectMissing (the upload is gone); an aborted one is
// files.ErrObjectMissing.
func (s *Storage) CompleteMultipart(ctx context.Context, key, uploadID string, parts []files.StoredPart) error {
	done := make([]types.CompletedPart, len(parts))
	for i, p := range parts {
		done[i] = types.CompletedPart{PartNumber: aws.Int32(int32(p.Number)), ETag: aws.String(p.ETag)}
		if p.SHA256 != "" {
			done[i].ChecksumSHA256 = aws.String(p.SHA256)
		}
	}
	_, err := s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &s.bucket, Key: &key, UploadId: &uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done},
		IfNoneMatch:     aws.String("*"), // never over an object already validated
	})
	return classify(err)
}

// AbortMultipart drops the upload and its parts; one already gone is fine.
func (s *Storage) AbortMultipart(ctx context.Context, key, uploadID string) error {
	_, err := s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &key, UploadId: &uploadID})
	if err = classify(err); errors.Is(err, files.ErrObjectMissing) {
		return nil
	}
	return err
}

// OpenUploads is one ListMultipartUploads page: up to max multipart uploads
// under prefix, oldest first within a key.
func (s *Storage) OpenUploads(ctx context.Context, prefix string, max int) ([]files.OpenUpload, error) {
	out, err := s.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: &prefix, MaxUploads: aws.Int32(int32(max))})
	if err != nil {
		return nil, classify(err)
	}
	ups := make([]files.OpenUpload, 0, len(out.Uploads))
	for _, u := range out.Uploads {
		ups = append(ups, files.OpenUpload{Key: aws.ToString(u.Key), UploadID: aws.ToString(u.UploadId), Initiated: aws.ToTime(u.Initiated)})
	}
	return ups, nil
}
