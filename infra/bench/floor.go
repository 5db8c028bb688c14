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

// FloorRow compares one API operation with the raw operations it needs.
type FloorRow struct {
	Operation string  `json:"operation"`
	Baseline  string  `json:"baseline"`
	Measured  Dist    `json:"measured"`
	Floor     Dist    `json:"floor"`
	RatioP50  float64 `json:"ratio_p50"`
	RatioP99  float64 `json:"ratio_p99"`
}

// FloorResult is section 4.
type FloorResult struct {
	Iterations int        `json:"iterations"`
	Rows       []FloorRow `json:"rows"`
	CreateMet  bool       `json:"create_budget_met"`
	// The rate limiter is on for create (its Write bucket at FloorWriteRate):
	// its DynamoDB calls per admitted create, bucket writes and reads
	// (refusals' read-backs and the operator's limits) apart.
	LimiterWritesPerCreate float64 `json:"limiter_writes_per_create"`
	LimiterReadsPerCreate  float64 `json:"limiter_reads_per_create"`
}

// FloorWriteRate: the limiter is on at a rate one client never reaches.
const FloorWriteRate = 1000

func newFloorRow(op, baseline string, measured, floor []time.Duration) FloorRow {
	r := FloorRow{Operation: op, Baseline: baseline, Measured: Summarize(measured), Floor: Summarize(floor)}
	r.RatioP50, r.RatioP99 = ratio(r.Measured.P50, r.Floor.P50), ratio(r.Measured.P99, r.Floor.P99)
	return r
}

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
func (h *harness) runFloor(ctx context.Context, n int) (*FloorResult, error) {
	if err := h.events(ctx, false); err != nil {
		return nil, err
	}
	defer func() { _ = h.events(context.WithoutCancel(ctx), true) }()
	api, org, project, err := h.tenant(ctx)
	if err != nil {
		return nil, err
	}
	if err := dynamostore.NewLimits(h.env.DynamoDB(), h.env.Config.TableName).Put(ctx, org, "", dynamostore.ProjectLimits{Rates: ratelimit.Rates{Write: FloorWriteRate}}); err != nil {
		return nil, err
	}
	keyHash := auth.Hash(api.Key)
	keyRead := func(ctx context.Context) error { _, err := h.keys.GetKey(ctx, keyHash); return err }
	res := &FloorResult{Iterations: n}
	warm := max(n/10, 5)

	apiCreate := func(ctx context.Context, _ int) error {
		_, err := create(ctx, api, "bench.txt", "text/plain", int64(len(fox)))
		return err
	}
	rawCreate := func(ctx context.Context, _ int) error {
		f := pendingFile(org, project)
		if err := h.putRecord(ctx, f); err != nil {
			return err
		}
		return h.presignPut(ctx, f)
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
	h.limiter.reset()
	d, err := interleave(ctx, n, warm, apiCreate, rawCreate, rawAuthCreate, ownCreate)
	if err != nil {
		return nil, err
	}
	creates := float64(n + warm)
	res.LimiterWritesPerCreate, res.LimiterReadsPerCreate = float64(h.limiter.writes.Load())/creates, float64(h.limiter.reads.Load())/creates
	const createOp = "create-file (POST /v1/files)"
	createRow := newFloorRow(createOp, "PutItem + presign", d[0], d[1])
	res.Rows = append(res.Rows, createRow,
		newFloorRow(createOp, "GetItem (API key) + PutItem + presign", d[0], d[2]),
		newFloorRow(createOp, "its own calls: GetItem (API key) + the store's Create (one conditional PutItem) + presign", d[0], d[3]))
	res.CreateMet = createRow.RatioP50 <= CreateVsFloorBudget
	h.logf("floor: create p50 %.2f ms vs %.2f ms (%.2fx)", createRow.Measured.P50, createRow.Floor.P50, createRow.RatioP50)

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
	completeRow := newFloorRow(completeOp, "HEAD + range GET + conditional UpdateItem", d[0], d[1])
	res.Rows = append(res.Rows, completeRow, newFloorRow(completeOp,
		"its own calls: GetItem (API key) + consistent GetItem beside one range GET + the store's Transition (one conditional UpdateItem)", d[0], d[2]))
	h.logf("floor: complete p50 %.2f ms vs %.2f ms (%.2fx)", completeRow.Measured.P50, completeRow.Floor.P50, completeRow.RatioP50)
	return res, nil
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

// putRecord writes f's record through the store: one conditional PutItem.
func (h *harness) putRecord(ctx context.Context, f *files.File) error {
	return h.store.Create(ctx, f)
}

// recordKey is the primary key the store files f's record under (project
// partition, file sort key); a wrong one fails rawComplete's condition.
func recordKey(f *files.File) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "P#" + f.ProjectID}, "sk": &types.AttributeValueMemberS{Value: "F#" + f.ID.String()}}
}

// presignPut signs f's upload as the S3 adapter does, with the raw client.
func (h *harness) presignPut(ctx context.Context, f *files.File) error {
	_, err := h.sign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(localstack.BucketName), Key: aws.String(f.ObjectKey),
		ContentType: aws.String(f.MimeType), ContentLength: aws.Int64(f.SizeBytes), IfNoneMatch: aws.String("*"),
	}, s3.WithPresignExpires(15*time.Minute))
	return err
}

// rawPending writes a PENDING record and its uploaded object.
func (h *harness) rawPending(ctx context.Context, org, project string) (*files.File, error) {
	f := pendingFile(org, project)
	if err := h.putRecord(ctx, f); err != nil {
		return nil, err
	}
	_, err := h.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(f.ObjectKey),
		Body: strings.NewReader(fox), ContentLength: aws.Int64(int64(len(fox))), ContentType: aws.String(f.MimeType)})
	return f, err
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
		TableName: aws.String(localstack.TableName), Key: recordKey(f),
		UpdateExpression:          aws.String("SET #s = :done, updatedAt = :now, completedAt = :now, etag = :etag REMOVE #ttl"),
		ConditionExpression:       aws.String("#s = :pending"),
		ExpressionAttributeNames:  map[string]string{"#s": "status", "#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": str("COMPLETED"), ":pending": str("PENDING"), ":now": str(time.Now().UTC().Format(time.RFC3339Nano)), ":etag": str(aws.ToString(head.ETag))},
	})
	return err
}
