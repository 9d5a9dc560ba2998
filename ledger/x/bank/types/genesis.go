package types

import (
	"bytes"
	"fmt"
	"slices"

	"tangent/ledger/chain"
)

// Balance is one account's genesis balance.
type Balance struct {
	Address chain.Address `json:"address"`
	Amount  uint64        `json:"amount,string"`
}

// GenesisState is x/bank's part of the genesis. The total supply is not
// listed: the ledger computes it from balances and stakes.
type GenesisState struct {
	Balances []Balance `json:"balances"`
}

// Normalize sorts balances by address (the canonical order).
func (g *GenesisState) Normalize() {
	slices.SortFunc(g.Balances, func(a, b Balance) int { return bytes.Compare(a.Address[:], b.Address[:]) })
}

// Validate checks the section: positive amounts, no repeated address, no
// overflow of the sum.
func (g GenesisState) Validate() error {
	seen := make(map[chain.Address]bool, len(g.Balances))
	var sum uint64
	for i, b := range g.Balances {
		if b.Amount == 0 {
			return fmt.Errorf("bank.balances[%d] (%s): amount is 0; drop the entry or give it a positive amount", i, b.Address)
		}
		if b.Address.IsZero() {
			return fmt.Errorf("bank.balances[%d]: the zero address cannot hold a balance", i)
		}
		if seen[b.Address] {
			return fmt.Errorf("bank.balances[%d]: address %s is listed twice; merge the entries", i, b.Address)
		}
		seen[b.Address] = true
		var err error
		if sum, err = chain.SafeAdd(sum, b.Amount); err != nil {
			return fmt.Errorf("bank.balances: the sum of balances overflows 64 bits")
		}
	}
	return nil
}
