package bench

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Markdown renders results.md.
func Markdown(r *Results) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	m := r.Machine
	p("# Filegate benchmarks\n\n")
	p("Written by `make bench` (infra/bench) on %s in %.0f s. Every comparison is a ratio to a baseline measured "+
		"in the same run, interleaved with it where the two share the machine; absolute times are this machine's.\n\n", m.Date, r.Seconds)
	p("| machine | |\n|---|---|\n")
	p("| CPU | %s, %d cores, %d GiB |\n| OS | %s |\n| Go | %s |\n| Node.js | %s |\n| Java (DynamoDB Local) | %s |\n| DynamoDB Local | %s |\n| MinIO | %s |\n| commit | %s |\n\n",
		m.CPU, m.Cores, m.MemoryGiB, m.OS, m.Go, m.Node, m.Java, m.DynamoDB, m.MinIO, m.Commit)
	if len(r.Failures) > 0 {
		p("**Sections that failed:**\n\n")
		for _, f := range r.Failures {
			p("- `%s`\n", strings.ReplaceAll(firstLine(f), "`", "'"))
		}
		p("\n")
	}

	p("## Budgets (DESIGN §8)\n\n| what | budget | measured | met |\n|---|---|---|---|\n")
	for _, bu := range r.Budgets {
		p("| %s | %s | %s | %s |\n", bu.What, bu.Budget, bu.Measured, yes(bu.Met))
	}
	p("\n")
	if plans := missPlans(r); plans != "" {
		p("%s\n", plans)
	}

	if s := r.Size; s != nil {
		p("## 1. Size\n\nEach function built as `sam build` builds it (`make build-<LogicalId> ARTIFACTS_DIR=…`: linux/arm64, " +
			"`-tags lambda.norpc -trimpath -ldflags='-s -w'`, no cgo), then its artifacts directory zipped with deflate (Go's archive/zip, as sam zips). " +
			"Budget: 4 MB (4,000,000 bytes) zipped. Go's deflate compresses about 3%% less than the zlib sam's Python uses, " +
			"so the zips sam uploads are a little smaller than these.\n\n")
		p("| function | bootstrap | zipped | of budget |\n|---|---:|---:|---:|\n")
		for _, row := range append(slices.Clone(s.Rows), s.Hello) {
			p("| %s | %s | %s | %s |\n", row.Function, mb(row.BootstrapBytes), mb(row.ZipBytes), pct(row.OfBudget))
		}
		p("\n")
	}

	if c := r.ColdStart; c != nil {
		p("## 2. Cold start\n\nEach function's real bootstrap, built for this machine with the Makefile's flags, started %d times "+
			"against infra/lambdaruntime (the Runtime API, with the environment Lambda sets plus the local stack's: "+
			"endpoints, table, bucket), round-robin over all targets. *init* = process start → first `GET /invocation/next`; "+
			"*first response* = process start → the response to one invocation with the function's `events/` sample (its answer "+
			"is in the last column; 4xx is expected where the sample names a file that does not exist). "+
			"p99 of %d starts is the slowest.\n\n", c.Starts, c.Starts)
		p("Baselines: **hello-world** (`infra/bench/hello`: aws-lambda-go's `lambda.Start` and nothing else, same flags) is the floor; "+
			"**node-presign** (`bench/node-presign`: %s, pinned by package-lock.json) is the common alternative, an S3Client "+
			"at module scope and one `getSignedUrl(PutObjectCommand)` per request, run by a Runtime API client loop written "+
			"like the AWS Node.js runtime's (`runtime.mjs`) and started as node directly (no shell, unlike AWS's bootstrap script, which favours Node); "+
			"it gets the create-file sample.\n\n", c.NodeDeps)
		p("| function | init p50 | init p99 | first response p50 | first response p99 | init vs Node | init vs hello | first invocation answered |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
		coldRow := func(row ColdRow, vsNode, vsHello string) {
			p("| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %s | %s | %s |\n", row.Function, row.Init.P50, row.Init.P99,
				row.FirstResponse.P50, row.FirstResponse.P99, vsNode, vsHello, statuses(row.Statuses))
		}
		coldRow(c.Hello, fmt.Sprintf("%.2f×", ratio(c.Hello.Init.P50, c.Node.Init.P50)), "1.00×")
		coldRow(c.Node, "1.00×", fmt.Sprintf("%.2f×", ratio(c.Node.Init.P50, c.Hello.Init.P50)))
		for _, row := range c.Rows {
			coldRow(row, fmt.Sprintf("%.2f×", row.InitVsNode), fmt.Sprintf("%.2f×", row.InitVsHello))
		}
		p("\nBudgets: init ≤ 0.25× Node's and ≤ 2× hello-world's (p50).\n\n")
	}

	if h := r.HotPath; h != nil {
		p("## 3. Hot path\n\n`go test -run '^$' -bench . -benchmem -count %d -benchtime %s` on %s; the median of the %d runs "+
			"(ns/op range beside it). Storage is at its seam: presigning is real (no network), the create handler runs the create-file "+
			"function's handler (`events/create-file.json` → aws-lambda-go-api-proxy → access log → guard → service → presign) over a store that keeps nothing.\n\n",
			h.Count, h.Benchtime, strings.Join(HotPathPackages, ", "), h.Count)
		p("| package | benchmark | ns/op | range | B/op | allocs/op |\n|---|---|---:|---:|---:|---:|\n")
		for _, row := range h.Rows {
			p("| %s | %s | %s | %s–%s | %.0f | %.0f |\n", row.Package, row.Name, num(row.NsPerOp), num(row.NsMin), num(row.NsMax), row.BytesPerOp, row.AllocsPerOp)
		}
		p("\nPresignUpload: %.3f ms and %.0f allocs (budget 0.25 ms, 400 allocs); %.2f× the SDK presigning a bare PutObject, %.2f× hand-made SigV4 (the crypto floor).\n\n",
			h.Presign.NsPerOp/1e6, h.Presign.AllocsPerOp, h.PresignVsSDKBare, h.PresignVsCrypto)
	}

	if f := r.Floor; f != nil {
		p("## 4. Against the floor\n\nOne client, sequential, %d timed rounds after warm-up, the arms interleaved (order rotating each round). "+
			"*Measured* goes through the local API (HTTP → API Gateway emulator → Lambda authorizer → the function's handler); "+
			"*floor* is the benchmark's own raw calls to the same DynamoDB Local and MinIO. S3 events are off here, so every complete validates.\n\n", f.Iterations)
		p("| operation | floor | p50 | p99 | floor p50 | floor p99 | p50 ratio | p99 ratio |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
		for _, row := range f.Rows {
			p("| %s | %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f× | %.2f× |\n", row.Operation, row.Baseline,
				row.Measured.P50, row.Measured.P99, row.Floor.P50, row.Floor.P99, row.RatioP50, row.RatioP99)
		}
		p("\nThe second create row adds the authorizer's key read to the floor: API Gateway caches the authorizer's answer " +
			"(`AuthorizerCacheTtlSeconds`, 60 s), the local emulator asks it on every request.\n\n")
	}

	if g := r.Growth; g != nil {
		p("## 5. Growth\n\n")
		if len(g.Trends) > 0 {
			p("One project seeded to %s COMPLETED files (raw BatchWriteItem in the store's exact item layout, counters included; "+
				"seeding took %s s). %s The filters match the same files at every size (%d named `%s` with external id `%s`; "+
				"%d ids for `file_ids`), so a flat design costs the same at every size. *RCU*: read capacity units the listing consumed, "+
				"as DynamoDB Local reports them with `ReturnConsumedCapacity: TOTAL` on every call (a middleware on the instrumented service's "+
				"client; DynamoDB Local does report it, computed by DynamoDB's rules: 4 KB units, half for eventually consistent reads), "+
				"for the same call the API serves; *p50*: latency through the local API over %d requests (5 for pages slower than 250 ms).\n\n",
				joinInts(g.Scales), joinFloats(g.SeedSeconds), g.LayoutCheck, needleCount, needleName, needleExt, fileIDsFilter, r.configInt("list_repetitions"))
			p("| listing | ")
			for _, s := range g.Scales {
				p("RCU @ %s | ", shortCount(s))
			}
			for _, s := range g.Scales {
				p("p50 @ %s | ", shortCount(s))
			}
			p("RCU growth | flat |\n|---|")
			for range 2*len(g.Scales) + 1 {
				p("---:|")
			}
			p("---|\n")
			for _, t := range g.Trends {
				p("| %s | ", t.Query)
				for _, v := range t.RCU {
					p("%s | ", trimFloat(v))
				}
				for i, v := range t.P50 {
					mark := ""
					if i < len(t.InProcess) && t.InProcess[i] {
						mark = "†"
					}
					p("%.1f ms%s | ", v, mark)
				}
				p("%.2f× | %s |\n", t.RCUGrowth, yes(t.Flat))
			}
			p("\n† too slow to sample through the API: the one instrumented in-process call (same DynamoDB calls, no HTTP).\n")
			p("\nDynamoDB calls per listing at %s files:\n\n| listing | calls | items returned | items evaluated |\n|---|---|---:|---:|\n", shortCount(g.Scales[len(g.Scales)-1]))
			for _, pt := range g.Points {
				if pt.Files == g.Scales[len(g.Scales)-1] {
					p("| %s | %s | %d | %d |\n", pt.Query, calls(pt.Capacity.Calls), pt.Capacity.Items, pt.Capacity.Scanned)
				}
			}
			p("\n")
		}
		if len(g.Validation) > 0 {
			p("### Validation bytes\n\nA PDF of each size uploaded through its presigned PUT (streamed), then completed twice over: " +
				"once through a file service wired like the functions' but whose S3 client counts every response byte it reads, " +
				"once through the API (another file of the same size). S3 events are off, so complete is what validates. " +
				"Bytes read: every S3 response byte the validating client read (HEAD has none); a 1 KiB object is read whole.\n\n")
			p("| object | bytes read | S3 requests | complete (instrumented) | complete (API) | HEAD + range GET p50 | p99 | upload (for scale) |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
			for _, v := range g.Validation {
				p("| %s | %d | %d | %.1f ms | %.1f ms | %.2f ms | %.2f ms | %.0f ms |\n", sizeLabel(v.SizeBytes), v.BytesRead, v.S3Requests,
					v.ServiceMs, v.APICompleteMs, v.Reads.P50, v.Reads.P99, v.UploadMs)
			}
			p("\nThe complete columns are one call each; the HEAD + range GET columns repeat validation's two reads %d times on the stored object "+
				"(the only part of complete that could grow with the object).\n", validationReps)
			p("\n")
		}
	}

	if t := r.Throughput; t != nil {
		p("## 6. Throughput\n\nFixed-duration runs on loopback: N clients each looping create → PUT 1 KiB → complete through the API "+
			"(*flow*), then the same N looping the raw calls that flow needs — PutItem + PUT object + HEAD + range GET + conditional UpdateItem (*raw*). "+
			"Note: %s. Latency is per whole upload.\n\n", t.Note)
		p("| clients | seconds | flow uploads/s | flow p50 | flow p99 | flow errors | raw flows/s | raw p50 | raw p99 | raw errors | flow rate vs raw | flow p99 vs raw |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, row := range t.Rows {
			p("| %d | %.0f | %.1f | %.1f ms | %.1f ms | %d | %.1f | %.1f ms | %.1f ms | %d | %.2f× | %.2f× |\n", row.Clients, row.Seconds,
				row.Flow.PerSecond, row.Flow.Latency.P50, row.Flow.Latency.P99, row.Flow.Errors,
				row.Raw.PerSecond, row.Raw.Latency.P50, row.Raw.Latency.P99, row.Raw.Errors, row.RateOfRaw, row.P99OfRaw)
		}
		for _, row := range t.Rows {
			if row.Flow.ErrorSample != "" {
				p("\nFirst flow error at %d clients: `%s`\n", row.Clients, strings.ReplaceAll(row.Flow.ErrorSample, "`", "'"))
			}
			if row.Raw.ErrorSample != "" {
				p("\nFirst raw error at %d clients: `%s`\n", row.Clients, strings.ReplaceAll(row.Raw.ErrorSample, "`", "'"))
			}
		}
		p("\n")
	}
	p("Raw numbers: [results.json](results.json). Reproduce: `make bench` (this run took %.0f s; the first run also installs MinIO, "+
		"DynamoDB Local and the Node.js baseline's pinned packages).\n", r.Seconds)
	return b.String()
}

func (r *Results) configInt(key string) int {
	if v, ok := r.Config[key].(int); ok {
		return v
	}
	if v, ok := r.Config[key].(float64); ok {
		return int(v)
	}
	return 0
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

func pct(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

func num(f float64) string {
	if f >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.1f", f)
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}

func sizeLabel(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func shortCount(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%d", x)
	}
	return strings.Join(s, ", ")
}

func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.1f", x)
	}
	return strings.Join(s, " / ")
}

func statuses(m map[string]int) string {
	keys := slices.Sorted(maps.Keys(m))
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = fmt.Sprintf("%s ×%d", k, m[k])
	}
	return strings.Join(s, ", ")
}

func calls(m map[string]int) string {
	keys := slices.Sorted(maps.Keys(m))
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(s, " + ")
}
