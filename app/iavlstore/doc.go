// Package iavlstore is the persistent, Merkle-ized key-value store of a
// Tangent node: one IAVL tree (github.com/cosmos/iavl v1) over a Pebble
// database under the node home (goleveldb on request). The root hash of the
// tree is the app hash.
//
// Contract:
//   - A Store has one working tree that the block executor mutates (Get, Set,
//     Delete, Iterator), that Save writes as the next version and that
//     Commit then records as committed (Commit alone does both). Version N
//     is the state after block N; the app hash in block N+1's header is the
//     Hash of version N.
//   - Commit is atomic: after a crash (kill -9) Open finds either version N or
//     version N-1, never a mix. Unsaved working changes are simply lost, and
//     so is a version Save wrote but Commit did not record: Open rolls it
//     back (a record of the last committed version sits next to the tree).
//     CometBFT's handshake replays the block. Rollback drops both on
//     purpose.
//   - Reads of the latest committed version, and the working tree's reads
//     of keys the block has not written, are served from a read cache of
//     that version (Options.ReadCache keys) when it has them, without
//     IAVL's locks.
//   - With Options.Sync false (the default) a commit is not fsynced, and
//     Pebble hands its log to the OS from a background goroutine: a kill -9
//     just after a commit, or a power loss, can bring the store back some
//     versions behind (each whole or absent), and CometBFT's handshake
//     replays the missing blocks from its block store, which it syncs.
//   - Reads of committed versions (GetAt, ProveAt, LastCommit) may run
//     concurrently with the block executor; the working tree itself is owned
//     by one goroutine at a time (the ABCI consensus connection).
//   - Errors from the database are fatal for a replicated state machine: the
//     working-tree accessors panic with a *DBError, which the ABCI adapter
//     lets crash the node so the operator restarts it from the last commit.
//
// Returned value slices belong to the store: callers must not modify them.
package iavlstore
