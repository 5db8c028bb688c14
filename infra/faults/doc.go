// Package faults holds the fault-injection tests that stop parts of the local
// stack mid-run; they get a stack of their own so no other test is disturbed.
package faults
