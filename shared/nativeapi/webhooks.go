package nativeapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/fileevents"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/jsonwire"
	"github.com/filegate/filegate/shared/routeguard"
)

// Webhook endpoints (a Filegate extension): API keys with webhooks:manage
// only, never upload tokens. No route takes an Idempotency-Key: two answer
// a secret, which an idempotency record would keep in the table (whose
// stream carries every item); the others change nothing a retry could
// repeat wrongly (a retried create may make a second endpoint, which the
// list shows and a delete removes).

type endpointRequest struct {
	URL        string   `json:"url"`
	EventTypes []string `json:"eventTypes"`
}

type endpointJSON struct {
	Object     string             `json:"object"`
	ID         string             `json:"id"`
	URL        string             `json:"url"`
	EventTypes []fileevents.Type  `json:"eventTypes"`
	CreatedAt  jsonwire.Timestamp `json:"createdAt"`
	// SecretVersion counts rotations (1 at first).
	SecretVersion int `json:"secretVersion"`
	// PreviousSecretExpiresAt is when the secret a rotation replaced stops
	// signing beside the current one (null: none).
	PreviousSecretExpiresAt *jsonwire.Timestamp `json:"previousSecretExpiresAt"`
	// Secret is shown once: in the answer to a create or a rotation.
	Secret string `json:"secret,omitempty"`
}

func toEndpointJSON(e *fileevents.Endpoint, now time.Time) endpointJSON {
	j := endpointJSON{Object: "webhook_endpoint", ID: e.ID, URL: e.URL, EventTypes: e.EventTypes, CreatedAt: jsonwire.Timestamp(e.CreatedAt), SecretVersion: e.Secret.Version}
	if e.Previous != nil && now.Before(e.PreviousUntil) {
		j.PreviousSecretExpiresAt = jsonwire.Optional(&e.PreviousUntil)
	}
	return j
}

var routeCreateEndpoint = declare("POST /v1/webhook-endpoints")

// CreateWebhookEndpoint is POST /v1/webhook-endpoints: register a URL for
// event types; the answer shows the endpoint's signing secret, once.
func CreateWebhookEndpoint(u *fileevents.Endpoints) routeguard.Route {
	return webhooks(routeCreateEndpoint, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var req endpointRequest
		if err := decodeBody(r, &req); err != nil {
			return err
		}
		reg, err := u.Create(r.Context(), p.OrganizationID, p.ProjectID, fileevents.NewEndpoint{URL: req.URL, EventTypes: req.EventTypes})
		if err != nil {
			return err
		}
		return writeSecret(w, http.StatusCreated, reg, u.Clock())
	})
}

// writeSecret answers an endpoint with its secret; nothing may cache it.
func writeSecret(w http.ResponseWriter, status int, reg *fileevents.Registered, now time.Time) error {
	j := toEndpointJSON(reg.Endpoint, now)
	j.Secret = reg.Secret
	w.Header().Set("Cache-Control", "no-store")
	jsonwire.Write(w, status, j)
	return nil
}

var routeListEndpoints = declare("GET /v1/webhook-endpoints")

// ListWebhookEndpoints is GET /v1/webhook-endpoints (no secrets).
func ListWebhookEndpoints(u *fileevents.Endpoints) routeguard.Route {
	return webhooks(routeListEndpoints, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		eps, err := u.List(r.Context(), p.ProjectID)
		if err != nil {
			return err
		}
		now := u.Clock()
		out := struct {
			Object string         `json:"object"`
			Data   []endpointJSON `json:"data"`
		}{Object: "list", Data: make([]endpointJSON, 0, len(eps))}
		for _, e := range eps {
			out.Data = append(out.Data, toEndpointJSON(e, now))
		}
		jsonwire.Write(w, http.StatusOK, out)
		return nil
	})
}

var routeDeleteEndpoint = declare("DELETE /v1/webhook-endpoints/{id}")

// DeleteWebhookEndpoint is DELETE /v1/webhook-endpoints/{id}.
func DeleteWebhookEndpoint(u *fileevents.Endpoints) routeguard.Route {
	return webhooks(routeDeleteEndpoint, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		if err := u.Delete(r.Context(), p.ProjectID, r.PathValue("id")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

var routeRotateSecret = declare("POST /v1/webhook-endpoints/{id}/rotate-secret")

// RotateWebhookSecret is POST /v1/webhook-endpoints/{id}/rotate-secret: a
// new secret, shown once; the replaced one signs beside it for a day.
func RotateWebhookSecret(u *fileevents.Endpoints) routeguard.Route {
	return webhooks(routeRotateSecret, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var req struct{}
		if err := decodeBody(r, &req); err != nil {
			return err
		}
		reg, err := u.RotateSecret(r.Context(), p.ProjectID, r.PathValue("id"))
		if err != nil {
			return err
		}
		return writeSecret(w, http.StatusOK, reg, u.Clock())
	})
}

type deliveryJSON struct {
	Object        string              `json:"object"`
	EventID       string              `json:"eventId"`
	EventType     fileevents.Type     `json:"eventType"`
	FileID        string              `json:"fileId"`
	Status        string              `json:"status"`
	NextAttemptAt *jsonwire.Timestamp `json:"nextAttemptAt"`
	Attempts      []attemptJSON       `json:"attempts"`
}

type attemptJSON struct {
	At         jsonwire.Timestamp `json:"at"`
	StatusCode *int               `json:"statusCode"`
	LatencyMs  int64              `json:"latencyMs"`
	Error      *string            `json:"error"`
}

func toDeliveryJSON(d *fileevents.Delivery) deliveryJSON {
	j := deliveryJSON{Object: "webhook_delivery", EventID: d.EventID, EventType: d.EventType, FileID: d.FileID.String(), Status: string(d.Status), Attempts: []attemptJSON{}}
	if d.Status == fileevents.DeliveryPending {
		j.NextAttemptAt = jsonwire.Optional(&d.NextAttempt)
	}
	for i := len(d.Attempts) - 1; i >= 0; i-- { // newest first
		a := d.Attempts[i]
		aj := attemptJSON{At: jsonwire.Timestamp(a.At), LatencyMs: a.Latency.Milliseconds()}
		if a.StatusCode != 0 {
			aj.StatusCode = &a.StatusCode
		}
		if a.Error != "" {
			aj.Error = &a.Error
		}
		j.Attempts = append(j.Attempts, aj)
	}
	return j
}

var routeDeliveries = declare("GET /v1/webhook-endpoints/{id}/deliveries")

// WebhookDeliveries is GET /v1/webhook-endpoints/{id}/deliveries: the
// endpoint's deliveries, newest first, each with its attempts (status,
// latency); limit 1–100 (default 25), before an event id to page back.
func WebhookDeliveries(u *fileevents.Endpoints) routeguard.Route {
	return webhooks(routeDeliveries, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		q := r.URL.Query()
		limit := 25
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 100 {
				return files.Errorf(files.KindInvalid, "invalid_limit", "limit must be an integer from 1 to 100").WithParam("limit")
			}
			limit = n
		}
		log, err := u.Log(r.Context(), p.ProjectID, r.PathValue("id"), q.Get("before"), limit+1)
		if err != nil {
			return err
		}
		out := struct {
			Object  string         `json:"object"`
			Data    []deliveryJSON `json:"data"`
			HasMore bool           `json:"hasMore"`
		}{Object: "list", Data: []deliveryJSON{}, HasMore: len(log) > limit}
		for _, d := range log[:min(limit, len(log))] {
			out.Data = append(out.Data, toDeliveryJSON(d))
		}
		jsonwire.Write(w, http.StatusOK, out)
		return nil
	})
}

var routeReplay = declare("POST /v1/webhook-endpoints/{id}/deliveries/{eventId}/replay")

// ReplayWebhookDelivery is POST
// /v1/webhook-endpoints/{id}/deliveries/{eventId}/replay: the delivery is
// due again now, in a fresh retry window (202: the sender makes it).
func ReplayWebhookDelivery(u *fileevents.Endpoints) routeguard.Route {
	return webhooks(routeReplay, func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		var req struct{}
		if err := decodeBody(r, &req); err != nil {
			return err
		}
		d, err := u.Replay(r.Context(), p.ProjectID, r.PathValue("id"), r.PathValue("eventId"))
		if err != nil {
			return err
		}
		jsonwire.Write(w, http.StatusAccepted, toDeliveryJSON(d))
		return nil
	})
}

func webhooks(pattern string, h routeguard.Handler) routeguard.Route {
	return routeguard.Route{Pattern: pattern, Scope: auth.ScopeWebhooks, Dialect: Dialect, Handle: h}
}

// FileJSON is f as the native API shows it at now (the events' payload).
func FileJSON(f *files.File, now time.Time) any { return toJSON(f, now) }
