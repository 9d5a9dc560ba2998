package tx_test

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/ledgertest"
	"tangent/ledger/tx"
	authtypes "tangent/ledger/x/auth/types"
	banktypes "tangent/ledger/x/bank/types"
	stakingtypes "tangent/ledger/x/staking/types"
)

var reg = ledger.TxRegistry()

// validatorBond is a validator's first bond naming cons as its consensus
// key, with the key's proof.
func validatorBond(chainID string, operator chain.Address, cons ledgertest.Key) *stakingtypes.MsgBond {
	m := &stakingtypes.MsgBond{Role: stakingtypes.RoleValidator, Amount: 1_000_000}
	m.ProveConsKey(chainID, operator, cons.Priv)
	return m
}

// sampleTxs are valid txs of every message type (the fuzz seed corpus).
func sampleTxs() [][]byte {
	a, b := ledgertest.NewKey("a"), ledgertest.NewKey("b")
	p := authtypes.DefaultParams()
	return [][]byte{
		a.TxMinFee("tangent-1", 0, p, &banktypes.MsgSend{To: b.Addr, Amount: 1}),
		a.TxMinFee("c", math.MaxUint64, p, &banktypes.MsgSend{To: b.Addr, Amount: math.MaxUint64}),
		b.TxMinFee("tangent-1", 7, p, validatorBond("tangent-1", b.Addr, a)),
		b.TxMinFee("tangent-1", 8, p, &stakingtypes.MsgBond{Role: stakingtypes.RoleTrainer, Amount: 5}),
		b.TxMinFee("tangent-1", 9, p, &stakingtypes.MsgUnbond{Role: stakingtypes.RoleStorage, Amount: 300}),
		a.Tx("x.y_z-1", 1, 0,
			&banktypes.MsgSend{To: b.Addr, Amount: 2},
			&stakingtypes.MsgBond{Role: stakingtypes.RoleSolver, Amount: 3},
			&stakingtypes.MsgUnbond{Role: stakingtypes.RoleSolver, Amount: 1}),
	}
}

func TestRoundTrip(t *testing.T) {
	for i, b := range sampleTxs() {
		got, err := reg.Decode(b)
		if err != nil {
			t.Fatalf("tx %d: %v", i, err)
		}
		if !bytes.Equal(got.Encode(), b) || got.Size() != len(b) {
			t.Fatalf("tx %d: re-encoding differs", i)
		}
		if !got.VerifySignature() || !tx.VerifyBytes(b, got.PubKey) {
			t.Fatalf("tx %d: signature does not verify", i)
		}
		if tx.Hash(b) == tx.Hash(append(bytes.Clone(b), 0)) {
			t.Fatal("hash ignores bytes")
		}
	}
}

// TestSignBytes: the signature covers the domain, the chain id, the nonce,
// the fee and the messages: changing any of them breaks it.
func TestSignBytes(t *testing.T) {
	k := ledgertest.NewKey("k")
	base := func() *tx.Tx {
		t := &tx.Tx{ChainID: "tangent-1", Nonce: 3, Fee: 5000, Msgs: []chain.Msg{&banktypes.MsgSend{To: chain.Address{1}, Amount: 9}}}
		t.Sign(k.Priv)
		return t
	}
	sb := base().SignBytes()
	if !bytes.HasPrefix(sb, []byte(tx.SignDomain)) || !bytes.Contains(sb, []byte("tangent-1")) {
		t.Fatalf("sign bytes %q lack the domain or the chain id", sb)
	}
	for name, edit := range map[string]func(*tx.Tx){
		"chain id": func(t *tx.Tx) { t.ChainID = "tangent-2" },
		"nonce":    func(t *tx.Tx) { t.Nonce++ },
		"fee":      func(t *tx.Tx) { t.Fee-- },
		"amount":   func(t *tx.Tx) { t.Msgs[0].(*banktypes.MsgSend).Amount++ },
		"pubkey":   func(t *tx.Tx) { t.PubKey[0] ^= 1 },
	} {
		x := base()
		edit(x)
		if x.VerifySignature() {
			t.Errorf("changing the %s keeps the signature valid", name)
		}
	}
}

// TestSetFee: the fee is the least that covers min_fee + fee_per_byte ×
// size, the size including the fee's own varint.
func TestSetFee(t *testing.T) {
	for _, p := range []authtypes.Params{
		authtypes.DefaultParams(),
		{MaxTxBytes: 1 << 16, MaxMsgsPerTx: 1, MinFee: 0, FeePerByte: 0},
		{MaxTxBytes: 1 << 16, MaxMsgsPerTx: 1, MinFee: 127, FeePerByte: 0},
		{MaxTxBytes: 1 << 16, MaxMsgsPerTx: 1, MinFee: 16_000, FeePerByte: 3},
		{MaxTxBytes: 1 << 16, MaxMsgsPerTx: 1, MinFee: 1 << 40, FeePerByte: 1 << 20},
	} {
		x := &tx.Tx{ChainID: "c", Msgs: []chain.Msg{&banktypes.MsgSend{To: chain.Address{1}, Amount: 1}}}
		x.SetFee(p.MinFeeFor)
		if x.Fee < p.MinFeeFor(x.Size()) {
			t.Fatalf("%+v: fee %d below the minimum %d", p, x.Fee, p.MinFeeFor(x.Size()))
		}
		y := *x
		y.Fee--
		if x.Fee > 0 && y.Fee >= p.MinFeeFor(y.Size()) {
			t.Fatalf("%+v: fee %d is not the least", p, x.Fee)
		}
	}
}

func TestRegistry(t *testing.T) {
	want := []string{"bank/send", "staking/bond", "staking/unbond"}
	if got := reg.Types(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("types %v", got)
	}
	for _, bad := range []string{"", "noslash", "/x", string(make([]byte, 65))} {
		func() {
			defer func() { recover() }()
			tx.NewRegistry().Register(bad, banktypes.DecodeMsgSend)
			t.Errorf("Register(%q) did not panic", bad)
		}()
	}
}

// FuzzDecode: no input panics the decoder; an accepted input is the unique
// canonical encoding of its tx (decode → encode gives the same bytes, and
// decoding those gives the same tx); a rejected one carries a registered
// code that is not "internal error".
func FuzzDecode(f *testing.F) {
	for _, b := range sampleTxs() {
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(append(bytes.Clone(b), 0))
	}
	k := ledgertest.NewKey("k")
	f.Add(ledgertest.NonCanonicalTx(k, "c", 1, 5000, &banktypes.MsgSend{To: chain.Address{1}, Amount: 1}))
	f.Add(k.Tx("c", 0, 0, ledgertest.RawMsg{TypeName: "no/such", Body: []byte{1}}))
	f.Add([]byte{})
	f.Add([]byte{1, 1, 'c'})
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := reg.Decode(b)
		if err != nil {
			var ce *chain.Error
			if !errors.As(err, &ce) || ce == chain.ErrInternal {
				t.Fatalf("error without a registered code: %v", err)
			}
			if x != nil {
				t.Fatal("a tx and an error")
			}
			return
		}
		enc := x.Encode()
		if !bytes.Equal(enc, b) {
			t.Fatalf("not canonical:\n in  %x\n out %x", b, enc)
		}
		y, err := reg.Decode(enc)
		if err != nil || !bytes.Equal(y.Encode(), enc) || y.Nonce != x.Nonce || y.Fee != x.Fee || y.ChainID != x.ChainID || len(y.Msgs) != len(x.Msgs) {
			t.Fatalf("second decode differs: %v", err)
		}
		if x.Size() != len(b) {
			t.Fatalf("Size %d, len %d", x.Size(), len(b))
		}
		if tx.VerifyBytes(b, x.PubKey) != x.VerifySignature() {
			t.Fatal("VerifyBytes and VerifySignature disagree")
		}
		for _, m := range x.Msgs {
			_ = m.ValidateBasic() // must not panic
		}
	})
}
