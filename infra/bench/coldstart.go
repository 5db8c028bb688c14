package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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

// coldTarget is something to cold-start: a bootstrap, its environment, the
// one event it is sent, and its starts: init = process start → first GET
// /next, first = → response of the first invocation, and what that answered.
type coldTarget struct {
	name, bin   string
	env         []string
	event       []byte
	init, first []time.Duration
	statuses    map[string]int
}

// runColdStart cold-starts every function, hello-world and the Node.js baseline,
// round-robin so machine drift falls on all alike (README.md §2).
func (h *harness) runColdStart(ctx context.Context, c Config, work string, ids []string) (*Section, error) {
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
	event := func(name string) []byte {
		raw, _ := os.ReadFile(filepath.Join(c.Root, "events", name)) // a missing sample fails its start
		return []byte(strings.NewReplacer(sampleOrg, org, sampleProject, project, sampleKey, key).Replace(string(raw)))
	}
	var targets []*coldTarget
	for _, id := range ids {
		name := lambdaruntime.FunctionDir(id) + ".json"
		if h.stack.Template.Functions[id].Stream {
			name = "dynamodb-ttl-remove.json"
		}
		env := []string{"AWS_LAMBDA_FUNCTION_NAME=" + id}
		for k, v := range h.stack.FunctionEnv(id) { // the stack's, plus the root secret's file for the token functions
			env = append(env, k+"="+v)
		}
		targets = append(targets, &coldTarget{name: id, bin: bins[lambdaruntime.FunctionDir(id)], env: env, event: event(name)})
	}
	nodeEnv := []string{"AWS_LAMBDA_FUNCTION_NAME=node-presign", "_HANDLER=index.handler", "LAMBDA_TASK_ROOT=" + taskRoot}
	for k, v := range h.stack.Env {
		nodeEnv = append(nodeEnv, k+"="+v)
	}
	targets = append(targets, &coldTarget{name: HelloTarget, bin: hello, env: []string{"AWS_LAMBDA_FUNCTION_NAME=hello"}, event: []byte(`{}`)},
		&coldTarget{name: NodeTarget, bin: nodeBin, event: event("create-file.json"), env: nodeEnv})
	rows := map[string]*coldTarget{}
	for _, t := range targets {
		rows[t.name] = t
	}
	for round := range c.ColdStarts {
		for k := range targets {
			t := targets[(round+k)%len(targets)]
			if err := t.start(ctx); err != nil {
				return nil, fmt.Errorf("cold start %s: %w", t.name, err)
			}
		}
		if round == 0 || (round+1)%10 == 0 {
			h.logf("cold starts: round %d/%d (%s)", round+1, c.ColdStarts, time.Since(start).Round(time.Second))
		}
	}
	sec := &Section{Name: "coldstart"}
	t := sec.table(fmt.Sprintf("2. Cold start: %d starts of each bootstrap (host build), init = process start → first /next; Node.js: %s", c.ColdStarts, deps),
		"function | init p50 | init p99 | first response p50 | first response p99 | init vs Node | init vs hello | first invocation answered")
	p50 := func(name string) float64 { return Summarize(rows[name].init).P50 }
	nodeP50, helloP50 := p50(NodeTarget), p50(HelloTarget)
	worst, metNode, metHello := ids[0], true, true // the slowest function is the worst against both
	for _, name := range append([]string{HelloTarget, NodeTarget}, ids...) {
		r := rows[name]
		init, first := Summarize(r.init), Summarize(r.first)
		vsNode, vsHello := ratio(init.P50, nodeP50), ratio(init.P50, helloP50)
		t.row("%s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.2f× | %.2f× | %s", name, init.P50, init.P99, first.P50, first.P99, vsNode, vsHello, joinCounts(r.statuses, "%s ×%d", ", "))
		if name == HelloTarget || name == NodeTarget {
			continue
		}
		if init.P50 > p50(worst) {
			worst = name
		}
		metNode, metHello = metNode && vsNode <= InitVsNodeBudget, metHello && vsHello <= InitVsHelloBudget
	}
	create := p50("CreateFileFunction")
	h.logf("cold start: create-file init p50 %.1f ms, Node %.1f ms, hello %.1f ms", create, nodeP50, helloP50)
	sec.budget("cold-start init vs Node.js + AWS SDK v3 presign", "≤ 0.25×", metNode, "create-file %.2f× (%.1f vs %.1f ms p50); worst %s %.2f×",
		ratio(create, nodeP50), create, nodeP50, worst, ratio(p50(worst), nodeP50))
	sec.budget("cold-start init vs hello-world Go Lambda", "≤ 2×", metHello, "create-file %.2f× (%.1f vs %.1f ms p50); worst %s %.2f×",
		ratio(create, helloP50), create, helloP50, worst, ratio(p50(worst), helloP50))
	return sec, nil
}

// The events/ samples' fixed values (events/README.md).
const (
	sampleOrg     = "3f6c2a9e-5b1d-4c8e-9a7f-2d4b6e8c1a05"
	sampleProject = "7d2e9b14-8c3a-4f6e-b5d1-0a9c8e7f6b42"
	sampleKey     = "fgk_dvMO9RhfSUn1SiPmWwKWNIZEhCXskeBOcm1F41cxd3c"
)

// start runs one fresh process: the invocation is queued at once, as
// Lambda holds the triggering event while the environment initialises.
func (t *coldTarget) start(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, _, err := lambdaruntime.StartFunction(ctx, t.bin, t.env)
	if err != nil {
		return err
	}
	defer r.Close()
	resp, fnErr, err := r.Invoke(ctx, t.event)
	done := time.Now()
	if err != nil {
		return fmt.Errorf("%w\n%s", err, r.Logs())
	}
	select {
	case <-r.FirstPoll():
	default:
		return errors.New("answered without polling")
	}
	var v struct {
		StatusCode   int   `json:"statusCode"`
		IsAuthorized *bool `json:"isAuthorized"`
	}
	status := "ok"
	switch {
	case fnErr != nil && (fnErr.Type == "Runtime.ExitError" || fnErr.Type == "Sandbox.Timedout"):
		return fmt.Errorf("%v\n%s", fnErr, r.Logs())
	case fnErr != nil:
		status = "error " + fnErr.Type
	case json.Unmarshal(resp, &v) != nil:
	case v.StatusCode != 0:
		status = "HTTP " + strconv.Itoa(v.StatusCode)
	case v.IsAuthorized != nil:
		status = "isAuthorized=" + strconv.FormatBool(*v.IsAuthorized)
	}
	if t.statuses == nil {
		t.statuses = map[string]int{}
	}
	t.statuses[status]++
	t.init, t.first = append(t.init, r.FirstPollAt().Sub(r.ProcessStart())), append(t.first, done.Sub(r.ProcessStart()))
	return nil
}

// prepareNode runs npm ci (pinned) and writes a bootstrap that execs node directly (README.md §2).
func prepareNode(ctx context.Context, root, work string) (bin, taskRoot, deps string, err error) {
	taskRoot = filepath.Join(root, "infra", "bench", "node-presign")
	node, err := exec.LookPath("node")
	if err != nil {
		return "", "", "", errors.New("the Node.js baseline needs node (20+) on PATH")
	}
	if _, err := os.Stat(filepath.Join(taskRoot, "node_modules", ".package-lock.json")); err != nil {
		if _, err := command(ctx, taskRoot, nil, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"); err != nil {
			return "", "", "", err
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
	bin = filepath.Join(work, "node", "bootstrap")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", "", "", err
	}
	var pkg struct{ Dependencies map[string]string }
	raw, err := os.ReadFile(filepath.Join(taskRoot, "package.json"))
	if err == nil {
		err = errors.Join(json.Unmarshal(raw, &pkg), os.WriteFile(bin, []byte(shebang), 0o755))
	}
	return bin, taskRoot, joinCounts(pkg.Dependencies, "%s@%s", ", "), err
}
