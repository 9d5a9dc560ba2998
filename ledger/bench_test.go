package ledger_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"testing"

	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/ledgertest"
	"tangent/ledger/state"
	"tangent/ledger/tx"
	banktypes "tangent/ledger/x/bank/types"
	stakingtypes "tangent/ledger/x/staking/types"
)

const benchAccounts = 1000

// benchChain is a ledger over a Mem with benchAccounts funded senders, and
// n signed transfers among them, nonces in order.
func benchChain(b *testing.B, n int, opts ledger.Options) (*ledger.Ledger, *state.Mem, [][]byte) {
	b.Helper()
	keys := make([]ledgertest.Key, benchAccounts)
	g := ledger.DefaultGenesis("bench-1")
	for i := range keys {
		keys[i] = ledgertest.NewKey(fmt.Sprintf("bench/%d", i))
		g.Bank.Balances = append(g.Bank.Balances, banktypes.Balance{Address: keys[i].Addr, Amount: 1 << 40})
	}
	vc := ledgertest.NewKey("bench/cons").Pub
	g.Staking.Stakes = append(g.Staking.Stakes, stakingtypes.GenesisStake{Address: keys[0].Addr, Role: stakingtypes.RoleValidator, Amount: 10_000_000, ConsPubKey: &vc})
	g.Normalize()
	mem := state.NewMem()
	l := ledger.New(mem, opts)
	if _, err := l.InitChain(g); err != nil {
		b.Fatal(err)
	}
	l.Commit(nil)
	txs := make([][]byte, n)
	for i := range txs {
		from, to := keys[i%benchAccounts], keys[(i*7+1)%benchAccounts]
		txs[i] = from.TxMinFee("bench-1", uint64(i/benchAccounts), g.Auth.Params, &banktypes.MsgSend{To: to.Addr, Amount: 1 + uint64(i%1000)})
	}
	return l, mem, txs
}

// BenchmarkDeliverTransfer measures the ledger's part of executing a signed
// transfer in FinalizeBlock: decode, fee, nonce, message, events and the
// block's flush in key order (blocks of 1000 txs). "verified" is the
// normal case (CheckTx or ProcessProposal already decoded the tx and
// verified its signature, so DeliverTx finds it in the tx cache);
// "unverified" includes a decode and one ed25519 verification per tx (a
// block caught up from peers, verified one by one).
func BenchmarkDeliverTransfer(b *testing.B) {
	for _, verified := range []bool{true, false} {
		name := "unverified"
		opts := ledger.Options{TxCacheSize: -1}
		if verified {
			name, opts = "verified", ledger.Options{}
		}
		b.Run(name, func(b *testing.B) {
			l, _, txs := benchChain(b, b.N, opts)
			if verified {
				for _, t := range txs {
					if err := l.PreVerify(t); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			h := int64(0)
			for i := 0; i < len(txs); {
				h++
				l.BeginBlock(chain.Header{Height: h, TimeUnixNano: h * 1e9})
				for end := min(i+1000, len(txs)); i < end; i++ {
					if r := l.DeliverTx(txs[i]); !r.IsOK() {
						b.Fatalf("tx %d: %s", i, r.Log)
					}
				}
				l.EndBlock()
				l.Commit(nil)
			}
		})
	}
}

// BenchmarkCheckTx measures admitting a signed transfer to the mempool,
// with the signature verified in the call (a new tx) or found in the cache
// (PreVerify ran first, as the app does outside its lock).
func BenchmarkCheckTx(b *testing.B) {
	for _, verified := range []bool{true, false} {
		name := "unverified"
		if verified {
			name = "verified"
		}
		b.Run(name, func(b *testing.B) {
			l, _, txs := benchChain(b, b.N, ledger.Options{})
			if verified {
				for _, t := range txs {
					if err := l.PreVerify(t); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i, t := range txs {
				if r := l.CheckTx(t, ledger.CheckNew); !r.IsOK() {
					b.Fatalf("tx %d: %s", i, r.Log)
				}
			}
		})
	}
}

// BenchmarkEd25519Verify is the yardstick for the numbers above: one
// signature verification on this machine (the "unverified" variants pay it
// once per tx, the "verified" ones not at all), by the ledger's rule
// (ZIP-215) and by Go's crypto/ed25519 for comparison.
func BenchmarkEd25519Verify(b *testing.B) {
	k := ledgertest.NewKey("bench/verify")
	t := &tx.Tx{ChainID: "bench-1", Msgs: []chain.Msg{&banktypes.MsgSend{To: chain.Address{1}, Amount: 1}}}
	t.Sign(k.Priv)
	raw := t.Encode()
	b.Run("zip215", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !tx.VerifyBytes(raw, k.Pub) {
				b.Fatal("does not verify")
			}
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		msg, sig := tx.SignBytesOf(raw), tx.SigOf(raw)
		for b.Loop() {
			if !ed25519.Verify(k.Pub[:], msg, sig) {
				b.Fatal("does not verify")
			}
		}
	})
}

// BenchmarkVerifyBatch measures VerifyBatch per signature for batch sizes
// CheckTx (a few to a few dozen concurrent requests) and a block (large
// batches, split among the cores) see, with each signer's expanded key
// cached (small batches) or not needed (Pippenger, from
// tx.PippengerThreshold on).
func BenchmarkVerifyBatch(b *testing.B) {
	for _, n := range []int{1, 8, 16, 32, 64, 93, 128, 256, 1024} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			l, _, txs := benchChain(b, max(n, benchAccounts), ledger.Options{})
			txs = txs[:n]
			// Warm the key cache as a running node has it warm.
			for _, t := range txs {
				if _, err := l.Prepare(t); err != nil {
					b.Fatal(err)
				}
			}
			l.VerifyBatch(prepared(b, l, txs), rand.Reader)
			// Without a tx cache, each Prepare is a fresh decode: nothing
			// verified yet.
			fresh := ledger.New(state.NewMem(), ledger.Options{TxCacheSize: -1})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ps := prepared(b, fresh, txs)
				b.StartTimer()
				for _, ok := range l.VerifyBatch(ps, rand.Reader) {
					if !ok {
						b.Fatal("invalid")
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n)/1000, "µs/sig")
		})
	}
}

func prepared(b *testing.B, l *ledger.Ledger, txs [][]byte) []*ledger.Prepared {
	ps := make([]*ledger.Prepared, len(txs))
	for i, t := range txs {
		p, err := l.Prepare(t)
		if err != nil {
			b.Fatal(err)
		}
		ps[i] = p
	}
	return ps
}
