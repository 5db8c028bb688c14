package nativeapi

import (
	"testing"

	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/routeguard"
)

// Lightfield's "Errors" table, kind by kind, at the one status each kind has.
func TestTypesFollowLightfieldsTable(t *testing.T) {
	for kind, want := range map[files.Kind]struct {
		status int
		typ    string
	}{
		files.KindInvalid:              {400, "bad_request"},
		files.KindUnauthenticated:      {401, "unauthorized"},
		files.KindForbidden:            {403, "forbidden"},
		files.KindNotFound:             {404, "not_found"},
		files.KindMethodNotAllowed:     {405, "method_not_allowed"},
		files.KindConflict:             {409, "conflict"},
		files.KindInFlight:             {409, "idempotency_conflict"},
		files.KindTooLarge:             {413, "content_too_large"},
		files.KindUnsupportedMediaType: {415, "unsupported_media_type"},
		files.KindUnprocessable:        {422, "unprocessable_content"},
		files.KindUnavailable:          {503, "service_unavailable"},
		files.KindInternal:             {500, "internal_server_error"},
	} {
		status := routeguard.Status(kind)
		if typ := typeOf(kind, status); status != want.status || typ != want.typ {
			t.Errorf("kind %d: %d %s, want %d %s", kind, status, typ, want.status, want.typ)
		}
	}
}

// The domain's fields, as this API's requests spell them.
func TestParamsNameTheRequestsFields(t *testing.T) {
	for _, tc := range []struct {
		f     files.Field
		item  int
		param string
	}{
		{files.FieldSizeBytes, 0, "sizeBytes"},
		{files.FieldFilename, 0, "filename"},
		{files.FieldRetention, 0, "retentionExpiresAt"},
		{files.FieldPartSize, 0, "multipart.partSizeBytes"},
		{files.FieldPartNumber, 3, "parts[2].partNumber"},
		{files.FieldPartSHA256, 1, "parts[0].sha256"},
		{files.FieldNone, 0, ""},
	} {
		if got := paramOf(tc.f, tc.item); got != tc.param {
			t.Errorf("field %d item %d: %q, want %q", tc.f, tc.item, got, tc.param)
		}
	}
}
