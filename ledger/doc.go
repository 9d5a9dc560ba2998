// Package ledger is Tangent's deterministic state machine: transactions,
// accounts, fees, stakes and (later) the protocol modules, executed block by
// block over a key-value store it reaches only through state.KV. It does
// no I/O, reads no clock, starts no goroutine and uses no floats: given the
// same genesis and the same blocks, every node computes the same state, and
// so the same app hash.
//
// # Call sequence (the app's duties)
//
//	l := ledger.New(store, ledger.Options{})  // store: the app's working state
//	ups, err := l.InitChain(genesis)           // once, on an empty store (ABCI InitChain)
//
//	// per block (ABCI FinalizeBlock), strictly in this order:
//	evs := l.BeginBlock(chain.Header{Height, TimeUnixNano, Proposer, Misbehavior})
//	for _, b := range txs { results = append(results, l.DeliverTx(b)) }
//	end := l.EndBlock()                        // validator updates; flushes writes into store
//	// the app hashes and persists store, then:
//	l.Commit(committedView)                    // ABCI Commit: resets the mempool check state
//
//	// any time outside FinalizeBlock (ABCI CheckTx):
//	res := l.CheckTx(b, ledger.CheckNew)       // or CheckRecheck after a Commit
//
// The Ledger is not safe for concurrent use: the app serializes every call
// (as CometBFT's local client does), except Prepare, PreVerify and
// VerifyBatch, which may run on any goroutine. An app that admits txs to
// its mempool while a block executes uses a Checker instead of l.CheckTx:
//
//	c := l.NewChecker()                        // own modules and caches
//	c.Reset(committedView, l.NextHeader())     // after every Commit
//	res := c.CheckTx(b, ledger.CheckNew)       // concurrently with block execution
//
// A restarted node builds a new Ledger over its last committed store, calls
// Commit(committedView) and resets its Checker with the committed height
// plus one before CheckTx.
//
// # Decoding and signatures, once per tx
//
// Prepare decodes a tx and keeps it in a bounded cache keyed by its bytes;
// CheckTx, ProcessProposal's pre-verification and DeliverTx all find it
// there, so a tx is decoded once and its signature verified once, either
// alone or, through VerifyBatch, in a batch (several times cheaper per
// signature). The cache drops a tx once it is executed or rejected. The
// signature rule is ed25519 with ZIP-215 validation everywhere (see package
// tx), which is what makes batch verification consensus-safe.
//
// # Transactions
//
// See package tx for the wire format. A tx has one signer (the account of
// its ed25519 public key) who pays the fee and sends every message. The
// pipeline, identical in CheckTx and DeliverTx:
//
//  1. size <= auth params max_tx_bytes (chain.ErrTxTooLarge);
//  2. canonical decoding, known message types (ErrTxDecode, ErrUnknownMsg);
//  3. message count and each message's ValidateBasic (ErrTooManyMsgs, module codes);
//  4. chain id (ErrWrongChainID);
//  5. fee >= min_fee + fee_per_byte × size (ErrInsufficientFee);
//  6. signature under the ZIP-215 rule, verified once per tx bytes thanks to the tx cache (ErrInvalidSignature);
//  7. ante: nonce == account nonce (ErrNonceReplay, ErrNonceFuture), the fee
//     moves to FeeCollector (ErrFeeUnpaid), the nonce increments;
//  8. messages, all or nothing.
//
// A failure in steps 1-7 changes nothing. A failure in step 8 keeps the
// fee and the nonce (the tx was included and paid for) and reverts every
// write and event of the messages. CheckTx additionally reverts everything
// on any failure, so a rejected tx never affects the mempool state.
//
// Fees go to the block proposer: EndBlock moves the FeeCollector's balance
// to the operator account of the validator whose consensus address is
// Header.Proposer (or leaves it for the next block if none matches).
//
// # State and events
//
// Writes of a block are buffered and reach the store in ascending key
// order at EndBlock, so the store sees the same sequence of writes on every
// node. Every state change emits a chain.Event (module, type, attributes
// sorted by key); each module's README lists its key prefixes and events.
//
// # Invariants
//
// CheckInvariants (tests call it after every block) checks that the total
// supply equals balances + stakes + escrows + pending unbondings.
package ledger
