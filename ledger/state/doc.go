// Package state is the ledger's view of storage: a byte-keyed, ordered
// key-value interface (KV), a write-buffering Cache layered over any KV, a
// Prefix view, and Mem, an in-memory KV for tests and simulations.
//
// The persistent, Merkle-ized implementation (IAVL) lives in app/; the
// ledger reads and writes only through KV and never learns how state is
// stored or hashed.
//
// Contract for every KV implementation:
//   - Get returns nil for an absent key. A returned slice belongs to the
//     store: callers must not modify it.
//   - Set takes ownership of key and value, Delete of key: callers must not
//     modify them afterwards (a Cache hands the same slices on to its
//     parent). value must not be nil.
//   - Iterator ranges over [start, end) (nil = unbounded) in ascending or
//     descending byte order. The caller closes it and does not write to the
//     same KV while it is open (write to a Cache layered above instead).
//   - Storage failures are fatal to a replicated state machine: an
//     implementation panics (the app lets the node crash and restart from its
//     last commit). The ledger never recovers such panics as tx failures;
//     see IsFatal.
package state
