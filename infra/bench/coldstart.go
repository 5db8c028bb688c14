package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/filegate/filegate/infra/apitest"
	"github.com/filegate/filegate/infra/lambdaruntime"
)

// Cold-start budgets (docs/ARCHITECTURE.md "Budgets"), on init = process start → first /next.
const (
	InitVsNodeBudget  = 0.25
	InitVsHelloBudget = 2.0
)

// Names of the two reference targets.
const (
	HelloTarget = "hello-world (Go floor)"
	NodeTarget  = "node-presign (Node.js + AWS SDK v3)"
)

// coldTarget is something to cold-start: a bootstrap, its environment and
// the one event it is sent; kind is "http", "authorizer" or "other".
type coldTarget struct {
	name, bin, kind string
	env             []string
	event           []byte
}

// coldRow is one target's cold starts: init = process start → first GET
// /next, first = → response of the first invocation, and what it answered.
type coldRow struct {
	init, first Dist
	statuses    map[string]int
}

// runColdStart cold-starts every function, hello-world and the Node.js baseline (README.md §2).
func (h *harness) runColdStart(ctx context.Context, c Config, work string, ids []string) (*Section, error) {
	tpl := h.stack.Template
	start := time.Now()
	dirs := make([]string, len(ids))
	for i, id := range ids {
		dirs[i] = lambdaruntime.FunctionDir(id)
	}
	bins, err := lambdaruntime.BuildFunctions(ctx, filepath.Join(work, "host"), dirs...)
	if err != nil {
		return nil, err
	}
	hello := filepath.Join(work, "host", "hello", "bootstrap")
	if err := goBuild(ctx, c.Root, runtime.GOOS, runtime.GOARCH, hello, "./infra/bench/hello"); err != nil {
		return nil, err
	}
	nodeBin, taskRoot, deps, err := prepareNode(ctx, c.Root, work)
	if err != nil {
		return nil, err
	}
	h.logf("cold start: built %d host binaries and the baselines in %s", len(ids)+1, time.Since(start).Round(time.Second))

	org, project := apitest.NewUUID(), apitest.NewUUID()
	key, err := h.stack.MintKey(ctx, org, project, "files:create", "files:read")
	if err != nil {
		return nil, err
	}
	var base []string
	for _, k := range slices.Sorted(maps.Keys(h.stack.Env)) {
		base = append(base, k+"="+h.stack.Env[k])
	}
	event := func(name string) ([]byte, error) {
		raw, err := os.ReadFile(filepath.Join(c.Root, "events", name))
		if err != nil {
			return nil, err
		}
		return []byte(strings.NewReplacer(sampleOrg, org, sampleProject, project, sampleKey, key).Replace(string(raw))), nil
	}
	var targets []coldTarget
	for _, id := range ids {
		f := tpl.Functions[id]
		name := lambdaruntime.FunctionDir(id) + ".json"
		kind := "other"
		switch {
		case f.Stream:
			name = "dynamodb-ttl-remove.json"
		case id == tpl.AuthorizerID:
			kind = "authorizer"
		case len(f.Routes) > 0:
			kind = "http"
		}
		ev, err := event(name)
		if err != nil {
			return nil, err
		}
		fnEnv := []string{"AWS_LAMBDA_FUNCTION_NAME=" + id}
		for k, v := range h.stack.FunctionEnv(id) { // the stack's, plus the root secret's file for the token functions
			fnEnv = append(fnEnv, k+"="+v)
		}
		targets = append(targets, coldTarget{name: id, bin: bins[lambdaruntime.FunctionDir(id)], env: fnEnv, event: ev, kind: kind})
	}
	createEvent, err := event("create-file.json")
	if err != nil {
		return nil, err
	}
	targets = append(targets,
		coldTarget{name: HelloTarget, bin: hello, env: []string{"AWS_LAMBDA_FUNCTION_NAME=hello"}, event: []byte(`{}`)},
		coldTarget{name: NodeTarget, bin: nodeBin, kind: "http", event: createEvent,
			env: append(slices.Clone(base), "AWS_LAMBDA_FUNCTION_NAME=node-presign", "_HANDLER=index.handler", "LAMBDA_TASK_ROOT="+taskRoot)})
	rows, err := runColdStarts(ctx, targets, c.ColdStarts, h.logf)
	if err != nil {
		return nil, err
	}
	sec := &Section{Name: "coldstart"}
	t := sec.table(fmt.Sprintf("2. Cold start: %d starts of each bootstrap (host build), init = process start → first /next; Node.js: %s", c.ColdStarts, deps),
		"function | init p50 | init p99 | first response p50 | first response p99 | init vs Node | init vs hello | first invocation answered")
	nodeP50, helloP50 := rows[NodeTarget].init.P50, rows[HelloTarget].init.P50
	worstNode, worstHello, metNode, metHello := "", "", true, true
	for _, name := range append([]string{HelloTarget, NodeTarget}, ids...) {
		r := rows[name]
		vsNode, vsHello := ratio(r.init.P50, nodeP50), ratio(r.init.P50, helloP50)
		t.row("%s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.2f× | %.2f× | %s", name, r.init.P50, r.init.P99, r.first.P50, r.first.P99, vsNode, vsHello, joinCounts(r.statuses, "%s ×%d", ", "))
		if name == HelloTarget || name == NodeTarget {
			continue
		}
		if worstNode == "" || vsNode > ratio(rows[worstNode].init.P50, nodeP50) {
			worstNode = name
		}
		if worstHello == "" || vsHello > ratio(rows[worstHello].init.P50, helloP50) {
			worstHello = name
		}
		metNode, metHello = metNode && vsNode <= InitVsNodeBudget, metHello && vsHello <= InitVsHelloBudget
	}
	create := rows["CreateFileFunction"].init.P50
	h.logf("cold start: create-file init p50 %.1f ms, Node %.1f ms, hello %.1f ms", create, nodeP50, helloP50)
	sec.budget("cold-start init vs Node.js + AWS SDK v3 presign", "≤ 0.25×", metNode, "create-file %.2f× (%.1f vs %.1f ms p50); worst %s %.2f×",
		ratio(create, nodeP50), create, nodeP50, worstNode, ratio(rows[worstNode].init.P50, nodeP50))
	sec.budget("cold-start init vs hello-world Go Lambda", "≤ 2×", metHello, "create-file %.2f× (%.1f vs %.1f ms p50); worst %s %.2f×",
		ratio(create, helloP50), create, helloP50, worstHello, ratio(rows[worstHello].init.P50, helloP50))
	return sec, nil
}

// The events/ samples' fixed values (events/README.md).
const (
	sampleOrg     = "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05"
	sampleProject = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42"
	sampleKey     = "fgk_dvMO9RhfSUn1SiPmWwKWNIZEhCXskeBOcm1F41cxd3c"
)

// runColdStarts starts every target `starts` times, round-robin, so machine drift falls on all alike.
func runColdStarts(ctx context.Context, targets []coldTarget, starts int, logf func(string, ...any)) (map[string]*coldRow, error) {
	inits, firsts := make([][]time.Duration, len(targets)), make([][]time.Duration, len(targets))
	out := map[string]*coldRow{}
	for _, t := range targets {
		out[t.name] = &coldRow{statuses: map[string]int{}}
	}
	begin := time.Now()
	for round := range starts {
		for k := range targets {
			i := (round + k) % len(targets)
			init, first, status, err := coldStart(ctx, targets[i])
			if err != nil {
				return nil, fmt.Errorf("cold start %s: %w", targets[i].name, err)
			}
			inits[i], firsts[i] = append(inits[i], init), append(firsts[i], first)
			out[targets[i].name].statuses[status]++
		}
		if round == 0 || (round+1)%10 == 0 {
			logf("cold starts: round %d/%d (%s)", round+1, starts, time.Since(begin).Round(time.Second))
		}
	}
	for i, t := range targets {
		out[t.name].init, out[t.name].first = Summarize(inits[i]), Summarize(firsts[i])
	}
	return out, nil
}

// coldStart runs one fresh process: the invocation is queued at once, as
// Lambda holds the triggering event while the environment initialises.
func coldStart(ctx context.Context, t coldTarget) (init, first time.Duration, status string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, _, err := lambdaruntime.StartFunction(ctx, t.bin, t.env)
	if err != nil {
		return 0, 0, "", err
	}
	defer r.Close()
	resp, fnErr, err := r.Invoke(ctx, t.event)
	done := time.Now()
	if err != nil {
		return 0, 0, "", fmt.Errorf("%w\n%s", err, r.Logs())
	}
	select {
	case <-r.FirstPoll():
	default:
		return 0, 0, "", errors.New("answered without polling")
	}
	init = r.FirstPollAt().Sub(r.ProcessStart())
	first = done.Sub(r.ProcessStart())
	if fnErr != nil {
		if fnErr.Type == "Runtime.ExitError" || fnErr.Type == "Sandbox.Timedout" {
			return 0, 0, "", fmt.Errorf("%v\n%s", fnErr, r.Logs())
		}
		return init, first, "error " + fnErr.Type, nil
	}
	return init, first, describeResponse(t.kind, resp), nil
}

func describeResponse(kind string, resp []byte) string {
	switch kind {
	case "http":
		var v struct {
			StatusCode int `json:"statusCode"`
		}
		if json.Unmarshal(resp, &v) == nil && v.StatusCode != 0 {
			return "HTTP " + strconv.Itoa(v.StatusCode)
		}
	case "authorizer":
		var v struct {
			IsAuthorized bool `json:"isAuthorized"`
		}
		if json.Unmarshal(resp, &v) == nil {
			return "isAuthorized=" + strconv.FormatBool(v.IsAuthorized)
		}
	}
	return "ok"
}

// prepareNode runs npm ci (pinned) and writes a bootstrap that execs node directly (README.md §2).
func prepareNode(ctx context.Context, root, work string) (bin, taskRoot, deps string, err error) {
	taskRoot = filepath.Join(root, "infra", "bench", "node-presign")
	node, err := exec.LookPath("node")
	if err != nil {
		return "", "", "", errors.New("the Node.js baseline needs node (20+) on PATH")
	}
	if _, err := os.Stat(filepath.Join(taskRoot, "node_modules", ".package-lock.json")); err != nil {
		cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = taskRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", "", "", fmt.Errorf("npm ci in infra/bench/node-presign: %w\n%s", err, out)
		}
	}
	if node, err = filepath.EvalSymlinks(node); err != nil {
		return "", "", "", err
	}
	script := filepath.Join(taskRoot, "runtime.mjs")
	shebang := "#!" + node + " " + script + "\n"
	if len(shebang) > 250 { // the kernel's shebang limit: fall back to a shell
		shebang = "#!/bin/sh\nexec " + strconv.Quote(node) + " " + strconv.Quote(script) + "\n"
	}
	dir := filepath.Join(work, "node")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", "", err
	}
	bin = filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bin, []byte(shebang), 0o755); err != nil {
		return "", "", "", err
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	raw, err := os.ReadFile(filepath.Join(taskRoot, "package.json"))
	if err != nil {
		return "", "", "", err
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return "", "", "", err
	}
	deps = fmt.Sprintf("@aws-sdk/client-s3@%s, @aws-sdk/s3-request-presigner@%s", pkg.Dependencies["@aws-sdk/client-s3"], pkg.Dependencies["@aws-sdk/s3-request-presigner"])
	return bin, taskRoot, deps, nil
}
