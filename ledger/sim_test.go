package ledger_test

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"

	"tangent/ledger/ledgertest"
)

var (
	simSeed   = flag.Uint64("sim.seed", 0, "run the ledger simulation with this seed only (or set TANGENT_SIM_SEED)")
	simSeeds  = flag.Int("sim.seeds", 0, "run seeds 1..N instead of the default three")
	simBlocks = flag.Int("sim.blocks", 0, "blocks per simulation run (default 300, 60 with -short)")
	simTxs    = flag.Int("sim.txs", 0, "txs per block (default 20)")
)

// seedsToRun returns the seeds to run: -sim.seed or TANGENT_SIM_SEED (one
// seed, to replay a failure), -sim.seeds=N (1..N), or 1, 2, 3.
func seedsToRun(t *testing.T) []uint64 {
	if *simSeed != 0 {
		return []uint64{*simSeed}
	}
	if env := os.Getenv("TANGENT_SIM_SEED"); env != "" {
		s, err := strconv.ParseUint(env, 10, 64)
		if err != nil {
			t.Fatalf("TANGENT_SIM_SEED=%q: want a decimal seed", env)
		}
		return []uint64{s}
	}
	n := 3
	if *simSeeds > 0 {
		n = *simSeeds
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds
}

type simRun struct {
	digest  [32]byte // the store after the last block
	results [32]byte // every result code and every validator update
	codes   map[string]int
	kinds   map[string]int
}

func runSim(t *testing.T, seed uint64, blocks int) simRun {
	t.Helper()
	sim := ledgertest.NewSim(ledgertest.SimConfig{Seed: seed, TxsPerBlock: cmp.Or(*simTxs, 20)})
	h := ledgertest.NewHarness(t, sim.Genesis())
	rh := sha256.New()
	codes := map[string]int{}
	for b := 0; b < blocks; b++ {
		hdr, txs := sim.NextBlock(h.View())
		h.Proposer = hdr.Proposer
		res, end := h.BlockWith(hdr.Misbehavior, txs...)
		for _, r := range res {
			codes[fmt.Sprintf("%s/%d", r.Codespace, r.Code)]++
			binary.Write(rh, binary.BigEndian, r.Code)
			rh.Write([]byte(r.Codespace))
			for _, e := range r.Events {
				rh.Write([]byte(e.FullType()))
				for _, a := range e.Attrs {
					rh.Write([]byte(a.Key + "=" + a.Value))
				}
			}
		}
		for _, u := range end.ValidatorUpdates {
			rh.Write(u.PubKey[:])
			binary.Write(rh, binary.BigEndian, u.Power)
		}
	}
	var out simRun
	out.digest = h.Digest()
	copy(out.results[:], rh.Sum(nil))
	out.codes, out.kinds = codes, sim.Kinds
	return out
}

// TestSimDeterminism runs each seed three times and requires the same state
// digest and the same results each time (Cosmos TestAppStateDeterminism);
// the harness checks the supply invariant after every block. Replay a seed
// with -sim.seed=N; app/ repeats the same Sim through the IAVL store.
func TestSimDeterminism(t *testing.T) {
	seeds := seedsToRun(t)
	blocks := *simBlocks
	if blocks == 0 {
		blocks = 300
		if testing.Short() {
			blocks = 60
		}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Logf("simulation seed %d, %d blocks (replay: go test ./ledger -run TestSimDeterminism -v -sim.seed=%d, or TANGENT_SIM_SEED=%d)", seed, blocks, seed, seed)
			first := runSim(t, seed, blocks)
			for run := 2; run <= 3; run++ {
				again := runSim(t, seed, blocks)
				if again.digest != first.digest {
					t.Fatalf("seed %d run %d: state digest %x, first run %x (replay with -sim.seed=%d)", seed, run, again.digest, first.digest, seed)
				}
				if again.results != first.results {
					t.Fatalf("seed %d run %d: results differ from the first run (replay with -sim.seed=%d)", seed, run, seed)
				}
			}
			t.Logf("state digest %x", first.digest)
			var cs []string
			for c, n := range first.codes {
				cs = append(cs, fmt.Sprintf("%s:%d", c, n))
			}
			sort.Strings(cs)
			t.Logf("result codes %v", cs)
			// The run must exercise success and every rejection path.
			for _, want := range []string{"/0", "ledger/2", "ledger/3", "ledger/4", "ledger/5", "ledger/6", "ledger/7", "ledger/8", "ledger/9", "ledger/11", "bank/2", "bank/3"} {
				if first.codes[want] == 0 && blocks >= 60 {
					t.Errorf("seed %d: no tx ended with code %s; the simulation should cover it", seed, want)
				}
			}
		})
	}
}

// TestSimSeedsDiffer guards against a simulation that ignores its seed.
func TestSimSeedsDiffer(t *testing.T) {
	a, b := runSim(t, 11, 5), runSim(t, 12, 5)
	if a.digest == b.digest {
		t.Fatal("two seeds gave the same state")
	}
}
