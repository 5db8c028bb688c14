// Package history runs concurrent clients against a local stack while
// faults are injected, records every call, and has infra/historycheck judge
// the history with porcupine. Its test is bounded for `make test`; `make
// history` runs it longer (docs/recovery.md lists the bounds).
package history
