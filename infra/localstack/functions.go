package localstack

import (
	"time"

	"github.com/filegate/filegate/functions/authorizer/authorizer"
	"github.com/filegate/filegate/functions/cancel-file/cancelfile"
	"github.com/filegate/filegate/functions/cleanup/cleanup"
	"github.com/filegate/filegate/functions/compat-file-content/compatfilecontent"
	"github.com/filegate/filegate/functions/complete-file/completefile"
	"github.com/filegate/filegate/functions/counters/counters"
	"github.com/filegate/filegate/functions/create-file/createfile"
	"github.com/filegate/filegate/functions/create-webhook-endpoint/createwebhookendpoint"
	"github.com/filegate/filegate/functions/default-route/defaultroute"
	"github.com/filegate/filegate/functions/delete-compat-file/deletecompatfile"
	"github.com/filegate/filegate/functions/delete-file/deletefile"
	"github.com/filegate/filegate/functions/delete-webhook-endpoint/deletewebhookendpoint"
	"github.com/filegate/filegate/functions/file-events/fileevents"
	"github.com/filegate/filegate/functions/file-url/fileurl"
	"github.com/filegate/filegate/functions/get-compat-file/getcompatfile"
	"github.com/filegate/filegate/functions/get-file/getfile"
	"github.com/filegate/filegate/functions/list-compat-files/listcompatfiles"
	"github.com/filegate/filegate/functions/list-files/listfiles"
	"github.com/filegate/filegate/functions/list-parts/listparts"
	"github.com/filegate/filegate/functions/list-webhook-deliveries/listwebhookdeliveries"
	"github.com/filegate/filegate/functions/list-webhook-endpoints/listwebhookendpoints"
	"github.com/filegate/filegate/functions/mint-upload-token/mintuploadtoken"
	"github.com/filegate/filegate/functions/process-upload/processupload"
	"github.com/filegate/filegate/functions/query-compat-files/querycompatfiles"
	"github.com/filegate/filegate/functions/reconcile/reconcile"
	"github.com/filegate/filegate/functions/replay-webhook-delivery/replaywebhookdelivery"
	"github.com/filegate/filegate/functions/rotate-webhook-secret/rotatewebhooksecret"
	"github.com/filegate/filegate/functions/scan-result/scanresult"
	"github.com/filegate/filegate/functions/sign-parts/signparts"
	"github.com/filegate/filegate/functions/upload-file/uploadfile"
	"github.com/filegate/filegate/functions/upload-url/uploadurl"
	"github.com/filegate/filegate/functions/webhook-sender/webhooksender"

	"github.com/filegate/filegate/shared/wiring"
	"github.com/filegate/filegate/shared/wiring/eventwiring"
	"github.com/filegate/filegate/shared/wiring/s3wiring"
	"github.com/filegate/filegate/shared/wiring/uploadwiring"
)

// The stack builds each template function with the constructor its main
// starts (functions/<dir>/<pkg>.New, by template logical ID), typed by
// what triggers it: the HTTP API's routes, or one event source each.
// TestStackBuildsWhatEachMainStarts holds every constructor to its
// function's directory and main.

// routed are the functions behind the HTTP API's routes.
var routed = map[string]func(*wiring.Env) wiring.HTTPFunction{
	"CreateFileFunction":            createfile.New,
	"CompleteFileFunction":          completefile.New,
	"GetFileFunction":               getfile.New,
	"ListFilesFunction":             listfiles.New,
	"FileUrlFunction":               fileurl.New,
	"CancelFileFunction":            cancelfile.New,
	"MintUploadTokenFunction":       mintuploadtoken.New,
	"SignPartsFunction":             signparts.New,
	"ListPartsFunction":             listparts.New,
	"UploadUrlFunction":             uploadurl.New,
	"DeleteFileFunction":            deletefile.New,
	"UploadFileFunction":            uploadfile.New,
	"ListCompatFilesFunction":       listcompatfiles.New,
	"QueryCompatFilesFunction":      querycompatfiles.New,
	"GetCompatFileFunction":         getcompatfile.New,
	"DeleteCompatFileFunction":      deletecompatfile.New,
	"CompatFileContentFunction":     compatfilecontent.New,
	"CreateWebhookEndpointFunction": createwebhookendpoint.New,
	"ListWebhookEndpointsFunction":  listwebhookendpoints.New,
	"DeleteWebhookEndpointFunction": deletewebhookendpoint.New,
	"RotateWebhookSecretFunction":   rotatewebhooksecret.New,
	"ListWebhookDeliveriesFunction": listwebhookdeliveries.New,
	"ReplayWebhookDeliveryFunction": replaywebhookdelivery.New,
	"DefaultRouteFunction":          defaultroute.New,
}

// triggered is a function one event source invokes.
type triggered[T any] struct {
	id    string
	new   func(*wiring.Env) T
	timed timer[T]
}

// trigger is one event source's function: its logical ID, constructor and
// timer (chosen by the handler's type).
func trigger[T any](id string, new func(*wiring.Env) T, timed timer[T]) triggered[T] {
	return triggered[T]{id, new, timed}
}

// eventSet is one constructor per event source.
type eventSet struct {
	authorizer    triggered[wiring.AuthorizerLambda]
	processUpload triggered[uploadwiring.S3Lambda]
	cleanup       triggered[s3wiring.CleanupLambda]
	counters      triggered[wiring.CountersLambda]
	reconcile     triggered[uploadwiring.ReconcileLambda]
	scanResult    triggered[uploadwiring.ScanResultLambda]
	events        triggered[eventwiring.EventsLambda]
	sender        triggered[eventwiring.SenderLambda]
}

// eventFunctions are the functions the stack invokes itself, as their
// event sources would.
var eventFunctions = eventSet{
	authorizer:    trigger("AuthorizerFunction", authorizer.New, timedLambda),
	processUpload: trigger("ProcessUploadFunction", processupload.New, timedErrLambda),
	cleanup:       trigger("CleanupFunction", cleanup.New, timedLambda),
	counters:      trigger("CountersFunction", counters.New, timedLambda),
	reconcile:     trigger("ReconcileFunction", reconcile.New, timedLambda),
	scanResult:    trigger("ScanResultFunction", scanresult.New, timedErrLambda),
	events:        trigger("FileEventsFunction", fileevents.New, timedLambda),
	sender:        trigger("WebhookSenderFunction", webhooksender.New, timedLambda),
}

// ids are the set's logical IDs.
func (e eventSet) ids() []string {
	return []string{e.authorizer.id, e.processUpload.id, e.cleanup.id, e.counters.id, e.reconcile.id, e.scanResult.id, e.events.id, e.sender.id}
}

// build is t's handler over its function's environment (envs holds every
// template function's; handlers checked the template has t.id).
// Timed, it reports each invocation to invoked.
func (t triggered[T]) build(envs map[string]*wiring.Env, invoked func(string, time.Duration)) T {
	return timed(t.timed, t.new(envs[t.id]), t.id, invoked)
}
