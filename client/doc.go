// Package client talks to a Tangent node over CometBFT's RPC (HTTP and
// websocket), so it works the same against an in-process node and a remote
// one. It is what agents, the CLI and the load generator use; nothing here
// touches ledger state directly.
//
//   - Broadcast submits a signed tx with BroadcastTxSync and returns once the
//     node's CheckTx accepted it; a rejection is a *TxError carrying the
//     registered code, codespace and log.
//   - BroadcastBatch submits many txs in one JSON-RPC batch request (the
//     node runs them in order) and returns each tx's hash or error; it is
//     several times cheaper per tx than one request each.
//   - Wait polls the node's tx index (/tx by hash) until the tx is in a
//     committed block or the context ends; BroadcastAndWait does both.
//     A tx that failed in the block is returned with a *TxError as well.
//   - Query reads one state key at a committed height with an ICS23 proof
//     and verifies it: the proof against the app hash of the next block's
//     header, and that header against +2/3 of the validator set's
//     signatures (VerifyCommitLight). Pin the validator set with
//     Options.TrustedValidatorsHash to stop trusting the node for it.
//     Height 0 reads the state after the node's latest block but one, the
//     newest state whose app hash is already in a signed header.
//   - Subscribe streams events matching a CometBFT query, such as
//     "tm.event='Tx' AND bank.transfer.recipient='tgt1…'".
//
// Mempool note: a tx accepted by Broadcast sits in the node's memory until a
// block includes it; if the node is killed first, the tx is gone (nothing
// committed is ever lost). Callers that must land a tx wait for it and
// re-send it after a timeout: same bytes, same nonce, so it cannot apply
// twice.
//
// The wire contract with app/: a query with path QueryPathStore and the raw
// state key as data returns the value at the requested height (0 = latest
// committed) and, when proved, one ProofOp of type ProofOpICS23IAVL whose
// data is the protobuf-encoded ics23.CommitmentProof.
//
// A Client is safe for concurrent use.
package client
