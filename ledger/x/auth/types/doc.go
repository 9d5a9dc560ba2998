// Package types declares x/auth's state keys, parameters and genesis.
//
// x/auth has no messages and registers no codes of its own: the tx
// pipeline's codes (signature, nonce, fee, size) live in codespace "ledger"
// (package chain). Params bound a tx (max_tx_bytes, max_msgs_per_tx) and
// price it (min_fee + fee_per_byte × size); Validate keeps them in ranges
// where the fee formula cannot overflow. See ../README.md.
package types
