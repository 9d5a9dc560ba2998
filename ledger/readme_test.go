package ledger_test

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"tangent/ledger"
	"tangent/ledger/chain"
	authtypes "tangent/ledger/x/auth/types"
	banktypes "tangent/ledger/x/bank/types"
	stakingtypes "tangent/ledger/x/staking/types"
)

// TestReadmesListState keeps each module README's "State" section in step
// with the code: every key prefix appears with its hex bytes, and every
// registered code of the module appears in its table.
func TestReadmesListState(t *testing.T) {
	for readme, prefixes := range map[string][][]byte{
		"README.md":        {ledger.ChainIDKey},
		"x/auth/README.md": {authtypes.AccountPrefix, authtypes.ParamsKey},
		"x/bank/README.md": {banktypes.SupplyKey},
		"x/staking/README.md": {stakingtypes.StakePrefix, stakingtypes.ValidatorPrefix, stakingtypes.ConsIndexPrefix,
			stakingtypes.PowerPrefix, stakingtypes.UnbondingPrefix, stakingtypes.QueuePrefix, stakingtypes.EscrowPrefix,
			stakingtypes.NextUnbondingIDKey, stakingtypes.TotalBondedKey, stakingtypes.TotalUnbondingKey,
			stakingtypes.TotalEscrowKey, stakingtypes.ParamsKey},
	} {
		b, err := os.ReadFile(readme)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(b)
		if !strings.Contains(doc, "## State") {
			t.Errorf("%s has no State section", readme)
		}
		for _, p := range prefixes {
			if !strings.Contains(doc, "`"+string(p)+"`") || !strings.Contains(doc, "`"+hex.EncodeToString(p)+"`") {
				t.Errorf("%s does not list key prefix %q (%x)", readme, p, p)
			}
		}
	}
	for _, e := range chain.Registered() {
		readme := map[string]string{"ledger": "x/auth/README.md", "bank": "x/bank/README.md", "staking": "x/staking/README.md"}[e.Codespace()]
		if readme == "" {
			continue
		}
		b, _ := os.ReadFile(readme)
		if !strings.Contains(string(b), "| "+chain.U64(uint64(e.Code()))+" | "+e.Error()+" |") {
			t.Errorf("%s does not list code %s/%d %q", readme, e.Codespace(), e.Code(), e.Error())
		}
	}
}
