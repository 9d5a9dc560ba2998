package types_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"tangent/ledger/chain"
	"tangent/ledger/x/staking/types"
)

func TestMsgValidateBasic(t *testing.T) {
	for _, tc := range []struct {
		m   chain.Msg
		err *chain.Error
	}{
		{&types.MsgBond{Role: types.RoleTrainer, Amount: 1}, nil},
		{&types.MsgBond{Role: types.RoleValidator, Amount: 1, HasConsKey: true}, nil},
		{&types.MsgBond{Role: 0, Amount: 1}, types.ErrInvalidRole},
		{&types.MsgBond{Role: 6, Amount: 1}, types.ErrInvalidRole},
		{&types.MsgBond{Role: types.RoleSolver}, types.ErrInvalidAmount},
		{&types.MsgBond{Role: types.RoleSolver, Amount: 1, HasConsKey: true}, types.ErrMissingConsKey},
		{&types.MsgUnbond{Role: types.RoleStorage, Amount: 1}, nil},
		{&types.MsgUnbond{Role: 255, Amount: 1}, types.ErrInvalidRole},
		{&types.MsgUnbond{Role: types.RoleStorage}, types.ErrInvalidAmount},
	} {
		err := tc.m.ValidateBasic()
		if (tc.err == nil) != (err == nil) || tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("%+v: %v, want %v", tc.m, err, tc.err)
		}
	}
}

func TestRoles(t *testing.T) {
	for _, r := range types.Roles {
		b, err := r.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back types.Role
		if err := back.UnmarshalText(b); err != nil || back != r {
			t.Fatalf("%s does not round-trip", r)
		}
	}
	if _, err := types.Role(9).MarshalText(); err == nil {
		t.Fatal("invalid role marshals")
	}
	if _, err := types.ParseRole("Validator"); err == nil {
		t.Fatal("roles are lower case")
	}
}

func TestParams(t *testing.T) {
	p := types.DefaultParams()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	b := types.ParamsValue.AppendValue(nil, p)
	if q, err := types.ParamsValue.DecodeValue(b); err != nil || q != p {
		t.Fatalf("params round trip: %+v %v", q, err)
	}
	for name, edit := range map[string]func(*types.Params){
		"unbonding 0":          func(p *types.Params) { p.UnbondingBlocks = 0 },
		"no validators":        func(p *types.Params) { p.MaxValidators = 0 },
		"power reduction 0":    func(p *types.Params) { p.PowerReduction = 0 },
		"min below power unit": func(p *types.Params) { p.MinValidatorStake = p.PowerReduction - 1 },
		"entries 0":            func(p *types.Params) { p.MaxUnbondingEntries = 0 },
		"slash above 1":        func(p *types.Params) { p.DoubleSignSlash = chain.PPMOne + 1 },
	} {
		q := types.DefaultParams()
		edit(&q)
		if q.Validate() == nil {
			t.Errorf("%s validated", name)
		}
	}
	if !p.HasPower(p.MinValidatorStake) || p.HasPower(p.MinValidatorStake-1) {
		t.Fatal("HasPower")
	}
}

// FuzzDecodeMsgs: bond and unbond bodies come from untrusted txs; a body
// that decodes is the canonical encoding of its message.
func FuzzDecodeMsgs(f *testing.F) {
	f.Add(false, (&types.MsgBond{Role: types.RoleValidator, Amount: 5, HasConsKey: true, ConsPubKey: chain.PubKey{7}}).AppendBody(nil))
	f.Add(false, (&types.MsgBond{Role: types.RoleTrainer, Amount: 1 << 50}).AppendBody(nil))
	f.Add(false, []byte{1, 5, 2})
	f.Add(true, (&types.MsgUnbond{Role: types.RoleSolver, Amount: 99}).AppendBody(nil))
	f.Add(true, []byte{3, 0x80, 0x00})
	f.Fuzz(func(t *testing.T, unbond bool, body []byte) {
		dec := types.DecodeMsgBond
		if unbond {
			dec = types.DecodeMsgUnbond
		}
		m, err := dec(body)
		if err != nil {
			return
		}
		if got := m.AppendBody(nil); !bytes.Equal(got, body) {
			t.Fatalf("not canonical: %x -> %x", body, got)
		}
		_ = m.ValidateBasic()
	})
}

// TestConsKeyProof: a bond's proof verifies for the chain and operator it
// was made for, survives encoding, and fails for any other chain,
// operator or key, and when altered.
func TestConsKeyProof(t *testing.T) {
	_, cons, _ := ed25519.GenerateKey(nil)
	op, other := chain.Address{1}, chain.Address{2}
	m := &types.MsgBond{Role: types.RoleValidator, Amount: 5}
	m.ProveConsKey("tangent-1", op, cons)
	d, err := types.DecodeMsgBond(m.AppendBody(nil))
	if err != nil {
		t.Fatal(err)
	}
	got := d.(*types.MsgBond)
	if *got != *m || !got.VerifyConsKeyProof("tangent-1", op) {
		t.Fatalf("decoded %+v, want %+v with a valid proof", got, m)
	}
	if got.VerifyConsKeyProof("tangent-2", op) || got.VerifyConsKeyProof("tangent-1", other) {
		t.Fatal("the proof verifies for another chain or operator")
	}
	altered := *got
	altered.ConsKeyProof[10] ^= 1
	if altered.VerifyConsKeyProof("tangent-1", op) {
		t.Fatal("an altered proof verifies")
	}
	otherKey := *got
	otherKey.ConsPubKey[0] ^= 1
	if otherKey.VerifyConsKeyProof("tangent-1", op) {
		t.Fatal("the proof verifies under another key")
	}
	if _, err := types.DecodeMsgBond(m.AppendBody(nil)[:40]); err == nil {
		t.Fatal("a bond cut inside its proof decodes")
	}
}
