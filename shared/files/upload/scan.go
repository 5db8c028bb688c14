package upload

import (
	"context"
	"errors"
	"io"

	"github.com/filegate/filegate/shared/files"
)

// Malware scanning. With scanning on (files.ScanConfig), a file whose object
// passed validation goes to SCANNING instead of COMPLETED, and only a verdict
// settles it: clean completes it; infected rejects it (malware_detected) and
// deletes its object; unsupported does what the deployment chose (rejected
// as scan_unsupported by default). The verdict comes from a Scanner where
// the settling function has one (clamd streams the object when it is
// validated; GuardDuty's tag is read where its event was lost), or from
// GuardDuty's result event (Scanned). A file without a verdict waits: its
// scan's Due is when reconcile looks again (its ReconcileAt: reconcile's
// index holds SCANNING files beside PENDING ones, see rescan), so a scanner that is
// down leaves files SCANNING, never expired or lost, and they settle once it
// answers.

// Scanner asks for the malware verdict on an object.
type Scanner interface {
	// Scan returns the verdict on key's object; done is false when there is
	// none yet (an asynchronous scanner still at it). An error means the
	// scanner is down or failed, files.ErrObjectMissing that the object is
	// gone.
	Scan(ctx context.Context, key string) (res files.ScanResult, done bool, err error)
}

// StreamScanner judges bytes as they stream past (clamd's INSTREAM).
type StreamScanner interface {
	// Scan reads r to its end; an error means no verdict.
	Scan(ctx context.Context, r io.Reader) (files.ScanResult, error)
}

// ObjectOpener streams an object's bytes.
type ObjectOpener interface {
	// Open returns the object's body, files.ErrObjectMissing when there is none.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// Streamed is a Scanner that streams each object from objects to scanner:
// never the whole object in memory, only what is in flight.
func Streamed(objects ObjectOpener, scanner StreamScanner) Scanner {
	return streamed{objects: objects, scanner: scanner}
}

type streamed struct {
	objects ObjectOpener
	scanner StreamScanner
}

func (s streamed) Scan(ctx context.Context, key string) (files.ScanResult, bool, error) {
	body, err := s.objects.Open(ctx, key)
	if err != nil {
		return files.ScanResult{}, false, err
	}
	defer body.Close()
	res, err := s.scanner.Scan(ctx, body)
	return res, err == nil, err
}

// NewScanningSettlement is NewSettlement whose settling also scans: it asks
// scanner for the verdict on every file it moves to SCANNING (process-upload,
// reconcile, the compat upload). A settlement without one (complete) leaves
// SCANNING files to them.
func NewScanningSettlement(store settleStore, objects settleObjects, scanner Scanner, o files.Options) *Settlement {
	s := NewSettlement(store, objects, o)
	s.scanner = scanner
	return s
}

// passed moves a PENDING file whose object passed validation on: COMPLETED
// when scanning is off; else SCANNING and, where a verdict is known (known)
// or this settlement has a scanner, on to that verdict.
func (s *Settlement) passed(ctx context.Context, f *files.File, info files.ObjectInfo, md5 string, known *files.ScanResult) (Result, error) {
	now := s.Now()
	c := files.Change{To: files.StatusCompleted, At: now, ETag: info.ETag, MD5: etagMD5(info.ETag), TTL: files.CompletedTTL(f),
		ReconcileAt: s.Config.ReconcileAt(f, files.StatusCompleted, now)}
	if s.Config.Scan.On() {
		// Due at once where this settlement does not scan (complete): the
		// S3 event's function, or reconcile, scans it without waiting.
		due := now
		if s.scanner != nil {
			due = now.Add(s.Config.Scan.RetryAfter)
		}
		c.To, c.Scan, c.TTL = files.StatusScanning, &files.ScanState{Due: due}, s.Config.ScanTTL(f, due)
		c.ReconcileAt = s.Config.ScanningAt(f, c.Scan, now)
	}
	done, err := s.store.Transition(ctx, f, files.StatusPending, c)
	if errors.Is(err, files.ErrConditionFailed) {
		return s.lostValidation(ctx, f, md5, known)
	}
	if err != nil {
		return Result{}, err
	}
	if c.To == files.StatusCompleted {
		s.Metrics.Record("completed", f.SizeBytes)
		return Result{Outcome: Completed, File: done}, nil
	}
	if known != nil {
		return s.verdict(ctx, done, *known)
	}
	return s.scan(ctx, done)
}

// lostValidation answers passed when another caller settled f first. If
// that was complete, which validates without scanning and leaves the look
// due at once, a settlement that scans takes the look now: otherwise the
// file would wait for reconcile's next pass, minutes away. With a verdict
// in hand (known) there is nothing to ask: Scanned applies it.
func (s *Settlement) lostValidation(ctx context.Context, f *files.File, md5 string, known *files.ScanResult) (Result, error) {
	r, err := s.settled(ctx, f, md5)
	if err != nil || r.Outcome != Scanning || known != nil || s.scanner == nil || r.File.Scan == nil || s.Now().Before(r.File.Scan.Due) {
		return r, err
	}
	return s.scan(ctx, r.File)
}

// scan asks the scanner for the verdict on f, a SCANNING file, and settles
// it. Without one (no scanner here, an asynchronous verdict still coming,
// the scanner down) f keeps waiting: when its look was due, or the scanner
// failed, its next look (and its TTL) move on.
func (s *Settlement) scan(ctx context.Context, f *files.File) (Result, error) {
	if s.scanner == nil {
		return Result{Outcome: Scanning, File: f}, nil
	}
	res, done, err := s.scanner.Scan(ctx, f.ObjectKey)
	switch {
	case errors.Is(err, files.ErrObjectMissing):
		return s.endScan(ctx, f, &files.ScannedGone, files.ScanState{})
	case err != nil:
		s.Log.WarnContext(ctx, "malware scan got no verdict; the file waits", "projectId", f.ProjectID, "fileId", f.ID, "err", err)
		return s.postpone(ctx, f, true)
	case !done && f.Scan != nil && s.Now().Before(f.Scan.Due):
		return Result{Outcome: Scanning, File: f}, nil // just asked: its look is still to come
	case !done:
		return s.postpone(ctx, f, false)
	}
	return s.verdict(ctx, f, res)
}

// postpone keeps f SCANNING and sets its next look RetryAfter from now, its
// TTL with it; failed counts an attempt that got no verdict.
func (s *Settlement) postpone(ctx context.Context, f *files.File, failed bool) (Result, error) {
	now := s.Now()
	st := files.ScanState{Due: now.Add(s.Config.Scan.RetryAfter)}
	if f.Scan != nil {
		st.Attempts = f.Scan.Attempts
	}
	if failed {
		st.Attempts++
	}
	done, err := s.store.Transition(ctx, f, files.StatusScanning, files.Change{To: files.StatusScanning, At: now, Scan: &st, TTL: s.Config.ScanTTL(f, st.Due),
		ReconcileAt: s.Config.ScanningAt(f, &st, now)})
	if errors.Is(err, files.ErrConditionFailed) {
		return s.settled(ctx, f, "") // a verdict came meanwhile
	}
	if err != nil {
		return Result{}, err
	}
	return Result{Outcome: Scanning, File: done}, nil
}

// verdict settles f, SCANNING, with res.
func (s *Settlement) verdict(ctx context.Context, f *files.File, res files.ScanResult) (Result, error) {
	st := files.ScanState{Verdict: res.Verdict, Signature: res.Signature}
	if f.Scan != nil {
		st.Attempts = f.Scan.Attempts
	}
	log := s.Log.With("projectId", f.ProjectID, "fileId", f.ID, "verdict", res.Verdict, "signature", res.Signature)
	switch {
	case res.Verdict == files.ScanInfected:
		log.WarnContext(ctx, "malware detected: the file is rejected and its object deleted")
		return s.endScan(ctx, f, &files.MalwareDetected, st)
	case res.Verdict == files.ScanUnsupported && !s.Config.Scan.AcceptUnsupported:
		log.WarnContext(ctx, "the malware scanner could not judge the file: rejected (SCAN_UNSUPPORTED=reject)")
		return s.endScan(ctx, f, &files.ScanUnjudged, st)
	case res.Verdict == files.ScanUnsupported:
		log.WarnContext(ctx, "the malware scanner could not judge the file: completed unscanned (SCAN_UNSUPPORTED=accept)")
	case res.Verdict != files.ScanClean:
		return Result{}, errors.New("upload: unknown scan verdict " + string(res.Verdict))
	}
	now := s.Now()
	done, err := s.store.Transition(ctx, f, files.StatusScanning, files.Change{To: files.StatusCompleted, At: now, Scan: &st, TTL: files.CompletedTTL(f),
		ReconcileAt: s.Config.ReconcileAt(f, files.StatusCompleted, now)})
	if errors.Is(err, files.ErrConditionFailed) {
		return s.settled(ctx, f, "")
	}
	if err != nil {
		return Result{}, err
	}
	s.Metrics.Record("completed", f.SizeBytes)
	return Result{Outcome: Completed, File: done}, nil
}

// endScan rejects f (SCANNING, or PENDING when a verdict came before its
// validation) for what its scan found, then deletes its object.
func (s *Settlement) endScan(ctx context.Context, f *files.File, rej *files.Rejection, st files.ScanState) (Result, error) {
	return s.rejectFrom(ctx, f, f.Status, rej, &st, "")
}

// Scanned settles the file of key with a verdict an asynchronous scanner
// published (GuardDuty's result event). Such events arrive at least once,
// late, or before the file's own S3 event: a file still PENDING is validated
// first (an infected one needs no validation: it is rejected), a SCANNING
// one takes the verdict, and anything else is left as it is. The error is a
// fault, which the event's delivery retries.
func (s *Settlement) Scanned(ctx context.Context, key string, res files.ScanResult) (Outcome, error) {
	projectID, id, ok := files.ParseObjectKey(key)
	if !ok {
		s.Log.WarnContext(ctx, "ignoring a scan result outside Filegate's key layout", "key", key)
		return Unchanged, nil
	}
	f, err := s.store.Get(ctx, projectID, id)
	switch {
	case errors.Is(err, files.ErrNotFound):
		return Unchanged, nil // deleted: its object went with it, or goes with its S3 event
	case err != nil:
		return Unchanged, err
	}
	var r Result
	switch {
	case f.Status == files.StatusPending && res.Verdict == files.ScanInfected:
		s.Log.WarnContext(ctx, "malware detected before validation: the file is rejected and its object deleted", "projectId", projectID, "fileId", id, "signature", res.Signature)
		r, err = s.endScan(ctx, f, &files.MalwareDetected, files.ScanState{Verdict: res.Verdict, Signature: res.Signature})
	case f.Status == files.StatusPending:
		r, err = s.settleRead(ctx, s.objects, f, "", &res)
	case f.Status == files.StatusScanning:
		r, err = s.verdict(ctx, f, res)
	default:
		return Unchanged, nil
	}
	if err == nil && f.Status == files.StatusPending && r.Outcome == Scanning {
		// complete validated the file meanwhile and left it waiting for
		// this very verdict.
		r, err = s.verdict(ctx, r.File, res)
	}
	return r.Outcome, err
}

// rescan asks again for the verdict on f, a SCANNING file reconcile's
// index handed over as due: it settles, or waits on with its next look
// RetryAfter later. A reconciler whose settlement has no scanner (scanning
// turned off since f began waiting) only moves its look on: its verdict can
// still come from GuardDuty's event, and the index does not hand it over at
// every run.
func (r *Reconciler) rescan(ctx context.Context, f *files.File, rep *ReconcileReport) error {
	rep.ScansDue++
	var (
		res Result
		err error
	)
	if r.settlement.scanner == nil {
		res, err = r.settlement.postpone(ctx, f, false)
	} else {
		res, err = r.settlement.scan(ctx, f)
	}
	if res.Outcome == Completed || res.Outcome == Rejected {
		rep.ScansSettled++
		rep.Settled++
	}
	return err
}
