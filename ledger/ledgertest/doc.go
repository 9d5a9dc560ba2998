// Package ledgertest holds helpers for testing against the ledger: keys
// derived from names, tx builders, a Harness that runs blocks over an
// in-memory store and checks invariants after each, and Sim, a seeded
// generator of random valid and invalid txs that the app's tests can replay
// through the real store and compare app hashes.
//
// It depends only on the ledger and the standard library; its random
// numbers come from a seeded SplitMix64 (stable across Go versions).
package ledgertest
