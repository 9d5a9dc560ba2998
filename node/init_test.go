package node_test

import (
	"testing"

	"github.com/cometbft/cometbft/types"

	"tangent/ledger"
	"tangent/node"
	"tangent/node/nodetest"
)

// TestGenesisEvidenceExpiresBeforeUnbonding checks that evidence of a
// validator's misbehaviour expires no later than its unbonding matures: a
// longer evidence window would let an offender unbond, wait out the
// unbonding delay and escape the slash.
func TestGenesisEvidenceExpiresBeforeUnbonding(t *testing.T) {
	home, _ := nodetest.InitHome(t, node.InitOptions{ChainID: "evidence-1"})
	doc, err := types.GenesisDocFromFile(node.Home(home).GenesisFile())
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.DecodeGenesisJSON(doc.AppState)
	if err != nil {
		t.Fatal(err)
	}
	ev := doc.ConsensusParams.Evidence
	// Evidence of height h is accepted up to block h+MaxAge+1; an
	// unbonding started in block u (whose validator still signs u+1)
	// pays out in block u+U. So h+MaxAge+1 < u+U for h = u+1.
	if ev.MaxAgeNumBlocks <= 0 || uint64(ev.MaxAgeNumBlocks)+2 > g.Staking.Params.UnbondingBlocks {
		t.Fatalf("evidence max age %d blocks, unbonding %d blocks: evidence must expire before unbonding matures",
			ev.MaxAgeNumBlocks, g.Staking.Params.UnbondingBlocks)
	}
}
