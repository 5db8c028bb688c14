package historycheck

import (
	"fmt"
	"time"

	"github.com/anishathalye/porcupine"
)

// Check judges ops with CheckOperationsVerbose, giving up after timeout.
// Anything but Ok is an error: Illegal (no order explains the answers) and
// Unknown (the checker ran out of time, so nothing was shown). On an error
// the visualisation, faults marked, is written to vizPath ("" writes none).
func Check(ops []porcupine.Operation, faults []porcupine.Annotation, timeout time.Duration, vizPath string) error {
	model := Model()
	res, info := porcupine.CheckOperationsVerbose(model, ops, timeout)
	if res == porcupine.Ok {
		return nil
	}
	err := fmt.Errorf("the history of %d calls is %s (porcupine, timeout %s)", len(ops), res, timeout)
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
