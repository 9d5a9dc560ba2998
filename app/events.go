package app

import (
	"bytes"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"

	"tangent/ledger"
	"tangent/ledger/chain"
)

// eventConverter turns ledger events into ABCI events: type
// Module+"."+Type ("bank.transfer"), one attribute per ledger attribute, and
// for block events a "mode" attribute (BeginBlock or EndBlock) as the Cosmos
// SDK does. Attributes of one block share slab allocations.
//
// With Options.IndexEvents, attributes whose value is an account address
// ("tgt1…") are marked for CometBFT's kv indexer, so tx_search finds every
// tx that touched an address (e.g. "bank.transfer.to='tgt1…'") without
// indexing amounts, nonces and fees; by default none is. Subscribers
// receive every attribute either way.
type eventConverter struct {
	index bool
	slab  []abci.EventAttribute
}

func newEventConverter(index bool) *eventConverter { return &eventConverter{index: index} }

func (c *eventConverter) attrs(n int) []abci.EventAttribute {
	if len(c.slab) < n {
		c.slab = make([]abci.EventAttribute, max(n, 1024))
	}
	out := c.slab[:n:n]
	c.slab = c.slab[n:]
	return out
}

func (c *eventConverter) appendEvents(dst []abci.Event, evs []chain.Event, mode string) []abci.Event {
	if dst == nil && len(evs) > 0 {
		dst = make([]abci.Event, 0, len(evs))
	}
	for _, e := range evs {
		n := len(e.Attrs)
		if mode != "" {
			n++
		}
		as := c.attrs(n)
		for i, a := range e.Attrs {
			as[i] = abci.EventAttribute{Key: a.Key, Value: a.Value, Index: c.index && strings.HasPrefix(a.Value, chain.HRP+"1")}
		}
		if mode != "" {
			as[n-1] = abci.EventAttribute{Key: "mode", Value: mode}
		}
		dst = append(dst, abci.Event{Type: e.FullType(), Attributes: as})
	}
	return dst
}

// validatorUpdates converts the ledger's validator-set changes.
func validatorUpdates(ups []ledger.ValidatorUpdate) []abci.ValidatorUpdate {
	if len(ups) == 0 {
		return nil
	}
	out := make([]abci.ValidatorUpdate, len(ups))
	for i, u := range ups {
		out[i] = abci.ValidatorUpdate{Power: u.Power, PubKeyType: "ed25519", PubKeyBytes: append([]byte(nil), u.PubKey[:]...)}
	}
	return out
}

// sameValidators checks that the validators of genesis.json (CometBFT's
// list, if any) are the ones the app's staking genesis bonds.
func sameValidators(comet, app []abci.ValidatorUpdate) error {
	if len(comet) == 0 {
		return nil
	}
	find := func(list []abci.ValidatorUpdate, v abci.ValidatorUpdate) (abci.ValidatorUpdate, bool) {
		for _, w := range list {
			if bytes.Equal(w.PubKeyBytes, v.PubKeyBytes) {
				return w, true
			}
		}
		return abci.ValidatorUpdate{}, false
	}
	for _, v := range comet {
		w, ok := find(app, v)
		if !ok {
			return fmt.Errorf("genesis.json: validator %X is in \"validators\" but has no validator stake in app_state.staking; add the stake or remove the validator", v.PubKeyBytes)
		}
		if w.Power != v.Power {
			return fmt.Errorf("genesis.json: validator %X has power %d in \"validators\" but its stake gives power %d; make them equal (or leave \"validators\" empty)", v.PubKeyBytes, v.Power, w.Power)
		}
	}
	if len(app) != len(comet) {
		return fmt.Errorf("genesis.json: %d validators in \"validators\" but %d validator stakes in app_state.staking", len(comet), len(app))
	}
	return nil
}
