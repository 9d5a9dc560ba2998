package ledger

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"tangent/ledger/chain"
	"tangent/ledger/state"
	"tangent/ledger/tx"
	banktypes "tangent/ledger/x/bank/types"
)

func TestSmoke(t *testing.T) {
	seed := sha256.Sum256([]byte("a"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	var pk chain.PubKey
	copy(pk[:], priv.Public().(ed25519.PublicKey))
	addr := pk.Address()
	g := SingleValidatorGenesis("test-1", addr, pk, 1_000_000_000, 10_000_000)
	kv := state.NewMem()
	l := New(kv, Options{})
	ups, err := l.InitChain(g)
	if err != nil || len(ups) != 1 {
		t.Fatal(err, ups)
	}
	l.Commit(nil)
	to := chain.Address{1}
	x := &tx.Tx{ChainID: "test-1", Nonce: 0, Fee: 10000, Msgs: []chain.Msg{&banktypes.MsgSend{To: to, Amount: 5}}}
	x.Sign(priv)
	b := x.Encode()
	if r := l.CheckTx(b, CheckNew); !r.IsOK() {
		t.Fatal(r.Log)
	}
	l.BeginBlock(chain.Header{Height: 1, Proposer: addr})
	r := l.DeliverTx(b)
	if !r.IsOK() {
		t.Fatal(r.Log)
	}
	t.Log(r.Events)
	end := l.EndBlock()
	t.Log(end.Events)
	if err := l.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	v := NewView(kv)
	if v.Balance(to) != 5 || v.Nonce(addr) != 1 || v.Balance(addr) != 1_000_000_000-5 {
		t.Fatal(v.Balance(to), v.Nonce(addr), v.Balance(addr))
	}
	ge, _ := g.EncodeJSON()
	t.Log(string(ge))
}
