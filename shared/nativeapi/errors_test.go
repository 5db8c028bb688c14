package nativeapi

import (
	"testing"

	"github.com/filegate/filegate/shared/files"
)

// Lightfield's "Errors" table, kind by kind.
func TestStatusOfFollowsLightfieldsTable(t *testing.T) {
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
		files.KindTooLarge:             {413, "content_too_large"},
		files.KindUnsupportedMediaType: {415, "unsupported_media_type"},
		files.KindUnprocessable:        {422, "unprocessable_content"},
		files.KindUnavailable:          {503, "service_unavailable"},
		files.KindInternal:             {500, "internal_server_error"},
	} {
		if status, typ := statusOf(kind); status != want.status || typ != want.typ {
			t.Errorf("kind %d: %d %s, want %d %s", kind, status, typ, want.status, want.typ)
		}
	}
}
