package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
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
	m := Machine{Date: time.Now().UTC().Format(time.RFC3339), Cores: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		Go: runtime.Version(), CPU: cpuModel(), MemoryGiB: memoryGiB()}
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

// procField is the value of the first "name:" line of a /proc file, "" if none.
func procField(path, name string) string {
	raw, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func cpuModel() string {
	if m := procField("/proc/cpuinfo", "model name"); m != "" {
		return m
	}
	return runtime.GOARCH
}

func memoryGiB() int {
	kb, _ := strconv.Atoi(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"))
	return (kb + 512*1024) / (1024 * 1024)
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
