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
	if ev.MaxAgeNumBlocks <= 0 || uint64(ev.MaxAgeNumBlocks) > g.Staking.Params.UnbondingBlocks {
		t.Fatalf("evidence max age %d blocks, unbonding %d blocks: evidence must expire no later than unbonding matures",
			ev.MaxAgeNumBlocks, g.Staking.Params.UnbondingBlocks)
	}
}
