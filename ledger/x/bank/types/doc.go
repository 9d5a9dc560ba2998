// Package types declares x/bank's messages (MsgSend), state keys, result
// codes (codespace "bank") and genesis. See ../README.md for the state
// layout and encodings.
//
// Message decoders accept only canonical bodies (fuzzed); ValidateBasic
// rejects a zero amount and the zero address as recipient.
package types
