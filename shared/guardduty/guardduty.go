// Package guardduty is the malware scanner adapter for GuardDuty Malware
// Protection for S3. GuardDuty scans each new object of the protected bucket
// on its own; Filegate reads its verdict from two places: the scan result
// event it publishes to the account's default EventBridge bus (Decode), and
// the tag it writes on the object (TagKey), which the bucket policy checks
// before any GET and which a retry reads when an event was lost.
//
// Its result statuses (the event's scanResultStatus and the tag's value):
//
//	NO_THREATS_FOUND   clean
//	THREATS_FOUND      infected (the event names the threats)
//	UNSUPPORTED        unsupported: password-protected, over GuardDuty's quotas
//	ACCESS_DENIED      no verdict: the plan's role cannot read the object
//	FAILED             no verdict: GuardDuty's own error
package guardduty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/filegate/filegate/shared/files"
)

// The scan result event's source and detail-type, as an EventBridge rule
// matches them.
const (
	Source     = "aws.guardduty"
	DetailType = "GuardDuty Malware Protection Object Scan Result"
)

// TagKey is the object tag GuardDuty writes with the result status when the
// plan's tagging action is enabled.
const TagKey = "GuardDutyMalwareScanStatus"

// CleanStatus is the one status that lets an object be read.
const CleanStatus = "NO_THREATS_FOUND"

// Result is one scan result event's substance.
type Result struct {
	Bucket, Key string
	Status      string   // scanResultStatus
	Threats     []string // the names of what was found (THREATS_FOUND)
}

// detail is the event's detail, as far as Filegate reads it.
type detail struct {
	ScanStatus      string `json:"scanStatus"`
	ResourceType    string `json:"resourceType"`
	S3ObjectDetails struct {
		BucketName string `json:"bucketName"`
		ObjectKey  string `json:"objectKey"`
	} `json:"s3ObjectDetails"`
	ScanResultDetails struct {
		ScanResultStatus string `json:"scanResultStatus"`
		Threats          []struct {
			Name string `json:"name"`
		} `json:"threats"`
	} `json:"scanResultDetails"`
}

// Decode reads a scan result event; anything else is an error.
func Decode(ev events.EventBridgeEvent) (Result, error) {
	if ev.Source != Source || ev.DetailType != DetailType {
		return Result{}, fmt.Errorf("guardduty: not a scan result: source %q, detail-type %q", ev.Source, ev.DetailType)
	}
	var d detail
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return Result{}, fmt.Errorf("guardduty: scan result detail: %w", err)
	}
	if d.ResourceType != "S3_OBJECT" || d.S3ObjectDetails.BucketName == "" || d.S3ObjectDetails.ObjectKey == "" {
		return Result{}, errors.New("guardduty: scan result names no S3 object")
	}
	r := Result{Bucket: d.S3ObjectDetails.BucketName, Key: d.S3ObjectDetails.ObjectKey, Status: d.ScanResultDetails.ScanResultStatus}
	for _, t := range d.ScanResultDetails.Threats {
		r.Threats = append(r.Threats, t.Name)
	}
	return r, nil
}

// Verdict is what a result status means to Filegate; ok is false for a
// status that is no verdict (the scan failed or could not read the object:
// the file waits, and a retry looks again).
func Verdict(status string, threats []string) (res files.ScanResult, ok bool) {
	switch status {
	case CleanStatus:
		return files.ScanResult{Verdict: files.ScanClean}, true
	case "THREATS_FOUND":
		sig := strings.Join(threats, ", ")
		if sig == "" {
			sig = "GuardDuty: THREATS_FOUND"
		}
		return files.ScanResult{Verdict: files.ScanInfected, Signature: sig}, true
	case "UNSUPPORTED":
		return files.ScanResult{Verdict: files.ScanUnsupported, Signature: "GuardDuty: UNSUPPORTED"}, true
	}
	return files.ScanResult{}, false
}

// TagReader reads one tag of an object (the S3 adapter).
type TagReader interface {
	ObjectTag(ctx context.Context, key, name string) (value string, ok bool, err error)
}

// Tags is a GuardDuty deployment's scanner: GuardDuty scans every new
// object by itself, so asking for a verdict is reading the tag it leaves.
// done is false until the tag is there with a verdict (a FAILED or
// ACCESS_DENIED scan is none: the file waits, and a look after the
// operator's fix finds the new tag).
type Tags struct{ Objects TagReader }

// Scan reads GuardDuty's verdict on key's object.
func (t Tags) Scan(ctx context.Context, key string) (files.ScanResult, bool, error) {
	status, ok, err := t.Objects.ObjectTag(ctx, key, TagKey)
	if err != nil || !ok {
		return files.ScanResult{}, false, err
	}
	res, ok := Verdict(status, nil)
	return res, ok, nil
}
