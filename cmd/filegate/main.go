// Command filegate is the command-line client of Filegate's native API:
// upload files and directories (in parallel parts, resuming an interrupted
// upload of the same file), download with checksum verification, list,
// inspect, sign download URLs, cancel and delete.
//
//	go install github.com/filegate/filegate/cmd/filegate@latest
//	export FILEGATE_API_URL=http://127.0.0.1:3000 FILEGATE_API_KEY=fgk_...
//	filegate upload report.pdf data/
//
// Exit codes: 0 done; 1 failed (network, server error); 2 bad usage;
// 3 refused by the API (not found, invalid, wrong state); 4 integrity (a
// checksum mismatch, or an upload that failed validation).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"

	"github.com/filegate/filegate/filegate"
)

const (
	exitOK        = 0
	exitFailed    = 1
	exitUsage     = 2
	exitRefused   = 3
	exitIntegrity = 4
)

const usage = `usage: filegate <command> [flags] [args]

commands:
  upload PATH...        upload files and directories (resumes interrupted uploads)
  download ID [-o OUT]  download a file (OUT "-" or absent: stdout) and verify its sha256
                        (a multipart file's: the claimedSha256 its uploader gave)
  ls                    list the project's files, newest first
  info ID               show a file
  url ID                print a presigned download URL
  cancel ID             cancel a pending upload
  rm ID                 delete a file

flags (every command): --api-url (FILEGATE_API_URL), --api-key (FILEGATE_API_KEY), --json
run "filegate <command> -h" for a command's own flags
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// cli is one invocation: its client, output mode and streams.
type cli struct {
	client   *filegate.Client
	json     bool
	out, err *os.File
}

func run(ctx context.Context, args []string, stdout, stderr *os.File) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "filegate: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	fs := flag.NewFlagSet("filegate "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	apiURL := fs.String("api-url", os.Getenv("FILEGATE_API_URL"), "API base URL")
	apiKey := fs.String("api-key", os.Getenv("FILEGATE_API_KEY"), "API key")
	asJSON := fs.Bool("json", false, "print JSON, one object per line")
	parse := cmd(fs)
	rest, err := parseAnywhere(fs, args[1:])
	if err != nil {
		return exitUsage
	}
	if *apiURL == "" || *apiKey == "" {
		fmt.Fprintln(stderr, "filegate: set FILEGATE_API_URL and FILEGATE_API_KEY (or --api-url and --api-key); `make dev` prints both for the local stack")
		return exitUsage
	}
	c := &cli{client: &filegate.Client{Base: strings.TrimRight(*apiURL, "/"), Key: *apiKey, HTTP: httpClient()}, json: *asJSON, out: stdout, err: stderr}
	if err := parse(ctx, c, rest); err != nil {
		return c.fail(err)
	}
	return exitOK
}

// parseAnywhere parses fs's flags wherever they stand among the arguments,
// as the usage shows them (`download ID -o OUT`): the flag package stops at
// the first argument. "--" ends the flags; the arguments come back in order.
func parseAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if at := len(args) - len(rest); at > 0 && args[at-1] == "--" {
			return append(positional, rest...), nil
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}

// httpClient keeps a connection per parallel part alive (the default
// transport keeps 2 per host, so parts 3 and 4 would dial anew each time).
func httpClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: t}
}

// errUsage is a command's complaint about its arguments.
type errUsage string

func (e errUsage) Error() string { return string(e) }

// fail reports err and maps it to an exit code.
func (c *cli) fail(err error) int {
	fmt.Fprintln(c.err, "filegate:", err)
	var ue errUsage
	var api *filegate.APIError
	var sum *filegate.ChecksumError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &sum), errors.As(err, &api) && api.Status == 422:
		return exitIntegrity
	case errors.As(err, &api) && api.Status/100 == 4:
		return exitRefused
	default:
		return exitFailed
	}
}

// print writes v as JSON, or text as a line.
func (c *cli) print(v any, text string) {
	if c.json {
		raw, _ := json.Marshal(v)
		fmt.Fprintln(c.out, string(raw))
		return
	}
	fmt.Fprintln(c.out, text)
}

// command declares its flags on fs and returns what runs it.
type command func(fs *flag.FlagSet) func(ctx context.Context, c *cli, args []string) error

var commands = map[string]command{
	"upload":   uploadCmd,
	"download": downloadCmd,
	"ls":       lsCmd,
	"info":     oneFile(func(ctx context.Context, c *cli, id string) error { return c.showFile(c.client.Get(ctx, id)) }),
	"cancel":   oneFile(func(ctx context.Context, c *cli, id string) error { return c.showFile(c.client.Cancel(ctx, id)) }),
	"rm": oneFile(func(ctx context.Context, c *cli, id string) error {
		if err := c.client.Delete(ctx, id); err != nil {
			return err
		}
		c.print(map[string]any{"id": id, "deleted": true}, "deleted "+id)
		return nil
	}),
	"url": oneFile(func(ctx context.Context, c *cli, id string) error {
		u, exp, err := c.client.DownloadURL(ctx, id)
		if err == nil {
			c.print(map[string]any{"url": u, "expiresAt": exp}, u)
		}
		return err
	}),
}

// oneFile is a command taking one file id.
func oneFile(do func(ctx context.Context, c *cli, id string) error) command {
	return func(*flag.FlagSet) func(context.Context, *cli, []string) error {
		return func(ctx context.Context, c *cli, args []string) error {
			if len(args) != 1 {
				return errUsage("give one file id")
			}
			return do(ctx, c, args[0])
		}
	}
}

func (c *cli) showFile(f filegate.File, err error) error {
	if err != nil {
		return err
	}
	c.print(f, describe(f))
	return nil
}

func describe(f filegate.File) string {
	s := fmt.Sprintf("%s  %-9s %10s  %s", f.ID, f.Status, human(f.SizeBytes), f.Filename)
	if f.SHA256 != "" {
		s += "  sha256:" + f.SHA256
	}
	if f.ClaimedSHA256 != "" {
		s += "  claimedSha256:" + f.ClaimedSHA256
	}
	return s
}

func lsCmd(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
	limit := fs.Int("limit", 25, "files per page (1-25)")
	offset := fs.Int("offset", 0, "files to skip")
	return func(ctx context.Context, c *cli, args []string) error {
		p, err := c.client.List(ctx, *limit, *offset)
		if err != nil {
			return err
		}
		if c.json {
			c.print(p, "")
			return nil
		}
		for _, f := range p.Data {
			fmt.Fprintln(c.out, describe(f))
		}
		fmt.Fprintf(c.out, "%d of %d files\n", len(p.Data), p.TotalCount)
		return nil
	}
}

func downloadCmd(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
	out := fs.String("o", "-", `where to write the file ("-": stdout)`)
	rate := limitRateFlag(fs)
	return func(ctx context.Context, c *cli, args []string) error {
		if len(args) != 1 {
			return errUsage("give one file id")
		}
		c.client.Limiter = filegate.NewRateLimiter(*rate)
		var w io.Writer = c.out
		if *out != "-" {
			fh, err := os.Create(*out)
			if err != nil {
				return err
			}
			defer fh.Close()
			w = fh
		}
		f, err := c.client.Get(ctx, args[0])
		if err != nil {
			return err
		}
		prog := newProgress(c.err, c.json, f.SizeBytes, 1)
		add, done := prog.start(f.Filename, f.SizeBytes)
		f, sum, err := c.client.Download(ctx, args[0], w, add)
		done()
		prog.wait()
		if err != nil {
			return err
		}
		if *out != "-" {
			line := map[string]any{"id": f.ID, "path": *out, "sha256": sum, "verified": false}
			if want, claimed := f.Digest(); want != "" {
				line["verified"], line["verifiedAgainst"] = true, "sha256"
				if claimed {
					line["verifiedAgainst"] = "claimedSha256"
				}
			}
			c.print(line, fmt.Sprintf("downloaded %s to %s (sha256 %s, %s)", f.ID, *out, sum, verified(f)))
		}
		return nil
	}
}

// verified says what the downloaded bytes were checked against.
func verified(f filegate.File) string {
	switch want, claimed := f.Digest(); {
	case want == "":
		return "no recorded checksum to verify"
	case claimed:
		return "matches the sha256 its uploader claimed; storage verified each part, not the whole file"
	default:
		return "verified"
	}
}
