package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progress shows how far transfers are: live bars (per file, and a total
// for several files) on a terminal, plain lines at every tenth otherwise.
type progress interface {
	// start begins a transfer of size bytes; the returned func takes each
	// chunk, the returned done ends the transfer.
	start(name string, size int64) (add func(int64), done func())
	wait()
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newProgress(out *os.File, quiet bool, total int64, files int) progress {
	switch {
	case quiet:
		return silent{}
	case isTerminal(out):
		return newBars(out, total, files)
	default:
		return &lines{out: out}
	}
}

type silent struct{}

func (silent) start(string, int64) (func(int64), func()) { return func(int64) {}, func() {} }
func (silent) wait()                                     {}

// bars are mpb progress bars: bytes, percentage, average rate and ETA.
type bars struct {
	p     *mpb.Progress
	total *mpb.Bar
}

func newBars(out io.Writer, total int64, files int) *bars {
	b := &bars{p: mpb.New(mpb.WithOutput(out), mpb.WithWidth(32))}
	if files > 1 {
		b.total = b.bar("total", total)
	}
	return b
}

func (b *bars) bar(name string, size int64) *mpb.Bar {
	return b.p.AddBar(size,
		mpb.PrependDecorators(decor.Name(name, decor.WCSyncSpaceR), decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace), decor.AverageSpeed(decor.SizeB1024(0), "% .1f", decor.WCSyncSpace), decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace)),
	)
}

func (b *bars) start(name string, size int64) (func(int64), func()) {
	bar := b.bar(name, size)
	return func(n int64) {
			bar.IncrInt64(n)
			if b.total != nil {
				b.total.IncrInt64(n)
			}
		}, func() {
			bar.SetTotal(-1, true) // complete, even for an empty file
		}
}

func (b *bars) wait() {
	if b.total != nil {
		b.total.SetTotal(-1, true)
	}
	b.p.Wait()
}

// lines prints a line per tenth of each transfer, for logs and pipes.
type lines struct {
	out io.Writer
	mu  sync.Mutex
}

func (l *lines) start(name string, size int64) (func(int64), func()) {
	var done int64
	last := -1
	report := func() {
		pct := 100
		if size > 0 {
			pct = int(done * 100 / size)
		}
		if tenth := pct / 10; tenth != last {
			last = tenth
			fmt.Fprintf(l.out, "%s: %d%% (%s of %s)\n", name, pct, human(done), human(size))
		}
	}
	return func(n int64) {
			l.mu.Lock()
			defer l.mu.Unlock()
			done += n
			report()
		}, func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			done = size
			report()
		}
}

func (l *lines) wait() {}

func human(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
