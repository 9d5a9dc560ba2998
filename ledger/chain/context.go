package chain

import "tangent/ledger/state"

// Mode says why the ledger is executing.
type Mode uint8

const (
	// ModeDeliver executes a block tx (FinalizeBlock).
	ModeDeliver Mode = iota
	// ModeCheck admits a tx to the mempool against the check state.
	ModeCheck
	// ModeGenesis writes the genesis state (InitChain).
	ModeGenesis
)

func (m Mode) String() string {
	switch m {
	case ModeDeliver:
		return "deliver"
	case ModeCheck:
		return "check"
	case ModeGenesis:
		return "genesis"
	}
	return "unknown"
}

// Header is what the ledger learns about the block being executed. It is
// the ledger's only source of time: modules read Height (deadlines and
// delays are counted in blocks) and TimeUnixNano (the BFT time of the block),
// never a clock.
type Header struct {
	Height       int64
	TimeUnixNano int64
	// Proposer is the consensus address of the block proposer (CometBFT's
	// ProposerAddress: SHA-256(consensus pubkey)[:20]).
	Proposer Address
	// Misbehavior is the evidence of validator misbehavior the block
	// carries (CometBFT's FinalizeBlock misbehavior list).
	Misbehavior []Misbehavior
}

// MisbehaviorKind is the type of validator misbehavior.
type MisbehaviorKind uint8

const (
	// DuplicateVote: the validator signed two conflicting votes.
	DuplicateVote MisbehaviorKind = 1
	// LightClientAttack: the validator signed a conflicting header.
	LightClientAttack MisbehaviorKind = 2
)

// Misbehavior is one piece of evidence against a validator.
type Misbehavior struct {
	Kind MisbehaviorKind
	// Validator is the consensus address of the offender.
	Validator Address
	// Height at which the offense happened.
	Height int64
}

// Context carries everything a keeper may touch while handling a message or
// a block hook: the state to read and write, the block header, and the event
// list. It is created by the ledger; keepers never keep it.
type Context struct {
	// KV is the state to read and write. For a message it is a cache that
	// the ledger discards if the message fails.
	KV      state.KV
	Header  Header
	ChainID string
	Mode    Mode
	// Events collects the events of the current tx or block hook. The
	// ledger truncates it when a message fails.
	Events []Event
	// NoEvents makes Emit drop events: set for a mempool checker whose
	// caller has no use for them (ledger.Checker.DropEvents).
	NoEvents bool
}

// Emit records an event, unless NoEvents is set.
func (c *Context) Emit(e Event) {
	if !c.NoEvents {
		c.Events = append(c.Events, e)
	}
}

// Recording reports whether Emit keeps events, so that a hot path can skip
// building one (its attributes format addresses) when it would be dropped.
func (c *Context) Recording() bool { return !c.NoEvents }

// Msg is a transaction message. Each module declares its messages in its
// types/msgs.go and registers a decoder for each type name; the ledger routes
// a message to its module by type name. Messages carry no signer: the
// signer of a tx is the account of its public key, and the handler receives
// it.
type Msg interface {
	// Type is the registered type name, "module/name" (e.g. "bank/send").
	Type() string
	// AppendBody appends the canonical encoding of the message body.
	AppendBody(dst []byte) []byte
	// ValidateBasic checks the message without state. Errors wrap a
	// registered *Error (usually the module's or ErrInvalidMsg).
	ValidateBasic() error
}

// MsgDecoder decodes a message body. It must accept only canonical
// encodings: AppendBody of the result must equal body. body aliases the tx
// bytes; the decoder copies what it keeps.
type MsgDecoder func(body []byte) (Msg, error)
