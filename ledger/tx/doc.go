// Package tx is the transaction format: a canonical binary encoding, ed25519
// signatures over sign bytes that bind the chain id, the signer's nonce, the
// fee and the messages, and a registry of message decoders.
//
// Wire format (all integers are minimal uvarints unless noted):
//
//	version    1 byte, = 1
//	chain_id   length-prefixed string, 1..50 bytes of [a-zA-Z0-9._-]
//	pubkey     32 bytes, ed25519
//	nonce      uvarint: the signer account's next nonce
//	fee        uvarint: utgt paid to the ledger (see x/auth)
//	n_msgs     uvarint, 1..MaxMsgs
//	n_msgs × { type: length-prefixed string, body: length-prefixed bytes }
//	signature  64 bytes, ed25519 over SignDomain || (all the bytes above)
//
// A Tx decodes only from its unique canonical encoding, so the tx hash
// (SHA-256 of the bytes, as CometBFT computes it) names one Tx.
//
// Contract: Registry.Decode never panics on any input and returns errors
// that wrap a registered chain.Error (ErrTxTooLarge, ErrTxDecode,
// ErrUnknownMsg, ErrTooManyMsgs); it checks neither the signature nor the
// messages' ValidateBasic, which the ledger's pipeline does (see package
// ledger). A Registry is built once and is safe for concurrent reads.
package tx
