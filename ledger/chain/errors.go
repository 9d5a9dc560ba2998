package chain

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Error is a registered tx result code: a (codespace, code) pair that is
// consensus data (it goes into the block's results hash) and a fixed
// description. Each module registers its codes once, at package
// initialization, in its types/errors.go; codes never change meaning.
//
// Code 0 means success and is never registered. Codes are unique within a
// codespace.
type Error struct {
	codespace string
	code      uint32
	desc      string
}

// Codespace is the module namespace of the code ("tx", "bank", ...).
func (e *Error) Codespace() string { return e.codespace }

// Code is the numeric result code (never 0).
func (e *Error) Code() uint32 { return e.code }

func (e *Error) Error() string { return e.desc }

// Wrap returns an error that is e (errors.Is) with msg added to its log.
func (e *Error) Wrap(msg string) error { return &wrapped{base: e, msg: msg} }

// Wrapf is Wrap with fmt formatting.
func (e *Error) Wrapf(format string, args ...any) error {
	return &wrapped{base: e, msg: fmt.Sprintf(format, args...)}
}

type wrapped struct {
	base *Error
	msg  string
}

func (w *wrapped) Error() string { return w.base.desc + ": " + w.msg }
func (w *wrapped) Unwrap() error { return w.base }

var (
	registryMu sync.Mutex
	registry   = map[string]map[uint32]*Error{}
)

// Register declares a result code. It panics if the pair is already taken
// or code is 0: both are programming errors caught at start-up.
func Register(codespace string, code uint32, desc string) *Error {
	if code == 0 {
		panic(fmt.Sprintf("chain.Register(%q, 0): code 0 means success", codespace))
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	m := registry[codespace]
	if m == nil {
		m = map[uint32]*Error{}
		registry[codespace] = m
	}
	if prev, ok := m[code]; ok {
		panic(fmt.Sprintf("chain.Register(%q, %d, %q): already registered as %q", codespace, code, desc, prev.desc))
	}
	e := &Error{codespace: codespace, code: code, desc: desc}
	m[code] = e
	return e
}

// Lookup returns the registered error for (codespace, code), or nil.
func Lookup(codespace string, code uint32) *Error {
	registryMu.Lock()
	defer registryMu.Unlock()
	return registry[codespace][code]
}

// Registered lists every registered code, sorted by codespace then code (for
// documentation and tests).
func Registered() []*Error {
	registryMu.Lock()
	defer registryMu.Unlock()
	var out []*Error
	for _, m := range registry {
		for _, e := range m {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].codespace != out[j].codespace {
			return out[i].codespace < out[j].codespace
		}
		return out[i].code < out[j].code
	})
	return out
}

// CodespaceLedger holds the codes of the transaction pipeline itself.
const CodespaceLedger = "ledger"

// Codes of the transaction pipeline (decoding, signature, nonce, fee, size,
// routing). Modules register their own in their types/errors.go.
var (
	// ErrInternal is returned for a failure that is a bug (a recovered panic
	// in a message handler, an unregistered error). Its log says what.
	ErrInternal = Register(CodespaceLedger, 1, "internal error")
	// ErrTxDecode: the tx bytes are garbage or not the canonical encoding.
	ErrTxDecode = Register(CodespaceLedger, 2, "tx decode failed")
	// ErrUnknownMsg: a message type no module handles.
	ErrUnknownMsg = Register(CodespaceLedger, 3, "unknown message type")
	// ErrInvalidSignature: the ed25519 signature does not verify over the
	// sign bytes with the tx's public key.
	ErrInvalidSignature = Register(CodespaceLedger, 4, "invalid signature")
	// ErrWrongChainID: the tx was signed for another chain.
	ErrWrongChainID = Register(CodespaceLedger, 5, "wrong chain id")
	// ErrNonceReplay: the tx nonce is below the account's next nonce (a
	// replayed or already-included tx).
	ErrNonceReplay = Register(CodespaceLedger, 6, "nonce already used")
	// ErrNonceFuture: the tx nonce is above the account's next nonce (a gap).
	ErrNonceFuture = Register(CodespaceLedger, 7, "nonce too high")
	// ErrInsufficientFee: the fee is below the minimum for the tx size.
	ErrInsufficientFee = Register(CodespaceLedger, 8, "insufficient fee")
	// ErrTxTooLarge: the tx exceeds max_tx_bytes.
	ErrTxTooLarge = Register(CodespaceLedger, 9, "tx too large")
	// ErrInvalidMsg: a message failed its stateless checks (ValidateBasic).
	ErrInvalidMsg = Register(CodespaceLedger, 10, "invalid message")
	// ErrTooManyMsgs: more messages than max_msgs_per_tx, or none.
	ErrTooManyMsgs = Register(CodespaceLedger, 11, "bad message count")
	// ErrFeeUnpaid: the signer's balance cannot cover the fee.
	ErrFeeUnpaid = Register(CodespaceLedger, 12, "balance cannot pay the fee")
	// ErrOverflow: an amount computation would overflow 64 bits.
	ErrOverflow = Register(CodespaceLedger, 13, "amount overflow")
)

// ABCIInfo maps an error to its result (codespace, code, log). nil is
// success (code 0). An error that wraps no registered *Error is reported
// as ErrInternal with its text as the log.
func ABCIInfo(err error) (codespace string, code uint32, log string) {
	if err == nil {
		return "", 0, ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.codespace, e.code, err.Error()
	}
	return ErrInternal.codespace, ErrInternal.code, ErrInternal.desc + ": " + err.Error()
}
