package dynamostore

// Record encoding benchmarks (run by `make bench`): a file record to the
// DynamoDB item the store writes, and back, with guregu/dynamo's marshalling
// as Put and Get use it.

import (
	"testing"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/filegate/filegate/shared/files"
)

func benchFile() *files.File {
	now := time.Date(2026, 1, 15, 10, 21, 33, 512_000_000, time.UTC)
	done := now.Add(3 * time.Second)
	keep := now.Add(90 * 24 * time.Hour)
	return &files.File{
		ID: files.MustParseFileID("fil_06H0EN1ZAP202AP5WPNPHXF894"), ProjectID: "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42",
		OrganizationID: "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05", Declared: files.Declared{Filename: "Q3 board deck.pdf", MimeType: "application/pdf", SizeBytes: 482133, Purpose: "knowledge_user"},
		Status:    files.StatusCompleted,
		CreatedAt: now, UpdatedAt: done, CompletedAt: &done, UploadExpiresAt: now.Add(15 * time.Minute), ExpiresAt: &keep,
		ExternalFileID: "crm-42", ObjectKey: "uploads/7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42/fil_06H0EN1ZAP202AP5WPNPHXF894",
		ETag: `"9e107d9d372bb6826bd81d3542a419d6"`, MD5: "9e107d9d372bb6826bd81d3542a419d6", TTL: keep.Unix(),
	}
}

// BenchmarkEncodeRecord is what Create does before its write: the record to
// the table's item.
func BenchmarkEncodeRecord(b *testing.B) {
	f := benchFile()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dynamo.MarshalItem(toItem(f)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRecord is what Get and the listings do with each item read.
func BenchmarkDecodeRecord(b *testing.B) {
	item, err := dynamo.MarshalItem(toItem(benchFile()))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var it fileItem
		if err := dynamo.UnmarshalItem(item, &it); err != nil {
			b.Fatal(err)
		}
		if _, err := it.toFile(); err != nil {
			b.Fatal(err)
		}
	}
}
