package historycheck

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// Check judges ops with CheckOperationsVerbose, giving up after timeout.
// Anything but Ok is an error: Illegal (no order explains the answers) and
// Unknown (the checker ran out of time, so nothing was shown). On an error
// the visualisation, faults marked, is written to vizPath ("" writes none).
func Check(ops []porcupine.Operation, faults []porcupine.Annotation, timeout time.Duration, vizPath string) error {
	model := model()
	ops = splitDeletes(ops)
	res, info := porcupine.CheckOperationsVerbose(model, ops, timeout)
	if res == porcupine.Ok {
		return nil
	}
	err := fmt.Errorf("the history of %d calls is %s (porcupine, timeout %s)%s", len(ops), res, timeout, illegalFiles(model, ops, timeout))
	if res == porcupine.Unknown {
		err = fmt.Errorf("the checker gave up after %s on %d calls: Unknown shows nothing, so it fails (fewer calls or files per run, or a longer timeout)", timeout, len(ops))
	}
	if vizPath == "" {
		return err
	}
	info.AddAnnotations(faults)
	if verr := porcupine.VisualizePath(model, info, vizPath); verr != nil {
		return fmt.Errorf("%w; the visualisation could not be written: %v", err, verr)
	}
	return fmt.Errorf("%w; visualisation: %s", err, vizPath)
}

// illegalFiles describes, call by call, the first files whose own history
// no order explains (the visualisation shows them all).
func illegalFiles(model porcupine.Model, ops []porcupine.Operation, timeout time.Duration) string {
	var b strings.Builder
	shown := 0
	for _, part := range partitionByFile(ops) {
		if shown == 3 || porcupine.CheckOperationsTimeout(model, part, timeout) != porcupine.Illegal {
			continue
		}
		shown++
		sort.Slice(part, func(i, j int) bool { return part[i].Call < part[j].Call })
		fmt.Fprintf(&b, "\nfile %s:", part[0].Input.(Input).File)
		for _, op := range part {
			end := "∞"
			if op.Return != Infinity {
				end = fmt.Sprintf("%.3fs", float64(op.Return)/1e9)
			}
			fmt.Fprintf(&b, "\n  client %d  %.3fs–%s  %s", op.ClientId, float64(op.Call)/1e9, end, describe(op.Input.(Input), op.Output.(Output)))
		}
	}
	return b.String()
}
