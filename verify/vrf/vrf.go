package vrf

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"errors"
	"fmt"

	"filippo.io/edwards25519"
)

// Sizes of the suite (RFC 9381 §5.5: ptLen = qLen = 32, cLen = 16, hLen = 64).
const (
	ProofSize  = ptLen + cLen + qLen // 80
	OutputSize = sha512.Size         // 64
	ptLen      = 32
	cLen       = 16
	qLen       = 32
)

// suiteString identifies ECVRF-EDWARDS25519-SHA512-TAI.
const suiteString = 0x03

// Domain-separation bytes of RFC 9381 §5.
const (
	encodeToCurveFront = 0x01
	challengeFront     = 0x02
	proofToHashFront   = 0x03
	back               = 0x00
)

// Proof is pi_string: point_to_string(Gamma) || c (16 bytes) || s (32 bytes).
type Proof [ProofSize]byte

// Output is beta_string, the VRF's pseudorandom output.
type Output [OutputSize]byte

// Errors returned by Verify and ProofToHash.
var (
	// ErrInvalidProof: pi is malformed or is not the proof for (pk, alpha).
	ErrInvalidProof = errors.New("vrf: invalid proof")
	// ErrInvalidKey: the public key is not a canonical point encoding, or is
	// a point of small order (rejected by validate_key).
	ErrInvalidKey = errors.New("vrf: invalid public key")
)

// Prove returns the proof of alpha under the ed25519 private key (RFC 9381
// §5.1). The key's secret scalar and nonce prefix are derived from its seed
// exactly as RFC 8032 §5.1.5 derives them for signatures.
func Prove(priv ed25519.PrivateKey, alpha []byte) (Proof, error) {
	var pi Proof
	if len(priv) != ed25519.PrivateKeySize {
		return pi, fmt.Errorf("vrf: private key has %d bytes, want %d", len(priv), ed25519.PrivateKeySize)
	}
	x, prefix := expandSeed(priv.Seed())
	Y := new(edwards25519.Point).ScalarBaseMult(x)
	pk := Y.Bytes()
	if !bytes.Equal(pk, priv[32:]) {
		return pi, errors.New("vrf: private key's public half does not match its seed")
	}
	H, hString := encodeToCurve(pk, alpha)
	Gamma := new(edwards25519.Point).ScalarMult(x, H)
	k := nonce(prefix, hString)
	U := new(edwards25519.Point).ScalarBaseMult(k)
	V := new(edwards25519.Point).ScalarMult(k, H)
	cBytes := challenge(pk, hString, Gamma.Bytes(), U.Bytes(), V.Bytes())
	c := scalarFromChallenge(cBytes)
	s := edwards25519.NewScalar().MultiplyAdd(c, x, k) // s = k + c*x mod q
	copy(pi[:ptLen], Gamma.Bytes())
	copy(pi[ptLen:ptLen+cLen], cBytes)
	copy(pi[ptLen+cLen:], s.Bytes())
	return pi, nil
}

// Verify checks pi against the public key and alpha (RFC 9381 §5.3 with
// validate_key = TRUE) and returns beta.
func Verify(pub ed25519.PublicKey, alpha []byte, pi Proof) (Output, error) {
	if len(pub) != ed25519.PublicKeySize {
		return Output{}, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidKey, len(pub), ed25519.PublicKeySize)
	}
	Y, err := stringToPoint(pub)
	if err != nil {
		return Output{}, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	if new(edwards25519.Point).MultByCofactor(Y).Equal(edwards25519.NewIdentityPoint()) == 1 {
		return Output{}, fmt.Errorf("%w: point of small order", ErrInvalidKey)
	}
	Gamma, c, s, err := decodeProof(pi)
	if err != nil {
		return Output{}, err
	}
	H, hString := encodeToCurve(pub, alpha)
	// U = s*B - c*Y, V = s*H - c*Gamma.
	negC := edwards25519.NewScalar().Negate(c)
	U := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(negC, Y, s)
	V := new(edwards25519.Point).VarTimeMultiScalarMult(
		[]*edwards25519.Scalar{s, negC}, []*edwards25519.Point{H, Gamma})
	cPrime := challenge(pub, hString, pi[:ptLen], U.Bytes(), V.Bytes())
	if !bytes.Equal(cPrime, pi[ptLen:ptLen+cLen]) {
		return Output{}, ErrInvalidProof
	}
	return proofToHash(Gamma), nil
}

// ProofToHash returns beta for pi without verifying pi (RFC 9381 §5.2). It
// fails only if pi is malformed.
func ProofToHash(pi Proof) (Output, error) {
	Gamma, _, _, err := decodeProof(pi)
	if err != nil {
		return Output{}, err
	}
	return proofToHash(Gamma), nil
}

// PublicKey returns the ed25519 public key of a 32-byte seed, for tests and
// tools; it equals ed25519.NewKeyFromSeed(seed).Public().
func PublicKey(seed []byte) ed25519.PublicKey {
	x, _ := expandSeed(seed)
	return new(edwards25519.Point).ScalarBaseMult(x).Bytes()
}

// expandSeed derives the secret scalar x and the nonce prefix from an
// RFC 8032 secret key (its seed).
func expandSeed(seed []byte) (x *edwards25519.Scalar, prefix []byte) {
	h := sha512.Sum512(seed)
	x, err := edwards25519.NewScalar().SetBytesWithClamping(h[:32])
	if err != nil {
		panic(err) // 32 bytes always clamp
	}
	return x, h[32:]
}

// encodeToCurve is ECVRF_encode_to_curve_try_and_increment (RFC 9381
// §5.4.1.1) with encode_to_curve_salt = PK_string. It returns H and
// point_to_string(H).
func encodeToCurve(pk, alpha []byte) (*edwards25519.Point, []byte) {
	buf := make([]byte, 0, 2+len(pk)+len(alpha)+2)
	buf = append(buf, suiteString, encodeToCurveFront)
	buf = append(buf, pk...)
	buf = append(buf, alpha...)
	ctrAt := len(buf)
	buf = append(buf, 0, back)
	for ctr := 0; ctr < 256; ctr++ {
		buf[ctrAt] = byte(ctr)
		h := sha512.Sum512(buf)
		P, err := stringToPoint(h[:ptLen])
		if err != nil {
			continue
		}
		P.MultByCofactor(P)
		return P, P.Bytes()
	}
	// Each try succeeds with probability about 1/2: 256 failures do not happen.
	panic("vrf: encode_to_curve found no point in 256 tries")
}

// nonce is ECVRF_nonce_generation_RFC8032 (RFC 9381 §5.4.2.2).
func nonce(prefix, hString []byte) *edwards25519.Scalar {
	d := sha512.New()
	d.Write(prefix)
	d.Write(hString)
	k, err := edwards25519.NewScalar().SetUniformBytes(d.Sum(nil))
	if err != nil {
		panic(err) // 64 bytes are always accepted
	}
	return k
}

// challenge is ECVRF_challenge_generation (RFC 9381 §5.4.3) over the point
// strings of Y, H, Gamma, U, V; it returns the cLen-byte c_string.
func challenge(points ...[]byte) []byte {
	d := sha512.New()
	d.Write([]byte{suiteString, challengeFront})
	for _, p := range points {
		d.Write(p)
	}
	d.Write([]byte{back})
	return d.Sum(nil)[:cLen]
}

func scalarFromChallenge(c []byte) *edwards25519.Scalar {
	var b [32]byte
	copy(b[:], c) // little-endian, < 2^128 < q: canonical
	s, err := edwards25519.NewScalar().SetCanonicalBytes(b[:])
	if err != nil {
		panic(err)
	}
	return s
}

// decodeProof is ECVRF_decode_proof (RFC 9381 §5.4.4).
func decodeProof(pi Proof) (Gamma *edwards25519.Point, c, s *edwards25519.Scalar, err error) {
	Gamma, err = stringToPoint(pi[:ptLen])
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: Gamma: %v", ErrInvalidProof, err)
	}
	c = scalarFromChallenge(pi[ptLen : ptLen+cLen])
	s, err = edwards25519.NewScalar().SetCanonicalBytes(pi[ptLen+cLen:])
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: s >= q", ErrInvalidProof)
	}
	return Gamma, c, s, nil
}

func proofToHash(Gamma *edwards25519.Point) Output {
	d := sha512.New()
	d.Write([]byte{suiteString, proofToHashFront})
	d.Write(new(edwards25519.Point).MultByCofactor(Gamma).Bytes())
	d.Write([]byte{back})
	var beta Output
	d.Sum(beta[:0])
	return beta
}

// stringToPoint decodes a point strictly per RFC 8032 §5.1.3: besides being
// on the curve, the encoding must be canonical (y < p, and no sign bit on
// x = 0), which the library's lenient SetBytes does not check by itself.
func stringToPoint(b []byte) (*edwards25519.Point, error) {
	P, err := new(edwards25519.Point).SetBytes(b)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(P.Bytes(), b) {
		return nil, errors.New("non-canonical point encoding")
	}
	return P, nil
}
