package history

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/filegate/filegate/infra/historycheck"
	"github.com/filegate/filegate/infra/localstack"
)

// fault is one way of hurting the stack: it returns once the part is
// serving again.
type fault struct {
	tag, name string
	inject    func(ctx context.Context, st *localstack.Stack, rng *rand.Rand) error
}

// faultKinds are the faults a run draws from, in turn: crashes (SIGKILL; the
// stack's supervisor restarts the server on its data, as `make dev`'s does)
// stalls (SIGSTOP for 1-4 s: storage or the database slowed to nothing),
// and storage slowed (every request through the S3 proxy waits 0.5-2 s, for 3-6 s).
// The functions run inside the stack's own process (the test's), so they
// cannot be killed on their own; SIGKILL of the whole of `make dev` is
// infra/faults' TestMakeDevKilledMidTrafficRestartsOnItsData.
var faultKinds = []fault{
	{"dynamodb", "SIGKILL DynamoDB Local", func(ctx context.Context, st *localstack.Stack, _ *rand.Rand) error {
		if err := st.DynamoDB.Kill(); err != nil {
			return err
		}
		return waitServing(ctx, func(ctx context.Context) error {
			_, err := st.DynamoClient().ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
			return err
		})
	}},
	{"dynamodb", "SIGSTOP DynamoDB Local", func(ctx context.Context, st *localstack.Stack, rng *rand.Rand) error {
		if err := st.DynamoDB.Pause(); err != nil {
			return err
		}
		time.Sleep(time.Second + time.Duration(rng.Int64N(int64(3*time.Second))))
		return st.DynamoDB.Resume()
	}},
	{"minio", "SIGSTOP MinIO", func(ctx context.Context, st *localstack.Stack, rng *rand.Rand) error {
		if err := st.MinIO.Pause(); err != nil {
			return err
		}
		time.Sleep(time.Second + time.Duration(rng.Int64N(int64(3*time.Second))))
		return st.MinIO.Resume()
	}},
	{"s3proxy", "storage slowed by the proxy", func(ctx context.Context, st *localstack.Stack, rng *rand.Rand) error {
		st.S3Proxy.SetDelay(500*time.Millisecond + time.Duration(rng.Int64N(int64(1500*time.Millisecond))))
		time.Sleep(3*time.Second + time.Duration(rng.Int64N(int64(3*time.Second))))
		st.S3Proxy.SetDelay(0)
		return nil
	}},
	{"minio", "SIGKILL MinIO", func(ctx context.Context, st *localstack.Stack, _ *rand.Rand) error {
		if err := st.MinIO.Kill(); err != nil {
			return err
		}
		return waitServing(ctx, func(ctx context.Context) error {
			_, err := st.S3Client().ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		})
	}},
}

// waitServing waits (up to a minute) until probe succeeds: the supervisor
// has restarted the server.
func waitServing(ctx context.Context, probe func(context.Context) error) error {
	time.Sleep(100 * time.Millisecond) // let the process die first
	deadline := time.Now().Add(time.Minute)
	for {
		pctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := probe(pctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not serving a minute after the fault: %w", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// injectFaults injects cfg.faults faults spread over the run (each kind in
// turn from a seeded start) and returns
// what it did; it returns when the run ends.
func injectFaults(ctx context.Context, t *testing.T, st *localstack.Stack, rec *historycheck.Recorder, cfg config, rng *rand.Rand) []string {
	t.Helper()
	began := time.Now()
	first := rng.IntN(len(faultKinds))
	var done []string
	for i := range cfg.faults {
		at := began.Add(cfg.duration * time.Duration(i+1) / time.Duration(cfg.faults+1))
		select {
		case <-ctx.Done():
		case <-time.After(time.Until(at)):
		}
		if ctx.Err() != nil {
			// A restart of DynamoDB Local takes 5-25 s on a loaded machine.
			t.Logf("the run ended before fault %d of %d: the faults before it took that long", i+1, cfg.faults)
			return done
		}
		f := faultKinds[(first+i)%len(faultKinds)]
		start := time.Now()
		if err := f.inject(ctx, st, rng); err != nil {
			t.Errorf("%s: %v", f.name, err)
		}
		rec.Fault(f.tag, f.name, start)
		done = append(done, fmt.Sprintf("%s at %s for %s", f.name, start.Sub(began).Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond)))
	}
	<-ctx.Done()
	return done
}
