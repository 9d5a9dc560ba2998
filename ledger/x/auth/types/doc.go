// Package types declares x/auth's state keys, parameters and genesis. x/auth
// has no messages and registers no codes of its own: the tx pipeline's codes
// (signature, nonce, fee, size) live in codespace "ledger" (chain package).
package types
