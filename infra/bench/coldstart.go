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
	"github.com/filegate/filegate/infra/localstack/samtemplate"
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

// ColdTarget is something to cold-start: a bootstrap, its environment and
// the one event it is sent.
type ColdTarget struct {
	Name  string
	Bin   string
	Env   []string
	Event []byte
	Kind  string // "http", "authorizer", "other"
}

// ColdRow is one target's cold starts.
type ColdRow struct {
	Function      string         `json:"function"`
	Init          Dist           `json:"init"`           // process start → first GET /next
	FirstResponse Dist           `json:"first_response"` // process start → response of the first invocation
	Statuses      map[string]int `json:"statuses"`       // what the first invocation answered, counted
	InitVsNode    float64        `json:"init_p50_vs_node"`
	InitVsHello   float64        `json:"init_p50_vs_hello"`
}

// ColdStartResult is section 2.
type ColdStartResult struct {
	Starts       int       `json:"starts_per_function"`
	Rows         []ColdRow `json:"functions"`
	Hello        ColdRow   `json:"hello_world"`
	Node         ColdRow   `json:"node_presign"`
	NodeDeps     string    `json:"node_dependencies"`
	Create       ColdRow   `json:"create_file"` // the function doing what the Node handler does
	WorstVsNode  ColdRow   `json:"worst_vs_node"`
	WorstVsHello ColdRow   `json:"worst_vs_hello"`
	MetVsNode    bool      `json:"budget_vs_node_met"`
	MetVsHello   bool      `json:"budget_vs_hello_met"`
}

// runColdStart cold-starts every function, hello-world and the Node.js baseline (README.md §2).
func (h *harness) runColdStart(ctx context.Context, c Config, work string, tpl *samtemplate.Template, ids []string) (*ColdStartResult, error) {
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
	var targets []ColdTarget
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
		targets = append(targets, ColdTarget{Name: id, Bin: bins[lambdaruntime.FunctionDir(id)], Env: fnEnv, Event: ev, Kind: kind})
	}
	createEvent, err := event("create-file.json")
	if err != nil {
		return nil, err
	}
	targets = append(targets,
		ColdTarget{Name: HelloTarget, Bin: hello, Env: []string{"AWS_LAMBDA_FUNCTION_NAME=hello"}, Event: []byte(`{}`)},
		ColdTarget{Name: NodeTarget, Bin: nodeBin, Kind: "http", Event: createEvent,
			Env: append(slices.Clone(base), "AWS_LAMBDA_FUNCTION_NAME=node-presign", "_HANDLER=index.handler", "LAMBDA_TASK_ROOT="+taskRoot)})
	rows, err := runColdStarts(ctx, targets, c.ColdStarts, h.logf)
	if err != nil {
		return nil, err
	}
	res := &ColdStartResult{Starts: c.ColdStarts, Hello: *rows[HelloTarget], Node: *rows[NodeTarget], NodeDeps: deps, MetVsNode: true, MetVsHello: true}
	for _, id := range ids {
		r := rows[id]
		r.InitVsNode = ratio(r.Init.P50, res.Node.Init.P50)
		r.InitVsHello = ratio(r.Init.P50, res.Hello.Init.P50)
		res.Rows = append(res.Rows, *r)
		if r.InitVsNode > res.WorstVsNode.InitVsNode {
			res.WorstVsNode = *r
		}
		if r.InitVsHello > res.WorstVsHello.InitVsHello {
			res.WorstVsHello = *r
		}
		if id == "CreateFileFunction" {
			res.Create = *r
		}
		res.MetVsNode = res.MetVsNode && r.InitVsNode <= InitVsNodeBudget
		res.MetVsHello = res.MetVsHello && r.InitVsHello <= InitVsHelloBudget
	}
	h.logf("cold start: create-file init p50 %.1f ms, Node %.1f ms, hello %.1f ms", res.Create.Init.P50, res.Node.Init.P50, res.Hello.Init.P50)
	return res, nil
}

// The events/ samples' fixed values (events/README.md).
const (
	sampleOrg     = "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05"
	sampleProject = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42"
	sampleKey     = "fgk_dvMO9RhfSUn1SiPmWwKWNIZEhCXskeBOcm1F41cxd3c"
)

// runColdStarts starts every target `starts` times, round-robin, so machine drift falls on all alike.
func runColdStarts(ctx context.Context, targets []ColdTarget, starts int, logf func(string, ...any)) (map[string]*ColdRow, error) {
	type acc struct {
		init, first []time.Duration
		statuses    map[string]int
	}
	accs := make([]acc, len(targets))
	for i := range accs {
		accs[i].statuses = map[string]int{}
	}
	begin := time.Now()
	for round := range starts {
		for k := range targets {
			i := (round + k) % len(targets)
			t := targets[i]
			init, first, status, err := coldStart(ctx, t)
			if err != nil {
				return nil, fmt.Errorf("cold start %s: %w", t.Name, err)
			}
			accs[i].init = append(accs[i].init, init)
			accs[i].first = append(accs[i].first, first)
			accs[i].statuses[status]++
		}
		if round == 0 || (round+1)%10 == 0 {
			logf("cold starts: round %d/%d (%s)", round+1, starts, time.Since(begin).Round(time.Second))
		}
	}
	out := map[string]*ColdRow{}
	for i, t := range targets {
		out[t.Name] = &ColdRow{Function: t.Name, Init: Summarize(accs[i].init), FirstResponse: Summarize(accs[i].first), Statuses: accs[i].statuses}
	}
	return out, nil
}

// coldStart runs one fresh process: the invocation is queued at once, as
// Lambda holds the triggering event while the environment initialises.
func coldStart(ctx context.Context, t ColdTarget) (init, first time.Duration, status string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, _, err := lambdaruntime.StartFunction(ctx, t.Bin, t.Env)
	if err != nil {
		return 0, 0, "", err
	}
	defer r.Close()
	resp, fnErr, err := r.Invoke(ctx, t.Event)
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
	return init, first, describeResponse(t.Kind, resp), nil
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
