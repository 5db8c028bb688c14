package template_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/wiring"
)

// Malware scanning on AWS (ScanMode guardduty, the default): what the
// template must hold for "no byte is served before a scan says it is
// clean" to be true of a deployed stack.

const (
	guardDutyCondition = "ScanWithGuardDuty"
	verdictTag         = "s3:ExistingObjectTag/GuardDutyMalwareScanStatus"
)

func TestScanParameters(t *testing.T) {
	doc := readCfnDoc(t)
	params := doc.section("Parameters")
	for name, want := range map[string]struct {
		def     string
		allowed []string
		env     string
	}{
		"ScanMode":        {"guardduty", []string{"off", "guardduty", "clamav"}, "SCAN_MODE"},
		"ScanUnsupported": {"reject", []string{"reject", "accept"}, "SCAN_UNSUPPORTED"},
	} {
		p, _ := params[name].(map[string]any)
		var allowed []string
		for _, v := range list(p["AllowedValues"]) {
			allowed = append(allowed, str(v))
		}
		if str(p["Default"]) != want.def || !slices.Equal(allowed, want.allowed) {
			t.Errorf("%s: default %v, allowed %v; want %s of %v", name, p["Default"], allowed, want.def, want.allowed)
		}
		if env := globalEnvParams(t, doc); env[want.env] != name {
			t.Errorf("the functions' %s is not !Ref %s", want.env, name)
		}
		// Every allowed value starts a function; anything else does not.
		for _, v := range append(allowed, "maybe") {
			vars := map[string]string{"TABLE_NAME": localstack.TableName, "BUCKET_NAME": localstack.BucketName, want.env: v, "CLAMD_ADDRESS": "tcp://clamd.internal:3310"}
			_, err := wiring.Load(func(name string) string { return vars[name] })
			if (err == nil) != slices.Contains(allowed, v) {
				t.Errorf("%s=%s: config error %v", want.env, v, err)
			}
		}
	}
	if env := globalEnvParams(t, doc); env["CLAMD_ADDRESS"] != "ClamdAddress" {
		t.Error("the functions' CLAMD_ADDRESS is not !Ref ClamdAddress")
	}
	if a := at(doc.section("Rules"), "ClamAVNeedsClamd", "Assertions", "0", "Assert"); !strings.Contains(flatten(a), "ClamdAddress") {
		t.Errorf("no rule refuses ScanMode clamav without a ClamdAddress: %v", a)
	}
}

// The plan scans every new object under uploads/ with its own role and
// tags it with the verdict.
func TestGuardDutyPlanProtectsTheUploads(t *testing.T) {
	doc := readCfnDoc(t)
	plans := doc.resources(t, "AWS::GuardDuty::MalwareProtectionPlan")
	if len(plans) != 1 {
		t.Fatalf("%d malware protection plans, want 1", len(plans))
	}
	for id, plan := range plans {
		p := at(plan, "Properties")
		if plan["Condition"] != guardDutyCondition {
			t.Errorf("%s: condition %v, want %s", id, plan["Condition"], guardDutyCondition)
		}
		if refTo(at(p, "ProtectedResource", "S3Bucket", "BucketName")) != "UploadsBucket" {
			t.Errorf("%s protects %v, not the uploads bucket", id, at(p, "ProtectedResource"))
		}
		if prefixes := list(at(p, "ProtectedResource", "S3Bucket", "ObjectPrefixes")); len(prefixes) != 1 || prefixes[0] != "uploads/" {
			t.Errorf("%s scans prefixes %v, want [uploads/]", id, prefixes)
		}
		if at(p, "Actions", "Tagging", "Status") != "ENABLED" {
			t.Errorf("%s does not tag objects with their verdict (Actions.Tagging.Status)", id)
		}
		role := refTo(at(p, "Role"))
		r := doc.section("Resources")[role]
		principal := flatten(at(r, "Properties", "AssumeRolePolicyDocument"))
		if !strings.Contains(principal, "malware-protection-plan.guardduty.amazonaws.com") || !strings.Contains(principal, "aws:SourceAccount") {
			t.Errorf("%s's role %s is not GuardDuty's, for this account alone: %s", id, role, principal)
		}
		for _, pol := range list(at(r, "Properties", "Policies")) {
			for _, st := range statements([]any{map[string]any{"Statement": at(pol, "PolicyDocument", "Statement")}}) {
				for _, res := range strings.Fields(flatten(st["Resource"])) {
					if !strings.HasPrefix(res, "Fn::") && !strings.Contains(res, "-uploads") && !strings.Contains(res, ":rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3") {
						t.Errorf("%s's role reaches %s: beyond the uploads bucket and GuardDuty's own rule", id, res)
					}
				}
			}
		}
	}
}

// GuardDuty turns the bucket's EventBridge notifications on when the plan is
// created; unless the template says so too, the next stack update turns
// them off and GuardDuty stops scanning.
func TestBucketKeepsEventBridgeOn(t *testing.T) {
	doc := readCfnDoc(t)
	eb := at(doc.resources(t, "AWS::S3::Bucket")["UploadsBucket"], "Properties", "NotificationConfiguration", "EventBridgeConfiguration", "Fn::If")
	if str(at(eb, "0")) != guardDutyCondition || at(eb, "1", "EventBridgeEnabled") != true {
		t.Fatalf("the bucket's NotificationConfiguration sets no EventBridgeEnabled: true under %s: %v", guardDutyCondition, eb)
	}
	if len(list(at(doc.resources(t, "AWS::S3::Bucket")["UploadsBucket"], "Properties", "NotificationConfiguration", "LambdaConfigurations"))) != 1 {
		t.Error("the ObjectCreated notification to process-upload is gone")
	}
}

// GuardDuty publishes its results on the account's default bus: a rule
// there, for this plan's results on this bucket, invokes the function that
// settles files, whose role does that and nothing more.
func TestScanResultsRuleAndFunction(t *testing.T) {
	doc := readCfnDoc(t)
	fn := doc.resources(t, "AWS::Serverless::Function")["ScanResultFunction"]
	if fn == nil || fn["Condition"] != guardDutyCondition {
		t.Fatalf("no ScanResultFunction under %s: %v", guardDutyCondition, fn)
	}
	var rules []any
	for _, ev := range at(fn, "Properties", "Events").(map[string]any) {
		if at(ev, "Type") == "EventBridgeRule" {
			rules = append(rules, ev)
		}
	}
	if len(rules) != 1 {
		t.Fatalf("%d EventBridge rules invoke ScanResultFunction, want 1", len(rules))
	}
	p := at(rules[0], "Properties")
	if bus := at(p, "EventBusName"); bus != nil && bus != "default" {
		t.Errorf("the rule is on bus %v; GuardDuty publishes on the default bus", bus)
	}
	pattern := at(p, "Pattern")
	for path, want := range map[string]string{
		"source":      "aws.guardduty",
		"detail-type": "GuardDuty Malware Protection Object Scan Result",
	} {
		if v := list(at(pattern, path)); len(v) != 1 || v[0] != want {
			t.Errorf("pattern %s = %v, want [%s]", path, v, want)
		}
	}
	if r := list(at(pattern, "resources")); len(r) != 1 || refTo(r[0]) != "UploadsMalwareProtectionPlan" {
		t.Errorf("pattern resources = %v, want the plan's ARN", r)
	}
	if b := flatten(at(pattern, "detail", "s3ObjectDetails", "bucketName")); !strings.Contains(b, "-uploads") {
		t.Errorf("pattern bucketName = %s, want the uploads bucket", b)
	}
	// Least privilege: the file's record, and validation's reads and deletes
	// of objects; nothing that writes objects, lists uploads or reads tables.
	allowed := map[string]bool{"dynamodb:GetItem": true, "dynamodb:UpdateItem": true, "s3:GetObject": true, "s3:GetObjectTagging": true, "s3:DeleteObject": true, "s3:ListBucket": true}
	for _, st := range statements(at(fn, "Properties", "Policies")) {
		for _, a := range strings.Fields(flatten(st["Action"])) {
			if !allowed[a] {
				t.Errorf("ScanResultFunction may %s", a)
			}
			if strings.HasPrefix(a, "dynamodb:") && !strings.Contains(flatten(st["Condition"]), "P#*") {
				t.Errorf("ScanResultFunction's %s is not bound to records (P#*)", a)
			}
		}
	}
}

// Nothing downloads an object before GuardDuty tagged it clean: the bucket
// policy denies every GET of an object without the clean tag, whoever
// signed it, but to GuardDuty and the functions that validate uploads
// (they read bytes before the scan ends, and hand them to no one). The
// validators are the functions granted s3:GetObjectTagging (validation
// counts an object's tags); the ones that only presign downloads are not
// exempt. And only GuardDuty sets the tag.
func TestBucketPolicyGatesReadsOnTheCleanTag(t *testing.T) {
	doc := readCfnDoc(t)
	var deny, tagging map[string]any
	for _, st := range list(at(doc.resources(t, "AWS::S3::BucketPolicy")["UploadsBucketPolicy"], "Properties", "PolicyDocument", "Statement")) {
		branch, ok := at(st, "Fn::If").([]any)
		if !ok || len(branch) != 3 || branch[0] != guardDutyCondition {
			continue
		}
		s, _ := branch[1].(map[string]any)
		switch s["Sid"] {
		case "DenyReadsUntilScannedClean":
			deny = s
		case "OnlyGuardDutyTags":
			tagging = s
		}
	}
	if deny == nil || tagging == nil {
		t.Fatalf("the bucket policy lacks the read gate or the tag guard under %s", guardDutyCondition)
	}
	if deny["Effect"] != "Deny" || deny["Principal"] != "*" || !slices.Contains(strings.Fields(flatten(deny["Action"])), "s3:GetObject") ||
		!strings.HasSuffix(flatten(deny["Resource"]), "/uploads/*") {
		t.Errorf("the read gate is not a Deny of s3:GetObject on uploads/* to everyone: %v", deny)
	}
	clean := at(deny, "Condition", "StringNotEquals", verdictTag, "Fn::If")
	if str(at(clean, "0")) != "AcceptUnsupported" || flatten(at(clean, "1")) != "NO_THREATS_FOUND UNSUPPORTED" || flatten(at(clean, "2")) != "NO_THREATS_FOUND" {
		t.Errorf("readable tags: %v; want NO_THREATS_FOUND, and UNSUPPORTED only where accepted", clean)
	}
	var exempt []string
	for _, a := range list(at(deny, "Condition", "ArnNotEquals", "aws:PrincipalArn")) {
		exempt = append(exempt, refTo(a))
	}
	sort.Strings(exempt)
	want := []string{"MalwareProtectionRole"}
	for id, fn := range doc.resources(t, "AWS::Serverless::Function") {
		for _, st := range statements(at(fn, "Properties", "Policies")) {
			if slices.Contains(strings.Fields(flatten(st["Action"])), "s3:GetObjectTagging") {
				want = append(want, id+"Role")
				break
			}
		}
	}
	sort.Strings(want)
	if !slices.Equal(exempt, want) {
		t.Errorf("exempt from the read gate: %v; want GuardDuty's role and the validators' %v", exempt, want)
	}
	for _, signer := range []string{"FileUrlFunctionRole", "CompatFileContentFunctionRole"} {
		if slices.Contains(exempt, signer) {
			t.Errorf("%s signs downloads, yet reads unscanned objects", signer)
		}
	}
	if tagging["Effect"] != "Deny" || !strings.Contains(flatten(tagging["Action"]), "s3:PutObjectTagging") ||
		refTo(at(tagging, "Condition", "ArnNotEquals", "aws:PrincipalArn")) != "MalwareProtectionRole" {
		t.Errorf("the tag guard does not leave tagging to GuardDuty alone: %v", tagging)
	}
}

// Reconcile finds the files whose scan is due through its own index,
// ByReconcileAt, which they share with the PENDING files (no index of their
// own: TestFilesTableAddsAtMostOneIndexPerRelease), as its policy allows.
func TestReconcileQueriesDueScans(t *testing.T) {
	doc := readCfnDoc(t)
	fn := doc.resources(t, "AWS::Serverless::Function")["ReconcileFunction"]
	for _, st := range statements(at(fn, "Properties", "Policies")) {
		if strings.Contains(flatten(st["Action"]), "dynamodb:Query") && strings.Contains(flatten(st["Resource"]), "/index/ByReconcileAt") {
			return
		}
	}
	t.Error("ReconcileFunction may not query the ByReconcileAt index")
}

// After SAM's transform, as CloudFormation gets it: the rule is on the
// default bus (no EventBusName), targets scan-result, may invoke it, keeps
// a dead-letter queue, and exists with GuardDuty scanning only; scan-result's
// role carries no managed policy beyond logs and X-Ray and grants only its
// inline statements.
func TestTransformedScanResultRuleAndRole(t *testing.T) {
	doc := transformedTemplate(t)
	var rule string
	for id, r := range doc.resources(t, "AWS::Events::Rule") {
		targets := list(at(r, "Properties", "Targets"))
		if len(targets) == 1 && logicalID(at(targets[0], "Arn")) == "ScanResultFunction" {
			rule = id
			if bus := at(r, "Properties", "EventBusName"); bus != nil && bus != "default" {
				t.Errorf("rule %s is on bus %v, not the default bus GuardDuty publishes on", id, bus)
			}
			if r["Condition"] != guardDutyCondition {
				t.Errorf("rule %s: condition %v, want %s", id, r["Condition"], guardDutyCondition)
			}
			if at(targets[0], "DeadLetterConfig") == nil || at(targets[0], "RetryPolicy") == nil {
				t.Errorf("rule %s's target has no retry policy or dead-letter queue: %v", id, targets[0])
			}
			if p := flatten(at(r, "Properties", "EventPattern")); !strings.Contains(p, "GuardDuty Malware Protection Object Scan Result") {
				t.Errorf("rule %s matches %s", id, p)
			}
		}
	}
	if rule == "" {
		t.Fatal("no EventBridge rule targets ScanResultFunction")
	}
	invokable := false
	for _, perm := range doc.resources(t, "AWS::Lambda::Permission") {
		p := at(perm, "Properties")
		if logicalID(at(p, "FunctionName")) == "ScanResultFunction" && at(p, "Principal") == "events.amazonaws.com" && logicalID(at(p, "SourceArn")) == rule {
			invokable = true
		}
	}
	if !invokable {
		t.Errorf("EventBridge may not invoke ScanResultFunction from rule %s", rule)
	}
	managed, stmts := roleGrants(t, doc)
	role := ""
	for r, fn := range functionRoles(t, doc) {
		if fn == "ScanResultFunction" {
			role = r
		}
	}
	if role == "" {
		t.Fatal("ScanResultFunction has no role of the template")
	}
	for _, arn := range managed[role] {
		if name := arn[strings.LastIndex(arn, "/")+1:]; !slices.Contains(knownManagedPolicies, name) {
			t.Errorf("%s carries managed policy %s", role, arn)
		}
	}
	allowed := map[string]bool{"dynamodb:GetItem": true, "dynamodb:UpdateItem": true, "s3:GetObject": true, "s3:GetObjectTagging": true, "s3:DeleteObject": true, "s3:ListBucket": true,
		// SAM's grants for the function's X-Ray tracing (Tracing: Active).
		"xray:PutTraceSegments": true, "xray:PutTelemetryRecords": true}
	n := 0
	for _, st := range stmts {
		if st.Role != role {
			continue
		}
		for _, a := range st.Actions {
			n++
			if st.Effect == "Allow" && !allowed[a] {
				t.Errorf("%s may %s", role, a)
			}
		}
	}
	if n == 0 {
		t.Errorf("%s grants nothing: the test reads no statements", role)
	}
}
