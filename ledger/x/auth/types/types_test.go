package types_test

import (
	"testing"

	"tangent/ledger/x/auth/types"
)

func TestParams(t *testing.T) {
	p := types.DefaultParams()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if q, err := types.ParamsValue.DecodeValue(types.ParamsValue.AppendValue(nil, p)); err != nil || q != p {
		t.Fatalf("round trip %+v %v", q, err)
	}
	if p.MinFeeFor(100) != p.MinFee+100*p.FeePerByte {
		t.Fatal("MinFeeFor")
	}
	// The largest valid params cannot overflow the fee formula.
	max := types.Params{MaxTxBytes: types.HardMaxTxBytes, MaxMsgsPerTx: types.HardMaxMsgs, MinFee: 1 << 62, FeePerByte: 1 << 32}
	if err := max.Validate(); err != nil {
		t.Fatal(err)
	}
	if f := max.MinFeeFor(types.HardMaxTxBytes); f < max.MinFee {
		t.Fatal("MinFeeFor overflows")
	}
	for name, edit := range map[string]func(*types.Params){
		"tiny max_tx_bytes": func(p *types.Params) { p.MaxTxBytes = 255 },
		"huge max_tx_bytes": func(p *types.Params) { p.MaxTxBytes = types.HardMaxTxBytes + 1 },
		"no messages":       func(p *types.Params) { p.MaxMsgsPerTx = 0 },
		"too many messages": func(p *types.Params) { p.MaxMsgsPerTx = types.HardMaxMsgs + 1 },
		"huge fee per byte": func(p *types.Params) { p.FeePerByte = 1<<32 + 1 },
		"huge minimum fee":  func(p *types.Params) { p.MinFee = 1<<62 + 1 },
	} {
		q := types.DefaultParams()
		edit(&q)
		if q.Validate() == nil {
			t.Errorf("%s validated", name)
		}
	}
}

// FuzzAccountValue: an account record decodes only from its canonical
// encoding (a record read from state or from a proven query is exactly
// what was written), and round-trips.
func FuzzAccountValue(f *testing.F) {
	for _, a := range []types.Account{{}, {Nonce: 1}, {Balance: 1 << 63}, {Nonce: 300, Balance: 1<<64 - 1}} {
		f.Add(types.AccountValue.AppendValue(nil, a))
	}
	f.Add([]byte{0x80, 0x00, 0x01}) // non-minimal nonce
	f.Add([]byte{0x01})             // no balance
	f.Add([]byte{0x01, 0x02, 0x03}) // trailing byte
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := types.AccountValue.DecodeValue(b)
		if err != nil {
			return
		}
		if again := types.AccountValue.AppendValue(nil, a); string(again) != string(b) {
			t.Fatalf("%x decodes to %+v, which encodes as %x", b, a, again)
		}
	})
}
