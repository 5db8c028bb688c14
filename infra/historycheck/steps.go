package historycheck

import (
	"slices"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"
)

// A DELETE has two effects, in this order: it removes the object, then the
// record (so that once it answers no URL serves the bytes, and a failure
// leaves the record to retry with). In between, other calls see the file's
// record with no object: complete answers upload_missing, a late PUT lands
// again. The record goes only while its status is the one the delete saw
// when it removed the object; should it have moved on (the S3 event of such
// a late PUT completed the file, a cancel won), the delete removes the
// object again before the record. So a delete is checked as three steps over
// its one interval: DeleteObject, DeleteAgain (a no-op unless the status
// moved on since DeleteObject) and the record's removal, which requires the
// object step to have come first with no status move since. A state with a
// record and no object is thus reachable only while a delete is in flight,
// and after a 2xx DELETE returns nothing sees the record, nor the bytes
// unless a PUT stored them again after the object step.

// splitDeletes returns ops with each delete that may have taken effect (2xx
// or unknown) replaced by its steps; a 404 did nothing and stays whole.
func splitDeletes(ops []porcupine.Operation) []porcupine.Operation {
	out := make([]porcupine.Operation, 0, len(ops))
	for i, op := range ops {
		in, res := op.Input.(Input), op.Output.(Output)
		if in.Kind != Delete || !res.Unknown && (res.HTTP < 200 || res.HTTP > 299) {
			out = append(out, op)
			continue
		}
		for _, k := range []Kind{DeleteObject, DeleteAgain, Delete} {
			step := op
			step.Input = Input{File: in.File, Kind: k, Call: i + 1}
			out = append(out, step)
		}
	}
	return out
}

// deleteObject is a delete's object step: it removes the object and arms
// the record step. The first needs the record (the delete read it, and a
// 2xx means it removed it after this); the second happens only after the
// status moved on. Either may have been skipped by a delete whose outcome
// is unknown.
func deleteObject(s State, in Input, out Output) []State {
	var states []State
	if out.Unknown || in.Kind == DeleteAgain {
		states = append(states, s)
	}
	again := in.Kind == DeleteAgain
	if again && s.Deleting.has(in.Call, true) || !again && s.Status != Gone {
		removed := s
		removed.Stored = false
		removed.Deleting = s.Deleting.arm(in.Call)
		states = append(states, removed)
	}
	return states
}

// deleteRecord is a delete's last step: the record goes, if the delete's
// object step came before it with the status as it is now. The object is
// as it is: a PUT may have stored it again since (its event removes it).
func deleteRecord(s State, in Input, out Output) []State {
	var states []State
	if out.Unknown {
		states = append(states, s)
	}
	if s.Status != Gone && s.Deleting.has(in.Call, false) {
		states = append(states, s.moved(Gone))
	}
	return states
}

// moved is s with its status moved on to status: a delete between its
// steps must remove the object again before the record.
func (s State) moved(status string) State {
	if s.Status == status {
		return s
	}
	s.Status = status
	if status == Gone {
		s.Deleting = ""
	} else {
		s.Deleting = s.Deleting.stale()
	}
	return s
}

// deleting is the deletes between their steps, a canonical (sorted) list:
// " 3" for delete 3 whose object step came with the status as it is, " 3~"
// once the status moved on since.
type deleting string

func (d deleting) entries() []string { return strings.Fields(string(d)) }

func join(entries []string) deleting {
	if len(entries) == 0 {
		return ""
	}
	slices.Sort(entries)
	return deleting(" " + strings.Join(entries, " "))
}

// has reports whether call's object step came, the status having moved on
// since (stale) or not.
func (d deleting) has(call int, stale bool) bool {
	want := strconv.Itoa(call)
	if stale {
		want += "~"
	}
	return slices.Contains(d.entries(), want)
}

// arm records call's object step, with the status as it is.
func (d deleting) arm(call int) deleting {
	id := strconv.Itoa(call)
	entries := slices.DeleteFunc(d.entries(), func(e string) bool { return strings.TrimSuffix(e, "~") == id })
	return join(append(entries, id))
}

// stale marks every delete's object step as before the status moved on.
func (d deleting) stale() deleting {
	entries := d.entries()
	for i, e := range entries {
		if !strings.HasSuffix(e, "~") {
			entries[i] = e + "~"
		}
	}
	return join(entries)
}
