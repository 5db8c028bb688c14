package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/infra/localstack"
	"github.com/filegate/filegate/shared/auth"
	"github.com/filegate/filegate/shared/dynamostore"
	"github.com/filegate/filegate/shared/files"
	"github.com/filegate/filegate/shared/ratelimit"
)

// CreateVsFloorBudget bounds create-file p50 against one raw PutItem plus
// one presign (docs/ARCHITECTURE.md "Budgets").
const CreateVsFloorBudget = 1.5

// sniffBytes is how much validation reads (shared/files/upload/validate.go).
const sniffBytes = 3072

// fox is the 43-byte object the events/ samples describe.
const fox = "The quick brown fox jumps over the lazy dog"

// FloorWriteRate: the limiter is on at a rate one client never reaches.
const FloorWriteRate = 1000

// interleave runs the arms n timed rounds after warm ones, rotating their order each round.
func interleave(ctx context.Context, n, warm int, arms ...func(ctx context.Context, i int) error) ([][]time.Duration, error) {
	out := make([][]time.Duration, len(arms))
	for round := range n + warm {
		for k := range arms {
			a := (round + k) % len(arms)
			start := time.Now()
			if err := arms[a](ctx, round); err != nil {
				return nil, err
			}
			if round >= warm {
				out[a] = append(out[a], time.Since(start))
			}
		}
	}
	return out, nil
}

// runFloor times create and complete via the API, the raw calls and the function's own calls; events off.
func (h *harness) runFloor(ctx context.Context, n int) (*Section, error) {
	restore, err := h.eventsOff(ctx)
	if err != nil {
		return nil, err
	}
	defer restore()
	api, org, project, err := h.tenant(ctx)
	if err != nil {
		return nil, err
	}
	if err := dynamostore.NewLimits(h.env.DynamoDB(), h.env.Config.TableName).Put(ctx, org, "", dynamostore.ProjectLimits{Rates: ratelimit.Rates{Write: FloorWriteRate}}); err != nil {
		return nil, err
	}
	keyHash := auth.Hash(api.Key)
	keyRead := func(ctx context.Context) error { _, err := h.keys.GetKey(ctx, keyHash); return err }
	warm := max(n/10, 5)
	s := &Section{Name: "floor"}
	t := s.table(fmt.Sprintf("4. Against the floor: %d interleaved rounds, one client, S3 events off", n),
		"operation | baseline | p50 | p99 | baseline p50 | baseline p99 | p50 ratio | p99 ratio")
	// vs adds a row and returns its p50 ratio, measured and floor.
	vs := func(op, baseline string, measured, floor []time.Duration) (float64, string) {
		m, f := Summarize(measured), Summarize(floor)
		r := ratio(m.P50, f.P50)
		t.row("%s | %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f× | %.2f×", op, baseline, m.P50, m.P99, f.P50, f.P99, r, ratio(m.P99, f.P99))
		return r, fmt.Sprintf("%.2f× (%.2f vs %.2f ms)", r, m.P50, f.P50)
	}

	apiCreate := func(ctx context.Context, _ int) error {
		_, err := create(ctx, api, "bench.txt", "text/plain", int64(len(fox)))
		return err
	}
	rawCreate := func(ctx context.Context, _ int) error {
		f := pendingFile(org, project)
		if err := h.store.Create(ctx, f); err != nil {
			return err
		}
		_, err := h.sign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(f.ObjectKey),
			ContentType: aws.String(f.MimeType), ContentLength: aws.Int64(f.SizeBytes), IfNoneMatch: aws.String("*")}, s3.WithPresignExpires(15*time.Minute))
		return err
	}
	// What a request whose authorization is not cached adds: the bench's
	// gateway caches answers as API Gateway does (AuthorizerCacheTtlSeconds).
	rawAuthCreate := func(ctx context.Context, i int) error {
		if err := keyRead(ctx); err != nil {
			return err
		}
		return rawCreate(ctx, i)
	}
	ownCreate := func(ctx context.Context, _ int) error {
		f := pendingFile(org, project)
		if err := keyRead(ctx); err != nil {
			return err
		}
		if err := h.store.Create(ctx, f); err != nil {
			return err
		}
		_, err := h.objects.PresignUpload(ctx, f.ObjectKey, files.Upload{ContentType: f.MimeType, ContentLength: f.SizeBytes, Expires: 15 * time.Minute})
		return err
	}
	h.cost.reset()
	d, err := interleave(ctx, n, warm, apiCreate, rawCreate, rawAuthCreate, ownCreate)
	if err != nil {
		return nil, err
	}
	creates := float64(n + warm)
	h.cost.mu.Lock()
	reads := float64(h.cost.reads["RATE"]+h.cost.reads["LIMIT"]) / creates
	h.cost.mu.Unlock()
	writes := float64(h.cost.kinds(func(string) bool { return true }, 0)["RATE"]) / creates
	const createOp = "create-file (POST /v1/files)"
	r, m := vs(createOp, "PutItem + presign", d[0], d[1])
	vs(createOp, "GetItem (API key) + PutItem + presign", d[0], d[2])
	vs(createOp, "its own calls: GetItem (API key) + the store's Create (one conditional PutItem) + presign", d[0], d[3])
	s.budget("create-file p50 vs one PutItem + one presign", "≤ 1.5×", r <= CreateVsFloorBudget, "%s", m)
	s.budget("rate limiter: its DynamoDB writes per admitted create", "< 1", writes < 1, "%.3f writes, %.3f reads", writes, reads)
	t.note("Rate limiter (Write bucket at %d/s) per admitted create: %.3f writes, %.3f reads.", FloorWriteRate, writes, reads)
	h.logf("floor: create %s", m)

	// complete: the API on uploaded PENDING files; the other arms on records
	// and objects written raw, the same way, outside the timed region.
	total := n + warm
	apiIDs := make([]string, total)
	rawFiles, ownFiles := make([]*files.File, total), make([]*files.File, total)
	for i := range total {
		f, err := create(ctx, api, "fox.txt", "text/plain", int64(len(fox)))
		if err != nil {
			return nil, err
		}
		if err := api.Upload(ctx, f, strings.NewReader(fox), int64(len(fox))); err != nil {
			return nil, err
		}
		apiIDs[i] = f.ID
		if rawFiles[i], err = h.rawPending(ctx, org, project); err != nil {
			return nil, err
		}
		if ownFiles[i], err = h.rawPending(ctx, org, project); err != nil {
			return nil, err
		}
	}
	apiComplete := func(ctx context.Context, i int) error {
		_, err := complete(ctx, api, apiIDs[i])
		return err
	}
	rawComplete := func(ctx context.Context, i int) error { return h.rawComplete(ctx, rawFiles[i], rawFiles[i].ObjectKey) }
	ownComplete := func(ctx context.Context, i int) error {
		if err := keyRead(ctx); err != nil {
			return err
		}
		// The record read beside the object's range GET, as complete does.
		var info files.ObjectInfo
		read := make(chan error, 1)
		go func() {
			var err error
			info, _, err = h.objects.Peek(ctx, ownFiles[i].ObjectKey, sniffBytes)
			read <- err
		}()
		f, err := h.store.Get(ctx, project, ownFiles[i].ID)
		if err := errors.Join(err, <-read); err != nil {
			return err
		}
		_, err = h.store.Transition(ctx, f, files.StatusPending, files.Change{To: files.StatusCompleted, At: time.Now().UTC(), ETag: info.ETag})
		return err
	}
	d, err = interleave(ctx, n, warm, apiComplete, rawComplete, ownComplete)
	if err != nil {
		return nil, err
	}
	const completeOp = "complete (POST /v1/files/{id}/complete)"
	r, m = vs(completeOp, "HEAD + range GET + conditional UpdateItem", d[0], d[1])
	vs(completeOp, "its own calls: GetItem (API key) + consistent GetItem beside one range GET + the store's Transition (one conditional UpdateItem)", d[0], d[2])
	s.budget("complete p50 vs HEAD + range GET + one conditional UpdateItem", "≤ 1.5×", r <= CreateVsFloorBudget, "%s", m)
	h.logf("floor: complete %s", m)
	return s, nil
}

// pendingFile is a new PENDING record of the 43-byte fox, as create makes it.
func pendingFile(org, project string) *files.File {
	now := time.Now().UTC()
	id := files.NewID(now)
	return &files.File{
		ID: id, ProjectID: project, OrganizationID: org, Declared: files.Declared{Filename: "fox.txt", MimeType: "text/plain", SizeBytes: int64(len(fox))},
		Status: files.StatusPending, CreatedAt: now, UpdatedAt: now, UploadExpiresAt: now.Add(15 * time.Minute),
		ObjectKey: files.ObjectKey(project, id), TTL: now.Add(15*time.Minute + 7*24*time.Hour).Unix(),
	}
}

// rawPending writes a PENDING record and its uploaded object.
func (h *harness) rawPending(ctx context.Context, org, project string) (*files.File, error) {
	f := pendingFile(org, project)
	if err := h.store.Create(ctx, f); err != nil {
		return nil, err
	}
	return f, h.putObject(ctx, localstack.BucketName, f.ObjectKey, []byte(fox))
}

// rawComplete is the floor of complete: HEAD the object at key, read its
// first bytes, and mark f's record COMPLETED on condition it is PENDING.
func (h *harness) rawComplete(ctx context.Context, f *files.File, key string) error {
	head, err := h.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(key)})
	if err != nil {
		return err
	}
	get, err := h.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(key),
		Range: aws.String(fmt.Sprintf("bytes=0-%d", sniffBytes-1))})
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, get.Body)
	get.Body.Close()
	if err != nil {
		return err
	}
	str := func(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
	_, err = h.ddb.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(localstack.TableName), Key: map[string]types.AttributeValue{"pk": str("P#" + f.ProjectID), "sk": str("F#" + f.ID.String())},
		UpdateExpression:          aws.String("SET #s = :done, updatedAt = :now, completedAt = :now, etag = :etag REMOVE #ttl"),
		ConditionExpression:       aws.String("#s = :pending"),
		ExpressionAttributeNames:  map[string]string{"#s": "status", "#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": str("COMPLETED"), ":pending": str("PENDING"), ":now": str(time.Now().UTC().Format(time.RFC3339Nano)), ":etag": str(aws.ToString(head.ETag))},
	})
	return err
}
