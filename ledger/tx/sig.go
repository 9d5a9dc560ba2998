package tx

import (
	"io"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"

	"tangent/ledger/chain"
)

// The ledger's signature rule is ed25519 with ZIP-215 validation
// (https://zips.z.cash/zip-0215), everywhere: CheckTx, DeliverTx, block
// pre-verification, single and batch verification. ZIP-215 fixes what RFC
// 8032 leaves to implementations, so that a signature is valid or invalid
// for every node whichever way it is checked:
//
//   - A (the public key) and R (the first half of the signature) may be any
//     32-byte encoding of a curve point: non-canonical encodings (y >= p)
//     and points of small order are accepted;
//   - S (the second half) must be canonical: S < ℓ, else the signature is
//     rejected (this keeps signatures non-malleable);
//   - the check is the cofactored equation [8][S]B = [8]R + [8][k]A with
//     k = SHA-512(R || A || M) over the bytes as given.
//
// Batch verification (Batch) checks a random linear combination of the
// same cofactored equations, so a batch passes exactly when every signature
// in it is valid under the single-signature rule (up to a 2^-128 chance
// that an invalid batch passes; its random coefficients must therefore be
// unpredictable to whoever made the signatures). Go's crypto/ed25519 uses
// the cofactorless equation and rejects non-canonical R: every signature it
// accepts is valid here, but not the converse, so crypto/ed25519.Verify
// must not be used to decide a tx's validity (signing with it is fine: an
// honest signature is valid under both rules).
var verifyOpts = &voi.Options{Verify: voi.VerifyOptionsZIP_215}

// Verify reports whether sig is a valid signature of msg by pub under the
// ledger's rule (ZIP-215, see above).
func Verify(pub chain.PubKey, msg, sig []byte) bool {
	return voi.VerifyWithOptions(voi.PublicKey(pub[:]), msg, sig, verifyOpts)
}

// Key is a public key expanded for repeated verification: its precomputed
// multiples make verifications in small batches about a third cheaper. It
// takes about 1.5 KiB; expanding one costs a fifth of a verification. A Key
// is immutable and safe for concurrent use.
type Key struct {
	pub chain.PubKey
	exp *voi.ExpandedPublicKey // nil: pub is not a point (every signature fails)
}

// ExpandKey prepares pub for repeated verification.
func ExpandKey(pub chain.PubKey) *Key {
	k := &Key{pub: pub}
	k.exp, _ = voi.NewExpandedPublicKey(voi.PublicKey(pub[:]))
	return k
}

// PubKey returns the key's public key.
func (k *Key) PubKey() chain.PubKey { return k.pub }

// Verify is tx.Verify with the expanded key.
func (k *Key) Verify(msg, sig []byte) bool {
	if k.exp == nil {
		return false
	}
	return voi.VerifyExpandedWithOptions(k.exp, msg, sig, verifyOpts)
}

// PippengerThreshold is the batch size from which a batch uses Pippenger's
// multi-scalar multiplication instead of the expanded keys' precomputed
// tables. An expanded key still saves decompressing the public key (about
// half of Add's cost) in a batch this large.
const PippengerThreshold = 94

// Batch verifies many signatures at once under the ledger's rule. Reuse
// one with Reset. A Batch is not safe for concurrent use.
type Batch struct {
	bv  *voi.BatchVerifier
	n   int
	raw bool
}

// NewBatch returns an empty batch with room for n signatures.
func NewBatch(n int) *Batch { return &Batch{bv: voi.NewBatchVerifierWithCapacity(n)} }

// Len is the number of signatures added since the last Reset.
func (b *Batch) Len() int { return b.n }

// Add adds the signature sig of msg by pub. The batch keeps msg and sig
// until Reset. Mixing Add and AddKey in one batch is allowed; the expanded
// keys then save only their decompression (the batch uses Pippenger's
// method, as a large one does).
func (b *Batch) Add(pub chain.PubKey, msg, sig []byte) {
	if !b.raw {
		b.bv.ForceNoPublicKeyExpansion() // expanding here would cost more than it saves
		b.raw = true
	}
	b.n++
	b.bv.AddWithOptions(voi.PublicKey(pub[:]), msg, sig, verifyOpts)
}

// AddKey adds the signature sig of msg by the expanded key k.
func (b *Batch) AddKey(k *Key, msg, sig []byte) {
	if k.exp == nil {
		b.Add(k.pub, msg, sig) // fails verification, as it should
		return
	}
	b.n++
	b.bv.AddExpandedWithOptions(k.exp, msg, sig, verifyOpts)
}

// Verify checks every signature added. allValid is true when the whole
// batch verifies; valid[i] says whether the i-th signature is valid (when
// the batch equation fails, each signature is checked on its own to find
// the invalid ones, which costs a single verification each). rand supplies
// the random coefficients: pass crypto/rand.Reader, never a predictable
// source. An empty batch returns false, nil.
func (b *Batch) Verify(rand io.Reader) (allValid bool, valid []bool) {
	if rand == nil {
		panic("tx.Batch.Verify: nil randomness source")
	}
	return b.bv.Verify(rand)
}

// Reset empties the batch for reuse.
func (b *Batch) Reset() {
	b.bv.Reset()
	b.n, b.raw = 0, false
}
