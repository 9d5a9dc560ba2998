// Package keeper implements x/auth: per-account nonces and the tx
// parameters (size limit, minimum fee).
//
// The Keeper holds no state of its own: every method takes the KV (block,
// check or committed state) it works on. The ledger's ante step is its only
// writer: it checks that a tx carries the signer's next nonce and
// increments it once the fee is paid. See ../README.md.
package keeper
