package nativeapi

import (
	"net/http"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/jsonwire"
	"github.com/filegate/filegate/shared/routeguard"
	"github.com/filegate/filegate/shared/uploadtoken"
)

// mintRequest is POST /v1/upload-tokens (a Filegate extension); every field
// is optional.
type mintRequest struct {
	ExpiresInSeconds int64    `json:"expiresInSeconds"`
	MaxFiles         int      `json:"maxFiles"`
	MaxBytes         int64    `json:"maxBytes"`
	MimeTypes        []string `json:"mimeTypes"`
	Purpose          string   `json:"purpose"`
	// Renew continues a token: same id, budget, files and limits.
	Renew string `json:"renew"`
}

type tokenJSON struct {
	Object    string             `json:"object"`
	Token     string             `json:"token"`
	ExpiresAt jsonwire.Timestamp `json:"expiresAt"`
	MaxFiles  int                `json:"maxFiles"`
	MaxBytes  int64              `json:"maxBytes"`
	MimeTypes []string           `json:"mimeTypes"`
	Purpose   *string            `json:"purpose"`
}

var routeMint = declare("POST /v1/upload-tokens")

// MintToken is POST /v1/upload-tokens: an API key with files:create mints
// an upload token for a browser. It takes no Idempotency-Key: a replay
// would store a bearer token in the idempotency record, and a retry that
// mints a second token costs nothing.
func MintToken(minter *uploadtoken.Minter) routeguard.Route {
	return write(routeMint, nil, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var req mintRequest
		if err := decodeBody(r, &req); err != nil {
			return err
		}
		if err := checkPurpose(req.Purpose); err != nil { // its files are created here
			return err
		}
		life := time.Duration(req.ExpiresInSeconds) * time.Second
		if req.ExpiresInSeconds < 0 || req.ExpiresInSeconds > int64(uploadtoken.MaxLifetime/time.Second) {
			life = -1 // out of bounds, however large (no overflow into range)
		}
		m, err := minter.Mint(r.Context(), p, p.KeyHash, uploadtoken.Request{
			ExpiresIn: life, MaxFiles: req.MaxFiles,
			MaxBytes: req.MaxBytes, MimeTypes: req.MimeTypes, Purpose: req.Purpose, Renew: req.Renew,
		})
		if err != nil {
			return err
		}
		g := m.Grant
		out := tokenJSON{Object: "upload_token", Token: m.Token, ExpiresAt: jsonwire.Timestamp(g.ExpiresAt),
			MaxFiles: g.MaxFiles, MaxBytes: g.MaxBytes, MimeTypes: g.MimeTypes}
		if out.MimeTypes == nil {
			out.MimeTypes = []string{}
		}
		if g.Purpose != "" {
			out.Purpose = &g.Purpose
		}
		w.Header().Set("Cache-Control", "no-store")
		jsonwire.Write(w, http.StatusOK, out)
		return nil
	})
}
