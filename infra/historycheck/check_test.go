package historycheck

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// op is one recorded call on file "f" from call to ret (ret Infinity: unknown).
func op(client int, k Kind, call, ret int64, out Output) porcupine.Operation {
	if ret == Infinity {
		out.Unknown = true
	}
	return porcupine.Operation{ClientId: client, Input: Input{File: "f", Kind: k}, Call: call, Output: out, Return: ret}
}

var (
	created   = Output{HTTP: http.StatusOK, Status: Pending}
	stored    = Output{HTTP: http.StatusOK}
	completed = Output{HTTP: http.StatusOK, Status: Completed}
	cancelled = Output{HTTP: http.StatusOK, Status: Cancelled}
	conflict  = Output{HTTP: http.StatusConflict, Code: "invalid_state"}
	deleted   = Output{HTTP: http.StatusNoContent}
	notFound  = Output{HTTP: http.StatusNotFound}
	intact    = Output{HTTP: http.StatusOK, Intact: true}
)

func check(t *testing.T, ops ...porcupine.Operation) error {
	t.Helper()
	return Check(ops, nil, 10*time.Second, "")
}

// The planted violation: a cancel that succeeded after a complete had
// answered COMPLETED. The checker must find no order for it.
func TestCancelAfterCompleteIsNotLinearizable(t *testing.T) {
	viz := filepath.Join(t.TempDir(), "history.html")
	err := Check([]porcupine.Operation{
		op(0, Create, 0, 10, created),
		op(0, Put, 20, 30, stored),
		op(0, Complete, 40, 50, completed),
		op(1, Cancel, 60, 70, cancelled),
	}, []porcupine.Annotation{{Tag: "minio", Start: 15, End: 35, Description: "SIGKILL"}}, 10*time.Second, viz)
	if err == nil || !strings.Contains(err.Error(), "Illegal") {
		t.Fatalf("a cancel that succeeded after a complete: %v, want Illegal", err)
	}
	page, rerr := os.ReadFile(viz)
	if rerr != nil || !strings.Contains(string(page), "cancel f") {
		t.Fatalf("the visualisation of the failure was not written (%v): %d bytes", rerr, len(page))
	}
}

// Concurrent calls whose answers some order explains: the cancel raced the
// S3 event and lost, the GET saw the event's completion before any client
// completed, a timed-out delete took effect late, after which a download's
// earlier URL serves nothing, and a late PUT lands (its event removes it).
func TestLegalConcurrentHistoryIsLinearizable(t *testing.T) {
	err := check(t,
		op(0, Create, 0, 10, created),
		op(0, Put, 20, 40, stored),
		op(1, Cancel, 30, 60, conflict),                                   // the event completed it first
		op(2, Get, 45, 50, completed),                                     // no complete call yet
		op(0, Complete, 55, 80, completed),                                // confirms
		op(1, Download, 90, 95, stored),                                   // a URL for a COMPLETED file
		op(1, Fetch, 100, 110, intact),                                    // serves its bytes
		op(2, Delete, 105, Infinity, Output{}),                            // timed out
		op(0, Get, 120, 130, notFound),                                    // … but had taken effect
		op(1, Fetch, 140, 150, notFound),                                  // the earlier URL serves nothing now
		op(0, Complete, 160, 170, notFound),                               // nor can it be completed
		op(2, Put, 180, 190, stored),                                      // the session's URL still takes bytes
		op(0, Put, 195, 198, Output{HTTP: http.StatusPreconditionFailed}), // … once
	)
	if err != nil {
		t.Fatal(err)
	}
}

// Each answer below is impossible, whatever the order of the calls around it.
func TestImpossibleAnswersAreNotLinearizable(t *testing.T) {
	base := []porcupine.Operation{op(0, Create, 0, 10, created)}
	cases := map[string][]porcupine.Operation{
		"completed before any PUT":      {op(1, Get, 20, 30, completed)},
		"complete with no bytes stored": {op(1, Complete, 20, 30, completed)},
		"upload_missing after a PUT": {
			op(1, Put, 20, 30, stored),
			op(1, Complete, 40, 50, Output{HTTP: http.StatusConflict, Code: "upload_missing"}),
		},
		"a URL serves the bytes after a 2xx DELETE": {
			op(1, Put, 20, 30, stored),
			op(1, Complete, 40, 50, completed),
			op(1, Delete, 60, 70, deleted),
			op(2, Fetch, 80, 90, intact),
		},
		"a deleted file's object still there": {
			op(1, Put, 20, 30, stored),
			op(1, Delete, 40, 50, deleted),
			op(2, Put, 60, 70, Output{HTTP: http.StatusPreconditionFailed}),
		},
		"a deleted file comes back": {
			op(1, Delete, 20, 30, deleted),
			op(2, Get, 40, 50, created),
		},
		"a download of a PENDING file": {op(1, Download, 20, 30, stored)},
		"another file's bytes": {
			op(1, Put, 20, 30, stored),
			op(1, Complete, 40, 50, completed),
			op(2, Fetch, 60, 70, Output{HTTP: http.StatusOK}),
		},
		"a cancelled file completes": {
			op(1, Cancel, 20, 30, cancelled),
			op(1, Put, 40, 50, stored),
			op(2, Get, 60, 70, completed),
		},
	}
	for name, ops := range cases {
		t.Run(name, func(t *testing.T) {
			if err := check(t, append(base, ops...)...); err == nil || !strings.Contains(err.Error(), "Illegal") {
				t.Fatalf("%v, want Illegal", err)
			}
		})
	}
}

// An unknown outcome may or may not have taken effect: both later answers fit.
func TestUnknownOutcomeMayHaveTakenEffectOrNot(t *testing.T) {
	for _, after := range []Output{cancelled, created} {
		err := check(t,
			op(0, Create, 0, 10, created),
			op(1, Cancel, 20, Infinity, Output{}),
			op(2, Get, 40, 50, after),
		)
		if err != nil {
			t.Errorf("get %s after a cancel that timed out: %v", after.Status, err)
		}
	}
}

// The recorder keeps the calls that matter, with unknown ones at Infinity,
// and leaves out what changed nothing.
func TestRecorderKeepsWhatCanMatter(t *testing.T) {
	r := NewRecorder()
	r.Begin(0, Input{Kind: Create}).EndCreate("", Output{Unknown: true}) // no id: nothing refers to it
	c := r.Begin(0, Input{Kind: Create})
	c.EndCreate("f", created)
	r.Begin(1, Input{File: "f", Kind: Get}).End(Output{Unknown: true}) // a read with no answer
	r.Begin(1, Input{File: "f", Kind: Delete}).End(Output{Unknown: true})
	r.Fault("dynamodb", "SIGSTOP", time.Now())
	ops := r.Operations()
	if len(ops) != 2 || ops[0].Input.(Input).Kind != Create || ops[1].Return != Infinity {
		t.Fatalf("recorded %+v, want the create and the delete at Infinity", ops)
	}
	if ops[0].Call > ops[0].Return || ops[1].Call < ops[0].Return {
		t.Errorf("times out of order: %+v", ops)
	}
	if len(r.Faults()) != 1 {
		t.Errorf("faults %+v, want 1", r.Faults())
	}
	if err := Check(ops, r.Faults(), time.Second, ""); err != nil {
		t.Error(err)
	}
}

// A checker that runs out of time has shown nothing: Check fails with
// Unknown, and still writes the visualisation.
func TestCheckerOutOfTimeFails(t *testing.T) {
	ops := []porcupine.Operation{op(0, Create, 0, 10, created)}
	// Many concurrent calls and one answer none of their orders explains:
	// the search must try them all.
	for i := range 20 {
		ops = append(ops, op(i%4, Get, 20, 1000, created), op(i%4, Put, 20, Infinity, Output{}))
	}
	ops = append(ops, op(1, Get, 20, 1000, cancelled))
	viz := filepath.Join(t.TempDir(), "history.html")
	err := Check(ops, nil, time.Millisecond, viz)
	if err == nil || !strings.Contains(err.Error(), "gave up") {
		t.Fatalf("%v, want the checker to give up (Unknown)", err)
	}
	if _, serr := os.Stat(viz); serr != nil {
		t.Errorf("no visualisation: %v", serr)
	}
}

// The files a stack run judged Illegal while the model took a delete to be
// one instant: a complete overlapping a delete answered upload_missing (the
// object gone, the record not yet), a late PUT landed between the steps and
// its object outlived the record. As the service deletes, object first,
// these are linearizable.
func TestDeleteInFlightIsTwoSteps(t *testing.T) {
	for file, ops := range readHistories(t, "testdata/delete-in-flight.txt") {
		if err := check(t, ops...); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}

// The state between a delete's steps exists only while it is in flight,
// and the steps keep their order.
func TestDeleteStepsAreCheckedInOrder(t *testing.T) {
	missing := Output{HTTP: http.StatusConflict, Code: "upload_missing"}
	refused := Output{HTTP: http.StatusPreconditionFailed}
	base := []porcupine.Operation{
		op(0, Create, 0, 10, created),
		op(0, Put, 20, 30, stored),
	}
	legal := map[string][]porcupine.Operation{
		"upload_missing while the delete is in flight": {
			op(1, Delete, 40, 100, deleted),
			op(2, Complete, 50, 60, missing),
			op(3, Get, 70, 80, created), // the record is still there
			op(2, Get, 110, 120, notFound),
		},
		"the status moves between the steps; the object goes again, and a late PUT lands after": {
			op(1, Delete, 40, 200, deleted),
			op(2, Complete, 50, 60, missing),
			op(2, Put, 70, 80, stored),
			op(3, Get, 90, 100, completed), // the PUT's event completed it
			op(2, Put, 150, 160, stored),   // the delete had removed it again
			op(3, Get, 210, 220, notFound),
			op(2, Put, 230, 240, refused),
		},
		"a complete between the steps that moves nothing; a late PUT outlives the record": {
			op(1, Complete, 35, 38, completed),
			op(1, Delete, 40, 200, deleted),
			op(2, Fetch, 50, 60, notFound), // the object is gone
			op(2, Put, 70, 80, stored),
			op(3, Complete, 90, 100, completed), // still COMPLETED: the record goes as it is
			op(3, Get, 210, 220, notFound),
			op(2, Put, 230, 240, refused),
		},
	}
	illegal := map[string][]porcupine.Operation{
		"the record seen after the delete returned": {
			op(1, Delete, 40, 50, deleted),
			op(2, Get, 60, 70, created),
		},
		"the state between the steps after the delete returned": {
			op(1, Delete, 40, 50, deleted),
			op(2, Complete, 60, 70, missing),
		},
		"the record gone before the object": {
			op(1, Complete, 35, 38, completed),
			op(1, Delete, 40, 100, deleted),
			op(2, Get, 50, 60, notFound),
			op(3, Fetch, 70, 80, intact),
		},
		"the record gone before the object, the delete's answer lost": {
			op(1, Complete, 35, 38, completed),
			op(1, Delete, 40, Infinity, Output{}),
			op(2, Get, 50, 60, notFound),
			op(3, Fetch, 70, 80, intact),
		},
		"the status moved between the steps and the record went with the object left": {
			op(1, Delete, 40, 200, deleted),
			op(2, Complete, 50, 60, missing),
			op(2, Put, 70, 80, stored),
			op(3, Get, 90, 100, completed),
			op(3, Get, 210, 220, notFound),
			op(2, Put, 230, 240, refused),
		},
	}
	for name, ops := range legal {
		t.Run(name, func(t *testing.T) {
			if err := check(t, append(slices.Clone(base), ops...)...); err != nil {
				t.Fatal(err)
			}
		})
	}
	for name, ops := range illegal {
		t.Run(name, func(t *testing.T) {
			if err := check(t, append(slices.Clone(base), ops...)...); err == nil || !strings.Contains(err.Error(), "Illegal") {
				t.Fatalf("%v, want Illegal", err)
			}
		})
	}
}

// readHistories reads the calls Check prints for illegal files, by file.
func readHistories(t *testing.T, path string) map[string][]porcupine.Operation {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^\s*client (\d+)\s+([\d.]+)s–(?:([\d.]+)s|∞)\s+(\S+) (\S+) → (\?|\d+)(?: (.+))?$`)
	byFile := map[string][]porcupine.Operation{}
	for _, l := range strings.Split(string(text), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		client, _ := strconv.Atoi(m[1])
		in := Input{Kind: Kind(m[4]), File: m[5]}
		var out Output
		ret := int64(Infinity)
		if m[3] != "" {
			ret = seconds(t, m[3])
		}
		if m[6] == "?" {
			out.Unknown = true
		} else {
			out.HTTP, _ = strconv.Atoi(m[6])
			switch m[7] {
			case "":
				out.Intact = in.Kind == Fetch && out.HTTP == http.StatusOK
			case Pending, Completed, Cancelled:
				out.Status = m[7]
			case "other bytes":
			default:
				out.Code = m[7]
			}
		}
		// Times are printed in ms: a call starting in the ms its client's
		// previous call ended in starts after it.
		call := seconds(t, m[2]) + 1
		byFile[in.File] = append(byFile[in.File], porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
	}
	if len(byFile) == 0 {
		t.Fatalf("no calls in %s", path)
	}
	return byFile
}

func seconds(t *testing.T, s string) int64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return int64(f * 1e9)
}
