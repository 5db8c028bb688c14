package bench

import (
	"context"
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
	"github.com/filegate/filegate/shared/files"
)

// CreateVsFloorBudget is DESIGN §8's bound on create-file p50 against one raw
// PutItem plus one presign.
const CreateVsFloorBudget = 1.5

// sniffBytes is how much validation reads (shared/files/validate.go).
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
}

func newFloorRow(op, baseline string, measured, floor []time.Duration) FloorRow {
	r := FloorRow{Operation: op, Baseline: baseline, Measured: Summarize(measured), Floor: Summarize(floor)}
	r.RatioP50, r.RatioP99 = ratio(r.Measured.P50, r.Floor.P50), ratio(r.Measured.P99, r.Floor.P99)
	return r
}

// interleave runs the arms in turn, n timed rounds after warm rounds, the
// order rotating each round (ABC, BCA, CAB, ...) so drift in the machine
// falls on every arm alike.
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

// runFloor times create and complete through the local API against the raw
// DynamoDB Local and MinIO calls they need, in one interleaved loop each.
// Bucket events are off meanwhile, so every complete does the validation.
func (h *harness) runFloor(ctx context.Context, n int) (*FloorResult, error) {
	if err := h.events(ctx, false); err != nil {
		return nil, err
	}
	defer func() { _ = h.events(context.WithoutCancel(ctx), true) }()
	api, org, project, err := h.tenant(ctx)
	if err != nil {
		return nil, err
	}
	keyHash := auth.Hash(api.Key)
	res := &FloorResult{Iterations: n}
	warm := max(n/10, 5)

	// create-file: API vs PutItem + presign (and vs the same plus the key
	// lookup the local gateway makes on every request: API Gateway caches
	// the authorizer's answer, the local emulator does not).
	apiCreate := func(ctx context.Context, _ int) error {
		_, err := create(ctx, api, "bench.txt", "text/plain", int64(len(fox)))
		return err
	}
	rawCreate := func(ctx context.Context, _ int) error { return h.rawCreate(ctx, org, project) }
	rawAuthCreate := func(ctx context.Context, i int) error {
		if err := h.rawKeyLookup(ctx, keyHash); err != nil {
			return err
		}
		return rawCreate(ctx, i)
	}
	// The function's own calls, raw: the key read, the store's transaction
	// (record + project counter), the presign. API / this = what HTTP, the
	// gateway and the handler add.
	storeCreate := func(ctx context.Context, _ int) error {
		if err := h.rawKeyLookup(ctx, keyHash); err != nil {
			return err
		}
		return h.rawCreateAsStore(ctx, org, project)
	}
	d, err := interleave(ctx, n, warm, apiCreate, rawCreate, rawAuthCreate, storeCreate)
	if err != nil {
		return nil, err
	}
	createRow := newFloorRow("create-file (POST /v1/files)", "PutItem + presign", d[0], d[1])
	res.Rows = append(res.Rows, createRow,
		newFloorRow("create-file (POST /v1/files)", "GetItem (API key) + PutItem + presign", d[0], d[2]),
		newFloorRow("create-file (POST /v1/files)", "its own calls, raw: GetItem (API key) + TransactWriteItems (record + counter) + presign", d[0], d[3]))
	res.CreateMet = createRow.RatioP50 <= CreateVsFloorBudget
	h.logf("floor: create p50 %.2f ms vs %.2f ms (%.2fx)", createRow.Measured.P50, createRow.Floor.P50, createRow.RatioP50)

	// complete: API on uploaded PENDING files vs HEAD + range GET +
	// conditional UpdateItem on records and objects prepared the same way.
	total := n + warm
	apiIDs := make([]string, total)
	rawKeys := make([][2]string, total)   // object key, file id
	storeKeys := make([][2]string, total) // the same, for the store-shaped raw calls
	for i := range total {
		f, err := create(ctx, api, "fox.txt", "text/plain", int64(len(fox)))
		if err != nil {
			return nil, err
		}
		if err := api.Upload(ctx, f, strings.NewReader(fox), int64(len(fox))); err != nil {
			return nil, err
		}
		apiIDs[i] = f.ID
		id, key, err := h.rawPending(ctx, org, project)
		if err != nil {
			return nil, err
		}
		rawKeys[i] = [2]string{key, id}
		if id, key, err = h.rawPending(ctx, org, project); err != nil {
			return nil, err
		}
		storeKeys[i] = [2]string{key, id}
	}
	apiComplete := func(ctx context.Context, i int) error {
		_, err := api.CompleteFile(ctx, apiIDs[i])
		return err
	}
	rawComplete := func(ctx context.Context, i int) error {
		return h.rawComplete(ctx, project, rawKeys[i][1], rawKeys[i][0])
	}
	storeComplete := func(ctx context.Context, i int) error {
		return h.rawCompleteAsStore(ctx, keyHash, project, storeKeys[i][1], storeKeys[i][0])
	}
	d, err = interleave(ctx, n, warm, apiComplete, rawComplete, storeComplete)
	if err != nil {
		return nil, err
	}
	complete := newFloorRow("complete (POST /v1/files/{id}/complete)", "HEAD + range GET + conditional UpdateItem", d[0], d[1])
	res.Rows = append(res.Rows, complete, newFloorRow("complete (POST /v1/files/{id}/complete)",
		"its own calls, raw: GetItem (API key) + consistent GetItem + HEAD + range GET + TransactWriteItems (record + counter)", d[0], d[2]))
	h.logf("floor: complete p50 %.2f ms vs %.2f ms (%.2fx)", complete.Measured.P50, complete.Floor.P50, complete.RatioP50)
	return res, nil
}

// pendingFile is a new PENDING record as the service makes it.
func pendingFile(org, project, name, mimeType string, size int64) *files.File {
	now := time.Now().UTC()
	id := files.NewID(now)
	return &files.File{
		ID: id, ProjectID: project, OrganizationID: org, Filename: name, MimeType: mimeType, SizeBytes: size,
		Status: files.StatusPending, CreatedAt: now, UpdatedAt: now, UploadExpiresAt: now.Add(15 * time.Minute),
		ObjectKey: files.ObjectKey(project, id), TTL: now.Add(15*time.Minute + 7*24*time.Hour).Unix(),
	}
}

// rawCreate is the floor of create: one conditional PutItem of the record
// and one presigned PUT pinning the same headers.
func (h *harness) rawCreate(ctx context.Context, org, project string) error {
	f := pendingFile(org, project, "bench.txt", "text/plain", int64(len(fox)))
	if err := h.putRecord(ctx, f); err != nil {
		return err
	}
	return h.presignPut(ctx, f.ObjectKey, f.MimeType, f.SizeBytes)
}

func (h *harness) putRecord(ctx context.Context, f *files.File) error {
	item, err := recordItem(f)
	if err != nil {
		return err
	}
	_, err = h.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(localstack.TableName), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(pk)")})
	return err
}

func (h *harness) presignPut(ctx context.Context, key, mimeType string, size int64) error {
	_, err := h.sign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(localstack.BucketName), Key: aws.String(key),
		ContentType: aws.String(mimeType), ContentLength: aws.Int64(size), IfNoneMatch: aws.String("*"),
	}, s3.WithPresignExpires(15*time.Minute))
	return err
}

// rawKeyLookup is the authorizer's read: the key item by its hash.
func (h *harness) rawKeyLookup(ctx context.Context, hash string) error {
	out, err := h.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(localstack.TableName),
		Key: map[string]types.AttributeValue{"pk": str("K#" + hash), "sk": str("KEY")}})
	if err == nil && out.Item == nil {
		err = fmt.Errorf("the API key item K#%s is not where the store keeps it", hash)
	}
	return err
}

// rawPending writes a PENDING record and its uploaded object, outside the
// timed region; it returns the file id and object key.
func (h *harness) rawPending(ctx context.Context, org, project string) (string, string, error) {
	f := pendingFile(org, project, "fox.txt", "text/plain", int64(len(fox)))
	if err := h.putRecord(ctx, f); err != nil {
		return "", "", err
	}
	_, err := h.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(f.ObjectKey),
		Body: strings.NewReader(fox), ContentLength: aws.Int64(int64(len(fox))), ContentType: aws.String(f.MimeType)})
	return f.ID, f.ObjectKey, err
}

// rawValidate is validation's S3 reads, raw: HEAD, then the first bytes.
func (h *harness) rawValidate(ctx context.Context, key string) (etag string, err error) {
	head, err := h.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	get, err := h.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(localstack.BucketName), Key: aws.String(key),
		Range: aws.String(fmt.Sprintf("bytes=0-%d", sniffBytes-1))})
	if err != nil {
		return "", err
	}
	defer get.Body.Close()
	_, err = io.Copy(io.Discard, get.Body)
	return aws.ToString(head.ETag), err
}

// rawComplete is the floor of complete: HEAD the object, read its first
// bytes, and move the record to COMPLETED on condition it is PENDING.
func (h *harness) rawComplete(ctx context.Context, project, id, key string) error {
	etag, err := h.rawValidate(ctx, key)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	_, err = h.ddb.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(localstack.TableName),
		Key:       map[string]types.AttributeValue{"pk": str("P#" + project), "sk": str("F#" + id)},
		UpdateExpression: aws.String("SET #s = :done, updatedAt = :now, completedAt = :now, etag = :etag, md5 = :md5, " +
			"cpk = :pk, cid = :id, cname = :name REMOVE #ttl"),
		ConditionExpression:      aws.String("#s = :pending"),
		ExpressionAttributeNames: map[string]string{"#s": "status", "#ttl": "ttl"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":done": str("COMPLETED"), ":pending": str("PENDING"), ":now": str(now), ":etag": str(etag),
			":md5": str(strings.Trim(etag, `"`)), ":pk": str("P#" + project), ":id": str(id), ":name": str("fox.txt\x00" + id),
		},
	})
	return err
}

// rawCreateAsStore is what the store does for create, raw: the record and
// the project's counter in one transaction.
func (h *harness) rawCreateAsStore(ctx context.Context, org, project string) error {
	f := pendingFile(org, project, "bench.txt", "text/plain", int64(len(fox)))
	item, err := recordItem(f)
	if err != nil {
		return err
	}
	table := aws.String(localstack.TableName)
	_, err = h.ddb.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: table, Item: item, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Update: &types.Update{TableName: table, Key: map[string]types.AttributeValue{"pk": str("P#" + project), "sk": str("COUNT")},
			UpdateExpression: aws.String("ADD files :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}}},
	}})
	if err != nil {
		return err
	}
	return h.presignPut(ctx, f.ObjectKey, f.MimeType, f.SizeBytes)
}

// rawCompleteAsStore is what complete does, raw: the authorizer's key read,
// the service's consistent read of the record, HEAD and range GET, and the
// store's transaction moving the record into the catalog and the completed
// counter (catalog_write.go).
func (h *harness) rawCompleteAsStore(ctx context.Context, keyHash, project, id, key string) error {
	if err := h.rawKeyLookup(ctx, keyHash); err != nil {
		return err
	}
	table := aws.String(localstack.TableName)
	itemKey := map[string]types.AttributeValue{"pk": str("P#" + project), "sk": str("F#" + id)}
	if _, err := h.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: itemKey, ConsistentRead: aws.Bool(true)}); err != nil {
		return err
	}
	if _, err := h.rawValidate(ctx, key); err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	_, err := h.ddb.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: table, Key: itemKey,
			UpdateExpression:         aws.String("SET #s = :done, updatedAt = :now, completedAt = :now, cpk = :pk, cid = :id, cname = :name REMOVE #ttl"),
			ConditionExpression:      aws.String("#s = :pending"),
			ExpressionAttributeNames: map[string]string{"#s": "status", "#ttl": "ttl"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":done": str("COMPLETED"), ":pending": str("PENDING"), ":now": str(now),
				":pk": str("P#" + project), ":id": str(id), ":name": str("fox.txt\x00" + id)}}},
		{Update: &types.Update{TableName: table, Key: map[string]types.AttributeValue{"pk": str("P#" + project), "sk": str("COUNT")},
			UpdateExpression: aws.String("ADD completed :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}}},
	}})
	return err
}
