// Package app is the ABCI 2.0 adapter between CometBFT and the ledger: it
// decodes nothing itself but hands tx bytes to ledger.Ledger, persists state
// in an IAVL tree (app/iavlstore) whose root hash is the app hash, and
// answers queries with ICS23 proofs.
//
// Contract with CometBFT:
//   - Info reports the last committed height and app hash (IAVL version =
//     block height), so CometBFT's handshake replays whatever blocks the app
//     did not commit: a node killed with SIGKILL loses nothing.
//   - InitChain loads genesis.json's app_state (a ledger.Genesis whose
//     chain_id must equal CometBFT's) and returns the bonded validators.
//   - CheckTx decodes the tx outside any lock, then joins the check pipe
//     (checkPipe): concurrent calls are taken in groups whose signatures
//     are verified in one batch (the ledger's tx cache keeps the decoded,
//     verified tx for the block) and which are then run, in arrival order,
//     against the mempool state: the last commit plus the txs accepted
//     since, in a ledger.Checker over the committed view, so it runs
//     concurrently with FinalizeBlock. Commit resets the checker with the
//     next block's header. Rejections carry the ledger's registered
//     (codespace, code) and a log that names the fix. CheckTxAsync is the
//     same check for a caller that does not wait (node's asynchronous
//     mempool client): the answer comes later, in submission order, and a
//     stream of such txs (a peer's) lets the groups grow to CheckBatch.
//     CometBFT's mempool
//     recheck after each block is required: it rebuilds the pending nonces
//     on the new commit (and costs little: rechecked txs are neither
//     decoded nor verified again).
//   - PrepareProposal bounds the block's tx bytes; ProcessProposal rejects
//     a proposal with an undecodable or badly signed tx, batch-verifying
//     the signatures not verified yet on VerifyWorkers goroutines (and so
//     filling the tx cache for FinalizeBlock).
//   - FinalizeBlock runs BeginBlock, every tx, EndBlock; saves the new
//     version (iavlstore.Store.Save: atomic, but not committed) and returns
//     results, events (type "module.event", e.g. "bank.transfer"; address
//     attributes indexed with Options.IndexEvents), validator updates and
//     the version's root hash. Saving here, not in Commit, keeps the write
//     out of CometBFT's Commit, which holds the mempool's lock (every
//     CheckTx waits for it). Executing a height again before Commit
//     discards the first execution, and reopening the store rolls back a
//     version that was saved but not committed, so a crash or replay
//     between FinalizeBlock and Commit is harmless.
//   - Commit records the saved version as committed (from then on Info,
//     queries and restarts see it) and rebases the mempool state.
//   - Query serves /store (raw key, optional proof), /balance/ADDR,
//     /nonce/ADDR, /account/ADDR and /params from committed versions,
//     concurrently with block execution.
//
// Block calls are serialized by one mutex and CheckTx by another; App is
// safe for any of CometBFT's local client creators. node uses the
// consensus-synchronized one, so that CheckTx calls run in parallel, with
// a mempool client that calls CheckTxAsync for new txs.
package app
