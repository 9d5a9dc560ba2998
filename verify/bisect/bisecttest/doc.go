// Package bisecttest provides a small but complete training job for testing
// the dispute game (package bisect): a Program, a machine that runs it (with
// an optional injected fault, the way a cheater or a buggy node would), and
// players that answer every move from their own run.
package bisecttest
