package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/filegate/filegate/filegate"
)

func uploadCmd(fset *flag.FlagSet) func(context.Context, *cli, []string) error {
	parallel := fset.Int("parallel", 4, "parts sent at once")
	partMiB := fset.Int64("part-size-mib", 0, "part size in MiB (at least 5; default a sixteenth of the file between 8 and 64); smaller files are one PUT")
	rate := limitRateFlag(fset)
	mimeType := fset.String("type", "", "MIME type of every file (default: from the extension, else the content)")
	stateDir := fset.String("state-dir", defaultStateDir(), "where uploads are remembered until they settle, to resume them and never upload a file twice")
	return func(ctx context.Context, c *cli, args []string) error {
		if len(args) == 0 {
			return errUsage("give files or directories to upload")
		}
		if *partMiB != 0 && *partMiB < 5 {
			return errUsage("--part-size-mib must be at least 5")
		}
		paths, total, err := collect(args)
		if err != nil {
			return err
		}
		c.client.Limiter = filegate.NewRateLimiter(*rate) // one total for every file and part
		prog := newProgress(c.err, c.json, total, len(paths))
		defer prog.wait()
		for _, p := range paths {
			st, _ := os.Stat(p)
			add, done := prog.start(filepath.Base(p), st.Size())
			u := &filegate.Uploader{Client: c.client, PartSize: *partMiB << 20, Parallel: *parallel, StateDir: *stateDir,
				Progress: func(n int64, _ bool) { add(n) }}
			typ := *mimeType
			if typ == "" {
				typ = detectType(p)
			}
			r, err := u.Upload(ctx, p, typ)
			done()
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			if r.File.Status == "REJECTED" && r.File.Rejection != nil {
				return fmt.Errorf("%s: %w", p, &filegate.APIError{Status: 422, Code: r.File.Rejection.Code, Message: "rejected: " + r.File.Rejection.Message})
			}
			c.print(map[string]any{"id": r.File.ID, "path": p, "status": r.File.Status, "sizeBytes": r.File.SizeBytes, "sha256": r.SHA256,
				"bytesSent": r.BytesSent, "resumed": r.Resumed, "skippedParts": r.Skipped, "existing": r.Existing},
				fmt.Sprintf("%s %s as %s (%s, sha256 %s%s)", uploadedVerb(r), p, r.File.ID, r.File.Status, r.SHA256, resumed(r)))
		}
		return nil
	}
}

// limitRateFlag is --limit-rate: one total over every transfer of the
// command, however many are in flight.
func limitRateFlag(fset *flag.FlagSet) *int64 {
	return fset.Int64("limit-rate", 0, "bytes per second at most, all transfers together (0: no limit)")
}

// uploadedVerb says whether this run sent the file or found it settled by
// an earlier run that died before it learned so.
func uploadedVerb(r filegate.Result) string {
	if r.Existing {
		return "already uploaded"
	}
	return "uploaded"
}

func resumed(r filegate.Result) string {
	if !r.Resumed {
		return ""
	}
	return fmt.Sprintf("; resumed, %d parts already stored", r.Skipped)
}

// collect expands directories into their regular files.
func collect(args []string) ([]string, int64, error) {
	var paths []string
	var total int64
	for _, a := range args {
		err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() {
				info, err := d.Info()
				if err != nil {
					return err
				}
				paths, total = append(paths, p), total+info.Size()
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	return paths, total, nil
}

// detectType is the extension's MIME type, else the content's.
func detectType(path string) string {
	if t := mime.TypeByExtension(filepath.Ext(path)); t != "" {
		return strings.TrimSpace(strings.Split(t, ";")[0])
	}
	fh, err := os.Open(path)
	if err != nil {
		return "application/octet-stream"
	}
	defer fh.Close()
	head := make([]byte, 512)
	n, _ := fh.Read(head)
	return strings.TrimSpace(strings.Split(http.DetectContentType(head[:n]), ";")[0])
}

func defaultStateDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "filegate", "uploads")
}
