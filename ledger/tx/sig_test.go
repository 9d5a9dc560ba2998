package tx_test

import (
	"compress/gzip"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"tangent/ledger/chain"
	"tangent/ledger/ledgertest"
	"tangent/ledger/tx"
	authtypes "tangent/ledger/x/auth/types"
	banktypes "tangent/ledger/x/bank/types"
)

type sigCase struct {
	name     string
	pub      chain.PubKey
	msg, sig []byte
	valid    bool // under the ledger's rule
	stdlib   bool // under crypto/ed25519
}

// zip215Vectors are the ZIP-215 test vectors (testdata/README.md).
func zip215Vectors(t *testing.T) []sigCase {
	t.Helper()
	f, err := os.Open("testdata/zip215.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var raw [][2]string
	if err := json.NewDecoder(zr).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	var out []sigCase
	for i, v := range raw {
		pk, err1 := hex.DecodeString(v[0])
		sig, err2 := hex.DecodeString(v[1])
		if err1 != nil || err2 != nil || len(pk) != 32 || len(sig) != 64 {
			t.Fatalf("vector %d is malformed", i)
		}
		c := sigCase{name: fmt.Sprintf("zip215/%d", i), msg: []byte("Zcash"), sig: sig, valid: true}
		copy(c.pub[:], pk)
		c.stdlib = ed25519.Verify(pk, c.msg, sig)
		out = append(out, c)
	}
	return out
}

// edgeCases: an honest signature, one valid only under the cofactored
// equation (R shifted by a torsion point), one with a non-canonical S, and
// a corrupted one.
func edgeCases() []sigCase {
	k := ledgertest.NewKey("sig/edge")
	msg := []byte("tangent/tx/v1\nedge cases")
	good := ed25519.Sign(k.Priv, msg)
	bad := append([]byte(nil), good...)
	bad[5] ^= 1
	return []sigCase{
		{"honest", k.Pub, msg, good, true, true},
		{"torsion R", k.Pub, msg, ledgertest.TorsionSign(k, msg), true, false},
		{"non-canonical S", k.Pub, msg, ledgertest.NonCanonicalS(good), false, false},
		{"corrupted R", k.Pub, msg, bad, false, false},
		{"wrong message", k.Pub, []byte("other"), good, false, false},
		{"short signature", k.Pub, msg, good[:63], false, false},
	}
}

// TestSignatureRule: single verification (raw and expanded key) and batch
// verification (small batches with expanded keys, large Pippenger batches
// with raw keys) agree on every case, valid or not, and on ZIP-215's
// vectors; crypto/ed25519 rejects some signatures the rule accepts (which
// is why the ledger must never use it to decide).
func TestSignatureRule(t *testing.T) {
	cases := append(edgeCases(), zip215Vectors(t)...)
	stdlibDiffers := 0
	for _, c := range cases {
		if got := tx.Verify(c.pub, c.msg, c.sig); got != c.valid {
			t.Errorf("%s: Verify = %v, want %v", c.name, got, c.valid)
		}
		if got := tx.ExpandKey(c.pub).Verify(c.msg, c.sig); got != c.valid {
			t.Errorf("%s: Key.Verify = %v, want %v", c.name, got, c.valid)
		}
		if c.stdlib && !c.valid {
			t.Errorf("%s: crypto/ed25519 accepts a signature the rule rejects", c.name)
		}
		if c.stdlib != c.valid {
			stdlibDiffers++
		}
	}
	if stdlibDiffers < 2 {
		t.Errorf("crypto/ed25519 differs from the rule on %d cases; the vectors should show the difference", stdlibDiffers)
	}

	// Batches: every case among honest signatures, in a small batch
	// (Straus, expanded keys' tables) and a large one (Pippenger), each
	// with expanded and with raw keys.
	fill := func(n int) []sigCase {
		var out []sigCase
		for i := range n {
			k := ledgertest.NewKey(fmt.Sprintf("sig/fill/%d", i))
			msg := []byte(fmt.Sprintf("fill %d", i))
			out = append(out, sigCase{name: "fill", pub: k.Pub, msg: msg, sig: ed25519.Sign(k.Priv, msg), valid: true})
		}
		return out
	}
	for _, size := range []int{8, tx.PippengerThreshold + 10} {
		others := fill(size - 1)
		for _, c := range cases {
			batch := append(append([]sigCase(nil), others[:len(others)/2]...), c)
			batch = append(batch, others[len(others)/2:]...)
			for _, expanded := range []bool{true, false} {
				b := tx.NewBatch(len(batch))
				for _, x := range batch {
					if expanded {
						b.AddKey(tx.ExpandKey(x.pub), x.msg, x.sig)
					} else {
						b.Add(x.pub, x.msg, x.sig)
					}
				}
				if b.Len() != len(batch) {
					t.Fatalf("batch holds %d, added %d", b.Len(), len(batch))
				}
				all, valid := b.Verify(rand.Reader)
				if all != c.valid {
					t.Errorf("%s in a batch of %d (expanded keys %v): all valid = %v, want %v", c.name, size, expanded, all, c.valid)
				}
				for i, x := range batch {
					if valid[i] != x.valid {
						t.Errorf("%s in a batch of %d (expanded keys %v): entry %d (%s) valid = %v, want %v", c.name, size, expanded, i, x.name, valid[i], x.valid)
					}
				}
			}
		}
	}
}

// TestTxSignatureRule: a tx signed with a torsion-shifted R is valid
// through VerifySignature and VerifyBytes alike.
func TestTxSignatureRule(t *testing.T) {
	k := ledgertest.NewKey("sig/tx")
	b := k.TorsionTxMinFee("tangent-1", 0, authtypes.DefaultParams(), &banktypes.MsgSend{To: k.Addr, Amount: 1})
	x, err := reg.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !x.VerifySignature() || !tx.VerifyBytes(b, x.PubKey) {
		t.Fatal("a ZIP-215-valid tx signature does not verify")
	}
	if ed25519.Verify(k.Pub[:], x.SignBytes(), x.Sig[:]) {
		t.Fatal("crypto/ed25519 accepts the torsion signature; the test proves nothing")
	}
}
