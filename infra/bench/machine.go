package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/filegate/filegate/infra/localstack/process"
)

// describeMachine is where and on what the run happened, as rows of results.md's machine table.
func describeMachine(ctx context.Context, root string) [][]string {
	run := func(name string, args ...string) string {
		out, _ := command(ctx, root, nil, name, args...) // java -version prints to stderr
		return firstLine(string(out))
	}
	commit := run("git", "rev-parse", "--short=12", "HEAD")
	if run("git", "status", "--porcelain", "--untracked-files=no") != "" {
		commit += " (with uncommitted changes)"
	}
	kb, _ := strconv.Atoi(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"))
	version := func(tool string) string {
		raw, _ := os.ReadFile(filepath.Join(process.ToolsDir(), tool+".version"))
		return firstLine(string(raw))
	}
	return [][]string{
		{"CPU", fmt.Sprintf("%s, %d cores, %d GiB", procField("/proc/cpuinfo", "model name"), runtime.NumCPU(), (kb+512*1024)/(1024*1024))},
		{"OS", runtime.GOOS + "/" + runtime.GOARCH}, {"Go", runtime.Version()}, {"Node.js", run("node", "--version")},
		{"Java (DynamoDB Local)", run("java", "-version")}, {"DynamoDB Local", version("dynamodb")}, {"MinIO", version("minio")}, {"commit", commit},
	}
}

// command runs name in dir, env added to this process's, and returns its
// output (stdout and stderr); its error carries that output.
func command(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return out, nil
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

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
