// Package keeper implements x/auth: account records (each address's next
// nonce and its balance) and the tx parameters (size limit, minimum fee).
//
// The Keeper holds no state of its own: every method takes the KV (block,
// check or committed state) it works on. The ledger's ante step is the only
// writer of nonces: it checks that a tx carries the signer's next nonce and
// increments it once the fee is paid. Balances belong to x/bank, which
// changes them only through AddBalance and SubBalance (its AccountKeeper);
// they share the record so that a transfer rewrites one record per party.
// See ../README.md.
package keeper
