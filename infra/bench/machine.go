package bench

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/filegate/filegate/infra/localstack"
)

// Machine is where and on what the run happened.
type Machine struct {
	Date      string `json:"date"`
	Commit    string `json:"commit"`
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	MemoryGiB int    `json:"memory_gib"`
	OS        string `json:"os"`
	Go        string `json:"go"`
	Node      string `json:"node"`
	Java      string `json:"java"`
	DynamoDB  string `json:"dynamodb_local"`
	MinIO     string `json:"minio"`
}

func describeMachine(ctx context.Context, root string) Machine {
	m := Machine{
		Date:  time.Now().UTC().Format(time.RFC3339),
		Cores: runtime.NumCPU(),
		OS:    runtime.GOOS + "/" + runtime.GOARCH,
		Go:    runtime.Version(),
		CPU:   cpuModel(),
	}
	m.MemoryGiB = memoryGiB()
	m.Commit = output(ctx, root, "git", "rev-parse", "--short=12", "HEAD")
	if output(ctx, root, "git", "status", "--porcelain", "--untracked-files=no") != "" {
		m.Commit += " (with uncommitted changes)"
	}
	m.Node = output(ctx, root, "node", "--version")
	m.Java = firstLine(outputAll(ctx, root, "java", "-version"))
	tools := localstack.ToolsDir()
	m.DynamoDB = readTrim(filepath.Join(tools, "dynamodb.version"))
	m.MinIO = readTrim(filepath.Join(tools, "minio.version"))
	return m
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func memoryGiB() int {
	raw, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			var kb int
			for _, c := range strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")) {
				if c >= '0' && c <= '9' {
					kb = kb*10 + int(c-'0')
				}
			}
			return (kb + 512*1024) / (1024 * 1024)
		}
	}
	return 0
}

func output(ctx context.Context, dir, name string, args ...string) string {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func outputAll(ctx context.Context, dir, name string, args ...string) string {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	return strings.TrimSpace(string(out))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

func readTrim(path string) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return firstLine(string(raw))
}
