package store

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// Codecs of the CIDs this package produces. Every CID is version 1 with a
// sha2-256 multihash.
const (
	// CodecRaw names plain bytes: a chunk, or a whole blob of at most one
	// chunk. It is IPFS's raw codec (0x55), so the CID of such bytes is the one
	// `ipfs add --raw-leaves --cid-version=1` gives them.
	CodecRaw = cid.Raw
	// CodecManifest names a manifest (Manifest, ShardManifest): canonical
	// DAG-CBOR (0x71) whose chunk and shard references are real CID links, so
	// an IPFS node can decode it and walk to every chunk.
	CodecManifest = cid.DagCBOR
)

// Digest is a SHA-256 digest.
type Digest = [sha256.Size]byte

// ErrBadCID is returned for a CID this store does not use: not version 1, a
// codec other than raw or dag-cbor, or a multihash other than a 32-byte
// sha2-256 digest.
var ErrBadCID = errors.New("store: unsupported CID (need CIDv1, raw or dag-cbor codec, sha2-256)")

// CIDOf returns the CID of data under codec: CIDv1, sha2-256.
func CIDOf(codec uint64, data []byte) cid.Cid {
	return cidFromDigest(codec, sha256.Sum256(data))
}

// RawCID returns the raw-codec CID of data: the CID of a chunk, and the CID of
// a whole blob of at most one chunk.
func RawCID(data []byte) cid.Cid { return CIDOf(CodecRaw, data) }

func cidFromDigest(codec uint64, d Digest) cid.Cid {
	mh, err := multihash.Encode(d[:], multihash.SHA2_256)
	if err != nil {
		panic("store: multihash.Encode of a sha2-256 digest failed: " + err.Error())
	}
	return cid.NewCidV1(codec, mh)
}

// DigestOf returns the sha2-256 digest a CID names, or ErrBadCID.
func DigestOf(c cid.Cid) (Digest, error) {
	var d Digest
	if !c.Defined() || c.Version() != 1 {
		return d, ErrBadCID
	}
	if t := c.Type(); t != CodecRaw && t != CodecManifest {
		return d, ErrBadCID
	}
	dm, err := multihash.Decode(c.Hash())
	if err != nil || dm.Code != multihash.SHA2_256 || len(dm.Digest) != sha256.Size {
		return d, ErrBadCID
	}
	copy(d[:], dm.Digest)
	return d, nil
}

// ParseCID parses a CID string and checks that this store can hold it.
func ParseCID(s string) (cid.Cid, error) {
	c, err := cid.Decode(s)
	if err != nil {
		return cid.Undef, fmt.Errorf("store: %q is not a CID: %w", s, err)
	}
	if _, err := DigestOf(c); err != nil {
		return cid.Undef, fmt.Errorf("store: %s: %w", s, err)
	}
	return c, nil
}

// MismatchError says that bytes do not hash to the CID they were offered
// under. The fetcher treats it as a lie by whoever sent them; the disk store
// returns it (wrapped in CorruptError) for a damaged file.
type MismatchError struct {
	CID cid.Cid
	Got Digest
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("store: bytes for %s hash to %x, not to that CID", e.CID, e.Got)
}

// VerifyBlock checks that data hashes to c. It returns nil, ErrBadCID, or a
// *MismatchError.
func VerifyBlock(c cid.Cid, data []byte) error {
	want, err := DigestOf(c)
	if err != nil {
		return err
	}
	if got := sha256.Sum256(data); got != want {
		return &MismatchError{CID: c, Got: got}
	}
	return nil
}
