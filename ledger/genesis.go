package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"tangent/ledger/chain"
	"tangent/ledger/tx"
	authtypes "tangent/ledger/x/auth/types"
	banktypes "tangent/ledger/x/bank/types"
	stakingtypes "tangent/ledger/x/staking/types"
)

// Genesis is the ledger's initial state: the chain id, every module's
// section (parameters included — chain parameters live here and in state,
// not in node config). Its canonical form is the JSON EncodeJSON writes:
// fixed field order, entries sorted by address, amounts as decimal strings.
type Genesis struct {
	ChainID string                    `json:"chain_id"`
	Auth    authtypes.GenesisState    `json:"auth"`
	Bank    banktypes.GenesisState    `json:"bank"`
	Staking stakingtypes.GenesisState `json:"staking"`
}

// DefaultGenesis has default parameters and no accounts (not valid until it
// has a validator).
func DefaultGenesis(chainID string) Genesis {
	return Genesis{
		ChainID: chainID,
		Auth:    authtypes.DefaultGenesis(),
		Bank:    banktypes.GenesisState{Balances: []banktypes.Balance{}},
		Staking: stakingtypes.DefaultGenesis(),
	}
}

// SingleValidatorGenesis is the genesis `tangent init` writes: one account
// that holds balance utgt and bonds stake utgt as the validator whose
// consensus key is consKey.
func SingleValidatorGenesis(chainID string, operator chain.Address, consKey chain.PubKey, balance, stake uint64) Genesis {
	g := DefaultGenesis(chainID)
	if balance > 0 {
		g.Bank.Balances = append(g.Bank.Balances, banktypes.Balance{Address: operator, Amount: balance})
	}
	g.Staking.Stakes = append(g.Staking.Stakes, stakingtypes.GenesisStake{
		Address: operator, Role: stakingtypes.RoleValidator, Amount: stake, ConsPubKey: &consKey,
	})
	return g
}

// Normalize puts the genesis in canonical order.
func (g *Genesis) Normalize() {
	if g.Bank.Balances == nil {
		g.Bank.Balances = []banktypes.Balance{}
	}
	if g.Staking.Stakes == nil {
		g.Staking.Stakes = []stakingtypes.GenesisStake{}
	}
	g.Bank.Normalize()
	g.Staking.Normalize()
}

// Supply is the total supply the genesis creates (balances plus stakes).
func (g Genesis) Supply() (uint64, error) {
	var s uint64
	var err error
	for _, b := range g.Bank.Balances {
		if s, err = chain.SafeAdd(s, b.Amount); err != nil {
			return 0, err
		}
	}
	for _, st := range g.Staking.Stakes {
		if s, err = chain.SafeAdd(s, st.Amount); err != nil {
			return 0, err
		}
	}
	return s, nil
}

// ValidateBasic checks the genesis without state; the error names the field
// and the fix. Every section's problems are reported together.
func (g Genesis) ValidateBasic() error {
	var errs []error
	if !tx.ValidChainID(g.ChainID) {
		errs = append(errs, fmt.Errorf("chain_id %q: use 1-%d characters of [a-zA-Z0-9._-]", g.ChainID, tx.MaxChainIDLen))
	}
	if err := g.Auth.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := g.Bank.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := g.Staking.Validate(); err != nil {
		errs = append(errs, err)
	}
	if supply, err := g.Supply(); err != nil {
		errs = append(errs, errors.New("the total supply (balances + stakes) overflows 64 bits"))
	} else if pr := g.Staking.Params.PowerReduction; pr > 0 && supply/pr > stakingtypes.MaxTotalPower {
		// CometBFT halts on a validator set whose total power exceeds
		// MaxTotalVotingPower; bounding supply/power_reduction makes that
		// impossible whatever is bonded later.
		errs = append(errs, fmt.Errorf("staking.params.power_reduction %d is too small for a total supply of %d utgt: the voting power could exceed CometBFT's limit %d; raise power_reduction to at least %d",
			pr, supply, uint64(stakingtypes.MaxTotalPower), supply/stakingtypes.MaxTotalPower+1))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid genesis: %w", errors.Join(errs...))
	}
	return nil
}

// EncodeJSON returns the canonical JSON of g (normalized, indented by two
// spaces, ending in a newline).
func (g Genesis) EncodeJSON() ([]byte, error) {
	c := g.clone()
	c.Normalize()
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func (g Genesis) clone() Genesis {
	c := g
	c.Bank.Balances = append([]banktypes.Balance(nil), g.Bank.Balances...)
	c.Staking.Stakes = append([]stakingtypes.GenesisStake(nil), g.Staking.Stakes...)
	return c
}

// DecodeGenesisJSON parses genesis JSON strictly: unknown fields, trailing
// data and malformed values are errors. It does not validate; call
// ValidateBasic.
func DecodeGenesisJSON(b []byte) (Genesis, error) {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		off := dec.InputOffset()
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = se.Offset
		case errors.As(err, &te):
			off = te.Offset
		}
		return Genesis{}, fmt.Errorf("genesis JSON near %s: %w", position(b, off), err)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return Genesis{}, errors.New("genesis JSON: trailing data after the object")
	}
	g.Normalize()
	return g, nil
}

// position renders a byte offset of b as "line L, column C" (1-based).
func position(b []byte, off int64) string {
	off = min(max(off, 0), int64(len(b)))
	line := 1 + bytes.Count(b[:off], []byte{'\n'})
	col := off - int64(bytes.LastIndexByte(b[:off], '\n'))
	return fmt.Sprintf("line %d, column %d", line, col)
}
