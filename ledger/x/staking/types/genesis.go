package types

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"tangent/ledger/chain"
)

// GenesisStake is a stake bonded at genesis. Validator stakes name the
// consensus key; others must not.
type GenesisStake struct {
	Address    chain.Address `json:"address"`
	Role       Role          `json:"role"`
	Amount     uint64        `json:"amount,string"`
	ConsPubKey *chain.PubKey `json:"cons_pubkey,omitempty"`
}

// GenesisState is x/staking's part of the genesis. Genesis stakes add to
// the total supply (they are not taken from genesis balances).
type GenesisState struct {
	Params Params         `json:"params"`
	Stakes []GenesisStake `json:"stakes"`
}

// DefaultGenesis has default params and no stakes.
func DefaultGenesis() GenesisState {
	return GenesisState{Params: DefaultParams(), Stakes: []GenesisStake{}}
}

// Normalize sorts stakes by (address, role), the canonical order.
func (g *GenesisState) Normalize() {
	slices.SortFunc(g.Stakes, func(a, b GenesisStake) int {
		if c := bytes.Compare(a.Address[:], b.Address[:]); c != 0 {
			return c
		}
		return int(a.Role) - int(b.Role)
	})
}

// Validate checks the section. A chain needs at least one validator with
// voting power.
func (g GenesisState) Validate() error {
	if err := g.Params.Validate(); err != nil {
		return fmt.Errorf("staking.params: %w", err)
	}
	type key struct {
		a chain.Address
		r Role
	}
	seen := map[key]bool{}
	cons := map[chain.PubKey]chain.Address{}
	var sum uint64
	var powered int
	for i, s := range g.Stakes {
		where := fmt.Sprintf("staking.stakes[%d] (%s)", i, s.Address)
		if !s.Role.Valid() {
			return fmt.Errorf("%s: invalid role", where)
		}
		if s.Address.IsZero() {
			return fmt.Errorf("staking.stakes[%d]: the zero address cannot stake", i)
		}
		if s.Amount == 0 {
			return fmt.Errorf("%s: amount is 0", where)
		}
		if seen[key{s.Address, s.Role}] {
			return fmt.Errorf("%s: %s stake listed twice; merge the entries", where, s.Role)
		}
		seen[key{s.Address, s.Role}] = true
		if s.Role == RoleValidator {
			if s.ConsPubKey == nil {
				return fmt.Errorf("%s: a validator stake needs cons_pubkey (the node's ed25519 consensus key, hex)", where)
			}
			if prev, dup := cons[*s.ConsPubKey]; dup {
				return fmt.Errorf("%s: cons_pubkey already used by %s", where, prev)
			}
			cons[*s.ConsPubKey] = s.Address
			if s.Amount < g.Params.MinValidatorStake {
				return fmt.Errorf("%s: validator stake %d is below min_validator_stake %d", where, s.Amount, g.Params.MinValidatorStake)
			}
			powered++
		} else if s.ConsPubKey != nil {
			return fmt.Errorf("%s: cons_pubkey is only for validator stakes", where)
		}
		var err error
		if sum, err = chain.SafeAdd(sum, s.Amount); err != nil {
			return errors.New("staking.stakes: the sum of stakes overflows 64 bits")
		}
	}
	if powered == 0 {
		return errors.New("staking.stakes: no validator stake; a chain needs at least one validator (role validator, with cons_pubkey)")
	}
	return nil
}
