package types

import (
	"errors"
	"fmt"

	"tangent/ledger/codec"
	"tangent/ledger/collections"
)

// ModuleName is the module's name and event module.
const ModuleName = "auth"

// Key prefixes (see ../README.md, "State").
var (
	// AccountPrefix + address(20) → Account (see AccountValue). An account
	// with nonce 0 and balance 0 is absent.
	AccountPrefix = []byte("auth/account/")
	// ParamsKey → Params (binary, see ParamsValue).
	ParamsKey = []byte("auth/params")
)

// Params bound transactions and price them.
type Params struct {
	// MaxTxBytes is the largest tx accepted, in bytes.
	MaxTxBytes uint64 `json:"max_tx_bytes,string"`
	// MaxMsgsPerTx is the largest number of messages in one tx.
	MaxMsgsPerTx uint64 `json:"max_msgs_per_tx,string"`
	// MinFee is the fee every tx pays at least, in utgt.
	MinFee uint64 `json:"min_fee,string"`
	// FeePerByte is added to MinFee for each byte of the tx, in utgt.
	FeePerByte uint64 `json:"fee_per_byte,string"`
}

// DefaultParams are the parameters `tangent init` writes.
func DefaultParams() Params {
	return Params{MaxTxBytes: 64 << 10, MaxMsgsPerTx: 16, MinFee: 1000, FeePerByte: 10}
}

// HardMaxTxBytes mirrors the decoder's absolute limit (tx.HardMaxBytes).
const HardMaxTxBytes = 1 << 20

// HardMaxMsgs mirrors tx.MaxMsgs.
const HardMaxMsgs = 64

// Validate checks the parameters.
func (p Params) Validate() error {
	var errs []error
	if p.MaxTxBytes < 256 || p.MaxTxBytes > HardMaxTxBytes {
		errs = append(errs, fmt.Errorf("max_tx_bytes is %d; it must be between 256 and %d", p.MaxTxBytes, HardMaxTxBytes))
	}
	if p.MaxMsgsPerTx < 1 || p.MaxMsgsPerTx > HardMaxMsgs {
		errs = append(errs, fmt.Errorf("max_msgs_per_tx is %d; it must be between 1 and %d", p.MaxMsgsPerTx, HardMaxMsgs))
	}
	if p.FeePerByte > 1<<32 {
		errs = append(errs, fmt.Errorf("fee_per_byte is %d; at most %d", p.FeePerByte, uint64(1)<<32))
	}
	if p.MinFee > 1<<62 {
		errs = append(errs, fmt.Errorf("min_fee is %d; at most %d", p.MinFee, uint64(1)<<62))
	}
	return errors.Join(errs...)
}

// MinFeeFor is the smallest fee a tx of size bytes must pay:
// MinFee + FeePerByte × size. (Validate bounds both so this cannot overflow
// for sizes up to HardMaxTxBytes.)
func (p Params) MinFeeFor(size int) uint64 {
	return p.MinFee + p.FeePerByte*uint64(size)
}

// Account is what the ledger keeps per address: the nonce its next tx
// must carry, and its balance in utgt. The balance is x/bank's (x/bank
// reads and writes it through the Keeper); it lives in the same record so
// that a transfer rewrites one record per party, not one per field, in the
// Merkle tree.
type Account struct {
	Nonce   uint64
	Balance uint64
}

type accountValue struct{}

// AccountValue is the canonical binary codec of an Account in state:
// uvarint nonce ‖ uvarint balance.
var AccountValue collections.ValueCodec[Account] = accountValue{}

func (accountValue) AppendValue(dst []byte, a Account) []byte {
	return codec.AppendUvarint(codec.AppendUvarint(dst, a.Nonce), a.Balance)
}

func (accountValue) DecodeValue(b []byte) (Account, error) {
	r := codec.NewReader(b)
	a := Account{Nonce: r.Uvarint("nonce"), Balance: r.Uvarint("balance")}
	return a, r.Done()
}

type paramsValue struct{}

// ParamsValue is the canonical binary codec of Params in state.
var ParamsValue collections.ValueCodec[Params] = paramsValue{}

func (paramsValue) AppendValue(dst []byte, p Params) []byte {
	dst = codec.AppendUvarint(dst, p.MaxTxBytes)
	dst = codec.AppendUvarint(dst, p.MaxMsgsPerTx)
	dst = codec.AppendUvarint(dst, p.MinFee)
	return codec.AppendUvarint(dst, p.FeePerByte)
}

func (paramsValue) DecodeValue(b []byte) (Params, error) {
	r := codec.NewReader(b)
	p := Params{
		MaxTxBytes:   r.Uvarint("max_tx_bytes"),
		MaxMsgsPerTx: r.Uvarint("max_msgs_per_tx"),
		MinFee:       r.Uvarint("min_fee"),
		FeePerByte:   r.Uvarint("fee_per_byte"),
	}
	return p, r.Done()
}

// GenesisState is x/auth's part of the genesis.
type GenesisState struct {
	Params Params `json:"params"`
}

// DefaultGenesis returns default params.
func DefaultGenesis() GenesisState { return GenesisState{Params: DefaultParams()} }

// Validate checks the genesis section.
func (g GenesisState) Validate() error {
	if err := g.Params.Validate(); err != nil {
		return fmt.Errorf("auth.params: %w", err)
	}
	return nil
}
