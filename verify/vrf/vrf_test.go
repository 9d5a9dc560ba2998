package vrf

import (
	"bufio"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"filippo.io/edwards25519"
)

type vector map[string][]byte

func loadVectors(t *testing.T) []vector {
	t.Helper()
	f, err := os.Open("testdata/rfc9381_b3.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	cur := vector{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		if line == "" {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = vector{}
			}
			continue
		}
		k, v, _ := strings.Cut(line, " ")
		if v == "-" {
			v = ""
		}
		b, err := hex.DecodeString(v)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		cur[k] = b
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func TestRFC9381Vectors(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) != 3 {
		t.Fatalf("%d vectors, want 3", len(vs))
	}
	for i, v := range vs {
		priv := ed25519.NewKeyFromSeed(v["sk"])
		pub := priv.Public().(ed25519.PublicKey)
		if hex.EncodeToString(pub) != hex.EncodeToString(v["pk"]) || string(PublicKey(v["sk"])) != string(pub) {
			t.Fatalf("example %d: public key mismatch", 16+i)
		}
		_, prefix := expandSeed(v["sk"])
		// The RFC prints x as the clamped integer (before reduction mod q).
		h := sha512.Sum512(v["sk"])
		h[0] &= 248
		h[31] &= 127
		h[31] |= 64
		if hex.EncodeToString(h[:32]) != hex.EncodeToString(v["x"]) {
			t.Errorf("example %d: x = %x, want %x", 16+i, h[:32], v["x"])
		}
		H, hs := encodeToCurve(pub, v["alpha"])
		if hex.EncodeToString(hs) != hex.EncodeToString(v["h"]) {
			t.Errorf("example %d: H = %x, want %x", 16+i, hs, v["h"])
		}
		k := nonce(prefix, hs)
		if hex.EncodeToString(k.Bytes()) != hex.EncodeToString(v["k"]) {
			t.Errorf("example %d: k mismatch", 16+i)
		}
		if U := new(edwards25519.Point).ScalarBaseMult(k).Bytes(); hex.EncodeToString(U) != hex.EncodeToString(v["u"]) {
			t.Errorf("example %d: U mismatch", 16+i)
		}
		if V := new(edwards25519.Point).ScalarMult(k, H).Bytes(); hex.EncodeToString(V) != hex.EncodeToString(v["v"]) {
			t.Errorf("example %d: V mismatch", 16+i)
		}
		pi, err := Prove(priv, v["alpha"])
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(pi[:]) != hex.EncodeToString(v["pi"]) {
			t.Errorf("example %d: pi = %x, want %x", 16+i, pi, v["pi"])
		}
		beta, err := Verify(pub, v["alpha"], pi)
		if err != nil {
			t.Fatalf("example %d: %v", 16+i, err)
		}
		if hex.EncodeToString(beta[:]) != hex.EncodeToString(v["beta"]) {
			t.Errorf("example %d: beta = %x, want %x", 16+i, beta, v["beta"])
		}
		if b2, _ := ProofToHash(pi); b2 != beta {
			t.Errorf("example %d: ProofToHash differs from Verify", 16+i)
		}
	}
}

func TestRejects(t *testing.T) {
	vs := loadVectors(t)
	v := vs[2]
	pub := ed25519.PublicKey(v["pk"])
	var pi Proof
	copy(pi[:], v["pi"])
	if _, err := Verify(pub, v["alpha"], pi); err != nil {
		t.Fatal(err)
	}
	for _, pos := range []int{0, 5, 31, 32, 40, 47, 48, 60, 79} {
		bad := pi
		bad[pos] ^= 0x01
		if _, err := Verify(pub, v["alpha"], bad); err == nil {
			t.Errorf("tampered proof (byte %d) verified", pos)
		}
	}
	if _, err := Verify(pub, append(v["alpha"], 0), pi); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("wrong alpha: %v", err)
	}
	if _, err := Verify(ed25519.PublicKey(vs[0]["pk"]), v["alpha"], pi); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("wrong key: %v", err)
	}
	// s + q: same value mod q, non-canonical: rejected.
	bad := pi
	addQ(bad[48:])
	if _, err := Verify(pub, v["alpha"], bad); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("s+q accepted: %v", err)
	}
	// Small-order keys are rejected (validate_key = TRUE): the identity
	// (y = 1) and the point of order 2 (y = -1).
	id := make([]byte, 32)
	id[0] = 1
	if _, err := Verify(id, nil, pi); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("identity key: %v", err)
	}
	minus1 := []byte{0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}
	if _, err := Verify(minus1, nil, pi); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("order-2 key: %v", err)
	}
	// Non-canonical y (y = p + 1 encodes the same point as y = 1).
	nc := []byte{0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}
	if _, err := stringToPoint(nc); err == nil {
		t.Error("non-canonical encoding y = p+1 accepted")
	}
	if _, err := Verify(pub[:31], nil, pi); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("short key: %v", err)
	}
	if _, err := Prove(ed25519.PrivateKey(v["sk"]), nil); err == nil {
		t.Error("Prove accepted a 32-byte private key")
	}
}

// addQ adds the group order q to the little-endian 32-byte integer b.
func addQ(b []byte) {
	q := []byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
	carry := 0
	for i := range 32 {
		s := int(b[i]) + int(q[i]) + carry
		b[i] = byte(s)
		carry = s >> 8
	}
}

func TestManyKeys(t *testing.T) {
	// Round trip with seeded keys: outputs are distinct and deterministic.
	seen := map[Output]bool{}
	for i := range 32 {
		seed := sha256.Sum256([]byte{byte(i)})
		priv := ed25519.NewKeyFromSeed(seed[:])
		alpha := []byte("job-42")
		pi, err := Prove(priv, alpha)
		if err != nil {
			t.Fatal(err)
		}
		pi2, _ := Prove(priv, alpha)
		if pi != pi2 {
			t.Fatal("Prove is not deterministic")
		}
		beta, err := Verify(priv.Public().(ed25519.PublicKey), alpha, pi)
		if err != nil {
			t.Fatal(err)
		}
		if seen[beta] {
			t.Fatal("repeated output")
		}
		seen[beta] = true
	}
}

func BenchmarkVerify(b *testing.B) {
	seed := sha256.Sum256(nil)
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	pi, _ := Prove(priv, []byte("x"))
	for b.Loop() {
		Verify(pub, []byte("x"), pi)
	}
}

func FuzzVerify(f *testing.F) {
	seed := sha256.Sum256(nil)
	priv := ed25519.NewKeyFromSeed(seed[:])
	pi, _ := Prove(priv, []byte("a"))
	f.Add([]byte(priv.Public().(ed25519.PublicKey)), []byte("a"), pi[:])
	f.Fuzz(func(t *testing.T, pub, alpha, pib []byte) {
		var p Proof
		copy(p[:], pib)
		beta, err := Verify(pub, alpha, p)
		if err == nil {
			if b2, _ := ProofToHash(p); b2 != beta {
				t.Fatal("verified proof's hash differs from ProofToHash")
			}
		}
	})
}
