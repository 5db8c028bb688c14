package localstack

import (
	"github.com/filegate/filegate/shared/compatapi"
	"github.com/filegate/filegate/shared/nativeapi"
	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
	"github.com/filegate/filegate/shared/wiring/tokenwiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// Functions builds what each template function's main starts, by logical
// ID, with an environment of its own (its IAM gate). Every function returns
// what its main writes as the argument of lambda.Start (without .Handle):
// TestMainsStartWhatTheStackServes compares the two, so the local gateway
// calls exactly the handler each main starts.
func Functions() map[string]func(env *wiring.Env) any {
	return map[string]func(env *wiring.Env) any{
		"AuthorizerFunction": func(env *wiring.Env) any { return tokenwiring.Authorizer(env) },
		"CreateFileFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.Create(uploadwiring.Sessions(env), wiring.Idempotency(env), wiring.Tokens(env)))
		},
		"CompleteFileFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.Complete(uploadwiring.Settlement(env), wiring.Idempotency(env), wiring.Tokens(env)))
		},
		"GetFileFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.Get(wiring.Records(env), wiring.Tokens(env)))
		},
		"ListFilesFunction": func(env *wiring.Env) any { return wiring.HTTP(env, nativeapi.List(wiring.Records(env))) },
		"FileUrlFunction":   func(env *wiring.Env) any { return wiring.HTTP(env, nativeapi.URL(s3wiring.Downloads(env))) },
		"CancelFileFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.Cancel(s3wiring.Cancellation(env), wiring.Idempotency(env), wiring.Tokens(env)))
		},
		"MintUploadTokenFunction": func(env *wiring.Env) any { return wiring.HTTP(env, nativeapi.MintToken(tokenwiring.Minter(env))) },
		"SignPartsFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.SignParts(uploadwiring.Sessions(env), wiring.Tokens(env)))
		},
		"ListPartsFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.ListParts(uploadwiring.Sessions(env), wiring.Tokens(env)))
		},
		"UploadUrlFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.UploadURL(uploadwiring.Sessions(env), wiring.Tokens(env)))
		},
		"DeleteFileFunction":    func(env *wiring.Env) any { return wiring.HTTP(env, nativeapi.Delete(s3wiring.Deletion(env))) },
		"ProcessUploadFunction": func(env *wiring.Env) any { return uploadwiring.ProcessUpload(env) },
		"CleanupFunction":       func(env *wiring.Env) any { return s3wiring.Cleanup(env) },
		"CountersFunction":      func(env *wiring.Env) any { return wiring.Counters(env) },
		"ReconcileFunction":     func(env *wiring.Env) any { return uploadwiring.Reconcile(env) },
		"ScanResultFunction":    func(env *wiring.Env) any { return uploadwiring.ScanResult(env) },
		// Compat API (LlamaCloud shape).
		"UploadFileFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, compatapi.Upload(uploadwiring.Direct(env), wiring.Idempotency(env)))
		},
		"ListCompatFilesFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, compatapi.List(wiring.Listing(env), s3wiring.Downloads(env)))
		},
		"QueryCompatFilesFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, compatapi.Query(wiring.Listing(env), s3wiring.Downloads(env)))
		},
		"GetCompatFileFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, compatapi.Get(wiring.Records(env), s3wiring.Downloads(env)))
		},
		"DeleteCompatFileFunction": func(env *wiring.Env) any { return wiring.HTTP(env, compatapi.Delete(s3wiring.Deletion(env))) },
		"CompatFileContentFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, compatapi.Content(wiring.Records(env), s3wiring.Downloads(env)))
		},
		// Events: the stream consumer, the scheduled sender, webhook endpoints.
		"FileEventsFunction":    func(env *wiring.Env) any { return eventwiring.Events(env) },
		"WebhookSenderFunction": func(env *wiring.Env) any { return eventwiring.Sender(env) },
		"CreateWebhookEndpointFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.CreateWebhookEndpoint(eventwiring.Secrets(env)))
		},
		"ListWebhookEndpointsFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.ListWebhookEndpoints(eventwiring.Endpoints(env)))
		},
		"DeleteWebhookEndpointFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.DeleteWebhookEndpoint(eventwiring.Endpoints(env)))
		},
		"RotateWebhookSecretFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.RotateWebhookSecret(eventwiring.Secrets(env)))
		},
		"ListWebhookDeliveriesFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.WebhookDeliveries(eventwiring.Endpoints(env)))
		},
		"ReplayWebhookDeliveryFunction": func(env *wiring.Env) any {
			return wiring.HTTP(env, nativeapi.ReplayWebhookDelivery(eventwiring.Endpoints(env)))
		},
		// What no route takes, answered in its dialect's envelope.
		"DefaultRouteFunction": func(env *wiring.Env) any { return wiring.Unmatched(env, nativeapi.Fallback(), compatapi.Fallback()) },
	}
}
