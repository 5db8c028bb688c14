// Package historycheck judges a recorded history of concurrent calls on
// Filegate's files with github.com/anishathalye/porcupine: whether some
// order of the calls, each taking effect at one instant between its start
// and its end, explains every answer the clients saw (linearizability); a
// DELETE takes effect in steps, object first, record last (steps.go).
// The model is the file state machine (docs/ARCHITECTURE.md); the recorder
// (recorder.go) turns calls into porcupine operations; Check runs the
// checker with a timeout and writes the visualisation when it fails.
//
// Lists and counts are left out: they read an eventually consistent index
// (a GSI, the stream-fed counters), which no linearizable model describes.
package historycheck

import (
	"fmt"
	"net/http"

	"github.com/anishathalye/porcupine"
)

// Kind is what a call does to one file.
type Kind string

// The calls the model knows. Fetch reads the bytes through a download URL
// an earlier Download got: after a 2xx DELETE no URL may serve them.
// DeleteObject and DeleteAgain are not calls but steps of one: Check splits
// each DELETE that may have taken effect into its steps (steps.go).
const (
	Create   Kind = "create"   // POST /v1/files
	Put      Kind = "put"      // PUT of the file's bytes to its presigned URL
	Complete Kind = "complete" // POST /v1/files/{id}/complete
	Cancel   Kind = "cancel"   // POST /v1/files/{id}/cancel
	Delete   Kind = "delete"   // DELETE /v1/files/{id}
	Get      Kind = "get"      // GET /v1/files/{id}
	Download Kind = "download" // GET /v1/files/{id}/url
	Fetch    Kind = "fetch"    // GET of a download URL

	DeleteObject Kind = "delete: object"       // a delete's removal of the object
	DeleteAgain  Kind = "delete: object again" // its removal again, after the status moved on
)

// Statuses of a file, and Gone for a deleted one (404 from then on).
const (
	Pending   = "PENDING"
	Completed = "COMPLETED"
	Cancelled = "CANCELLED"
	Gone      = "GONE"
)

// Input is one call on one file. Call ties the steps of one delete
// together (0 for anything else).
type Input struct {
	File string
	Kind Kind
	Call int
}

// Output is what the call's client saw. Unknown marks a call whose outcome
// the client never learnt (a timeout, a cut connection, a 5xx): it may or
// may not have taken effect, and it returns at infinity.
type Output struct {
	Unknown bool
	HTTP    int    // the status code
	Status  string // the file's status in a 200 answer (get, complete, cancel)
	Code    string // the error's code in a 409 answer (complete: upload_missing or invalid_state)
	Intact  bool   // fetch: the body was the bytes the file was created for
}

// State is one file: its status ("" before its create), whether its
// object is in storage (a PUT put it there; a delete, or the event of an
// upload to a file no longer PENDING, removes it), and the deletes in
// flight between their two steps (steps.go).
type State struct {
	Status   string
	Stored   bool
	Deleting deleting
}

// next lists the states s may move to when in's call answers out; none
// means the answer is impossible from s.
func next(s State, in Input, out Output) []State {
	if in.Kind == Create {
		if s.Status == "" && (out.Unknown || out.HTTP == http.StatusOK && out.Status == Pending) {
			return []State{{Status: Pending}}
		}
		return nil
	}
	if s.Status == "" {
		return nil // no call on a file precedes its create
	}
	switch in.Kind {
	case DeleteObject, DeleteAgain:
		return deleteObject(s, in, out)
	case Delete:
		if in.Call != 0 {
			return deleteRecord(s, in, out)
		}
	}
	if out.Unknown {
		return unknown(s, in.Kind)
	}
	var ok bool
	switch in.Kind {
	case Put:
		// Storage knows nothing of the record: a PUT lands whatever the
		// status, even after a delete, while its URL lives (a late upload's
		// object is deleted by its event); If-None-Match: * refuses a
		// second one while the first is there.
		switch out.HTTP {
		case http.StatusOK:
			s.Stored = true
			return []State{s}
		case http.StatusPreconditionFailed:
			ok = s.Stored
		}
	case Complete:
		switch {
		case out.HTTP == http.StatusOK && out.Status == Completed:
			ok = s.Status == Completed || s.Status == Pending && s.Stored
			s = s.moved(Completed)
		case out.HTTP == http.StatusConflict && out.Code == "upload_missing":
			ok = s.Status == Pending && !s.Stored
		case out.HTTP == http.StatusConflict:
			ok = s.Status == Cancelled
		case out.HTTP == http.StatusNotFound:
			ok = s.Status == Gone
		}
	case Cancel:
		switch {
		case out.HTTP == http.StatusOK && out.Status == Cancelled:
			ok = s.Status == Pending
			s = s.moved(Cancelled)
		case out.HTTP == http.StatusConflict:
			ok = s.Status == Completed || s.Status == Cancelled
		case out.HTTP == http.StatusNotFound:
			ok = s.Status == Gone
		}
	case Delete:
		// A delete that did nothing: one that may have done something
		// comes in steps (deleteObject, deleteRecord).
		ok = out.HTTP == http.StatusNotFound && s.Status == Gone
	case Get:
		switch out.HTTP {
		case http.StatusOK:
			ok = s.Status == out.Status && s.Status != Gone
		case http.StatusNotFound:
			ok = s.Status == Gone
		}
	case Download:
		switch out.HTTP {
		case http.StatusOK:
			ok = s.Status == Completed
		case http.StatusConflict:
			ok = s.Status == Pending || s.Status == Cancelled
		case http.StatusNotFound:
			ok = s.Status == Gone
		}
	case Fetch:
		// Its URL was handed out while the file was COMPLETED: it serves
		// the object while there is one.
		switch out.HTTP {
		case http.StatusOK:
			ok = out.Intact && s.Stored
		case http.StatusNotFound:
			ok = !s.Stored
		}
	}
	if !ok {
		return nil
	}
	return []State{s}
}

// unknown lists the states a call of kind k whose outcome is unknown may
// leave s in: unchanged, or as if it had succeeded.
func unknown(s State, k Kind) []State {
	states := []State{s}
	switch k {
	case Put:
		stored := s
		stored.Stored = true
		states = append(states, stored)
	case Complete:
		if s.Status == Pending && s.Stored {
			states = append(states, s.moved(Completed))
		}
	case Cancel:
		if s.Status == Pending {
			states = append(states, s.moved(Cancelled))
		}
	}
	return states
}

// settled lists the states s may be in by the next call, with no client
// call: the S3 event completes a PENDING file whose object is stored, and
// removes the object of a file that is no longer PENDING nor COMPLETED (a
// late upload); reconcile removes it too.
func settled(s State) []State {
	switch {
	case s.Status == Pending && s.Stored:
		return []State{s, s.moved(Completed)}
	case (s.Status == Cancelled || s.Status == Gone) && s.Stored:
		removed := s
		removed.Stored = false
		return []State{s, removed}
	}
	return []State{s}
}

// model is the file state machine as porcupine checks it, one partition
// per file, deletes split into their steps (splitDeletes).
func model() porcupine.Model {
	m := &porcupine.NondeterministicModel{
		Partition: partitionByFile,
		Init:      func() []any { return []any{State{}} },
		Step: func(state, input, output any) []any {
			var out []any
			for _, s := range settled(state.(State)) {
				for _, n := range next(s, input.(Input), output.(Output)) {
					out = append(out, n)
				}
			}
			return out
		},
		Equal: func(a, b any) bool { return a.(State) == b.(State) },
		DescribeOperation: func(input, output any) string {
			return describe(input.(Input), output.(Output))
		},
		DescribeState: func(state any) string {
			s := state.(State)
			if s.Status == "" {
				return "(not created)"
			}
			d := s.Status
			if s.Stored {
				d += ", object stored"
			}
			if s.Deleting != "" {
				d += ", deletes between their steps:" + string(s.Deleting)
			}
			return d
		},
	}
	return m.ToModel()
}

func describe(in Input, out Output) string {
	if in.Kind == Delete && in.Call != 0 {
		in.Kind = "delete: record"
	}
	switch {
	case out.Unknown:
		return fmt.Sprintf("%s %s → ?", in.Kind, in.File)
	case out.Status != "":
		return fmt.Sprintf("%s %s → %d %s", in.Kind, in.File, out.HTTP, out.Status)
	case out.Code != "":
		return fmt.Sprintf("%s %s → %d %s", in.Kind, in.File, out.HTTP, out.Code)
	case in.Kind == Fetch && out.HTTP == http.StatusOK && !out.Intact:
		return fmt.Sprintf("%s %s → %d other bytes", in.Kind, in.File, out.HTTP)
	}
	return fmt.Sprintf("%s %s → %d", in.Kind, in.File, out.HTTP)
}

// partitionByFile checks each file's calls on their own: no call touches
// two files, so the history is linearizable if each file's is.
func partitionByFile(history []porcupine.Operation) [][]porcupine.Operation {
	byFile := map[string]int{}
	var parts [][]porcupine.Operation
	for _, op := range history {
		f := op.Input.(Input).File
		i, ok := byFile[f]
		if !ok {
			i = len(parts)
			byFile[f] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], op)
	}
	return parts
}
