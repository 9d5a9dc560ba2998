package store

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ipfs/go-cid"
	"github.com/klauspost/reedsolomon"
)

// Erasure coding spreads a blob over K+M shards so that any K rebuild it
// (Reed-Solomon over GF(2^8), klauspost/reedsolomon).
//
// Layout: the blob is cut into stripes of K pieces of PieceSize bytes (the
// last stripe zero-padded); each stripe gets M parity pieces; shard j is the
// concatenation of piece j of every stripe, and is stored as an ordinary
// blob with its own CID. PieceSize is a function of the blob size and K
// (ShardPieceSize), so the same blob, K and M always give the same shards and
// the same shard manifest CID.

// ShardsType is the "type" field of a shard manifest.
const ShardsType = "tangent/shards/v1"

// Limits of erasure coding.
const (
	MaxShards    = 256     // K+M, the GF(2^8) limit
	MaxPieceSize = 1 << 20 // bytes of one shard per stripe
	pieceAlign   = 64
)

// ShardManifest describes an erasure-coded blob. Its canonical encoding is
// DAG-CBOR, a map with exactly these keys in length-first order:
//
//	"k"         uint     data shards (K >= 1)
//	"m"         uint     parity shards (M >= 1, K+M <= 256)
//	"blob"      link     the original blob's CID
//	"size"      uint     the original blob's size (>= 1)
//	"type"      text     "tangent/shards/v1"
//	"shards"    [link]   K+M shard blob CIDs: data shards, then parity
//	"pieceSize" uint     ShardPieceSize(size, k)
//
// and its CID (codec dag-cbor) names the shard set.
type ShardManifest struct {
	K, M      int
	Blob      cid.Cid
	Size      int64
	PieceSize int
	Shards    []cid.Cid
}

// ShardPieceSize is the piece size for a blob of size bytes over k data
// shards: ceil(size/k) rounded up to 64 bytes, at most MaxPieceSize.
func ShardPieceSize(size int64, k int) int {
	p := (size + int64(k) - 1) / int64(k)
	p = (p + pieceAlign - 1) / pieceAlign * pieceAlign
	return int(max(pieceAlign, min(p, MaxPieceSize)))
}

// Stripes returns the number of stripes.
func (sm *ShardManifest) Stripes() int64 {
	per := int64(sm.K) * int64(sm.PieceSize)
	return (sm.Size + per - 1) / per
}

// ShardSize returns the size of every shard.
func (sm *ShardManifest) ShardSize() int64 { return sm.Stripes() * int64(sm.PieceSize) }

func checkKM(k, m int) error {
	if k < 1 || m < 1 || k+m > MaxShards {
		return fmt.Errorf("store: erasure coding needs k >= 1, m >= 1, k+m <= %d; got k=%d m=%d", MaxShards, k, m)
	}
	return nil
}

func (sm *ShardManifest) check() error {
	if err := checkKM(sm.K, sm.M); err != nil {
		return &ManifestError{Reason: err.Error()}
	}
	if sm.Size < 1 || sm.Size > 1<<50 {
		return manifestErr("blob size %d out of range", sm.Size)
	}
	if sm.PieceSize != ShardPieceSize(sm.Size, sm.K) {
		return manifestErr("piece size %d, want %d for %d bytes over %d shards", sm.PieceSize, ShardPieceSize(sm.Size, sm.K), sm.Size, sm.K)
	}
	if len(sm.Shards) != sm.K+sm.M {
		return manifestErr("%d shard links for k+m=%d", len(sm.Shards), sm.K+sm.M)
	}
	if _, err := DigestOf(sm.Blob); err != nil {
		return manifestErr("blob CID: %v", err)
	}
	return nil
}

// Encode returns the canonical DAG-CBOR encoding.
func (sm *ShardManifest) Encode() []byte {
	b := make([]byte, 0, 128+64*len(sm.Shards))
	b = appendHead(b, majMap, 7)
	b = appendText(b, "k")
	b = appendHead(b, majUint, uint64(sm.K))
	b = appendText(b, "m")
	b = appendHead(b, majUint, uint64(sm.M))
	b = appendText(b, "blob")
	b = appendLink(b, sm.Blob)
	b = appendText(b, "size")
	b = appendHead(b, majUint, uint64(sm.Size))
	b = appendText(b, "type")
	b = appendText(b, ShardsType)
	b = appendText(b, "shards")
	b = appendHead(b, majArray, uint64(len(sm.Shards)))
	for _, c := range sm.Shards {
		b = appendLink(b, c)
	}
	b = appendText(b, "pieceSize")
	b = appendHead(b, majUint, uint64(sm.PieceSize))
	return b
}

// CID returns the shard set's CID.
func (sm *ShardManifest) CID() cid.Cid { return CIDOf(CodecManifest, sm.Encode()) }

// DecodeShardManifest parses and validates a shard manifest (canonical
// encoding only). It does not keep b.
func DecodeShardManifest(b []byte) (ShardManifest, error) {
	if len(b) > MaxBlockSize {
		return ShardManifest{}, manifestErr("%d bytes, over the limit of %d", len(b), MaxBlockSize)
	}
	r := &cborReader{b: b}
	if n := r.head(majMap); r.err == nil && n != 7 {
		r.fail("map of %d entries, want 7", n)
	}
	var sm ShardManifest
	r.key("k")
	k := r.uint()
	r.key("m")
	m := r.uint()
	r.key("blob")
	sm.Blob = r.link()
	r.key("size")
	size := r.uint()
	r.key("type")
	if t := r.text(); r.err == nil && t != ShardsType {
		r.fail("type %q, want %q", t, ShardsType)
	}
	r.key("shards")
	n := r.head(majArray)
	if r.err == nil && n > MaxShards {
		r.fail("%d shards, over %d", n, MaxShards)
	}
	for i := uint64(0); r.err == nil && i < n; i++ {
		sm.Shards = append(sm.Shards, r.link())
	}
	r.key("pieceSize")
	ps := r.uint()
	r.end()
	if r.err != nil {
		return ShardManifest{}, &ManifestError{Reason: r.err.Error()}
	}
	if k > MaxShards || m > MaxShards || size > 1<<50 || ps > MaxPieceSize {
		return ShardManifest{}, manifestErr("field out of range")
	}
	sm.K, sm.M, sm.Size, sm.PieceSize = int(k), int(m), int64(size), int(ps)
	if err := sm.check(); err != nil {
		return ShardManifest{}, err
	}
	return sm, nil
}

// ShardManifestOf reads the shard manifest c from the store.
func (s *Store) ShardManifestOf(c cid.Cid) (ShardManifest, error) {
	data, err := s.Block(c)
	if err != nil {
		return ShardManifest{}, err
	}
	return DecodeShardManifest(data)
}

// EncodeShards erasure-codes committed blob c into k data and m parity
// shards, stores each shard as a blob and the shard manifest as a shard set,
// all with retention ret, and returns the shard set's CID and manifest.
func (s *Store) EncodeShards(c cid.Cid, k, m int, ret Retention) (cid.Cid, ShardManifest, error) {
	if err := checkKM(k, m); err != nil {
		return cid.Undef, ShardManifest{}, err
	}
	src, err := s.Get(c)
	if err != nil {
		return cid.Undef, ShardManifest{}, err
	}
	defer src.Close()
	size := src.Size()
	if size < 1 {
		return cid.Undef, ShardManifest{}, errors.New("store: cannot erasure-code an empty blob")
	}
	sm := ShardManifest{K: k, M: m, Blob: c, Size: size, PieceSize: ShardPieceSize(size, k)}
	enc, err := reedsolomon.New(k, m)
	if err != nil {
		return cid.Undef, ShardManifest{}, err
	}
	ps := int64(sm.PieceSize)
	stripe := make([]byte, int64(k+m)*ps)
	pieces := make([][]byte, k+m)
	for j := range pieces {
		pieces[j] = stripe[int64(j)*ps : int64(j+1)*ps]
	}
	infos, err := s.putShards(k+m, ret, func(emit func(j int, p []byte) error) error {
		for st := int64(0); st < sm.Stripes(); st++ {
			data := stripe[:int64(k)*ps]
			n, err := src.ReadAt(data, st*int64(k)*ps)
			if err != nil && err != io.EOF {
				return err
			}
			clear(data[n:])
			if err := enc.Encode(pieces); err != nil {
				return err
			}
			for j, p := range pieces {
				if err := emit(j, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return cid.Undef, ShardManifest{}, err
	}
	for _, in := range infos {
		sm.Shards = append(sm.Shards, in.CID)
	}
	root, err := s.putShardManifest(&sm, ret)
	return root, sm, err
}

func (s *Store) putShardManifest(sm *ShardManifest, ret Retention) (cid.Cid, error) {
	enc := sm.Encode()
	root := CIDOf(CodecManifest, enc)
	b := s.NewBatch()
	defer b.Abort()
	if err := b.put(root, enc); err != nil {
		return cid.Undef, err
	}
	_, err := b.Commit(root, ret)
	return root, err
}

// putShards runs n concurrent Puts fed by produce, which emits the pieces of
// each stripe in order; it returns the n blobs' Infos.
func (s *Store) putShards(n int, ret Retention, produce func(emit func(j int, p []byte) error) error) ([]Info, error) {
	pws := make([]*io.PipeWriter, n)
	infos := make([]Info, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for j := range n {
		pr, pw := io.Pipe()
		pws[j] = pw
		wg.Add(1)
		go func() {
			defer wg.Done()
			infos[j], errs[j] = s.Put(pr, ret)
			pr.CloseWithError(errs[j]) // unblock the producer if Put failed
		}()
	}
	perr := produce(func(j int, p []byte) error {
		_, err := pws[j].Write(p)
		return err
	})
	for _, pw := range pws {
		pw.CloseWithError(perr)
	}
	wg.Wait()
	if err := errors.Join(append([]error{perr}, errs...)...); err != nil {
		return nil, err
	}
	return infos, nil
}

// NotEnoughShardsError is returned when fewer than K shards are available.
type NotEnoughShardsError struct {
	Have, Need int
}

func (e *NotEnoughShardsError) Error() string {
	return fmt.Sprintf("store: only %d of the %d shards needed are available; fetch more shards from other providers", e.Have, e.Need)
}

// Rebuild reconstructs the original blob of shard set sm from the shards the
// store has (any K suffice; missing or corrupt ones are treated as erasures),
// stores it with retention ret and checks that it has sm.Blob's CID.
func (s *Store) Rebuild(sm ShardManifest, ret Retention) (Info, error) {
	if s.Has(sm.Blob) {
		return s.Stat(sm.Blob)
	}
	var info Info
	err := s.withShards(sm, func(next func() ([][]byte, error)) error {
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			var err error
			info, err = s.Put(pr, ret)
			pr.CloseWithError(err)
			done <- err
		}()
		left := sm.Size
		var werr error
		for st := int64(0); st < sm.Stripes() && werr == nil; st++ {
			pieces, err := next()
			if err != nil {
				werr = err
				break
			}
			for _, p := range pieces[:sm.K] {
				take := min(int64(len(p)), left)
				if _, err := pw.Write(p[:take]); err != nil {
					werr = err
					break
				}
				left -= take
			}
		}
		pw.CloseWithError(werr)
		return errors.Join(werr, <-done)
	}, false)
	if err != nil {
		return Info{}, err
	}
	if info.CID != sm.Blob {
		return Info{}, fmt.Errorf("store: rebuilt blob has CID %s, the shard set says %s (a different chunk size?)", info.CID, sm.Blob)
	}
	return info, nil
}

// RebuildShards regenerates the shards listed in which (indices into
// sm.Shards) from any K others and stores them with retention ret: the
// repair a provider does when a shard is lost.
func (s *Store) RebuildShards(sm ShardManifest, which []int, ret Retention) ([]Info, error) {
	for _, j := range which {
		if j < 0 || j >= len(sm.Shards) {
			return nil, fmt.Errorf("store: shard index %d out of range", j)
		}
	}
	var infos []Info
	err := s.withShards(sm, func(next func() ([][]byte, error)) error {
		var err error
		infos, err = s.putShards(len(which), ret, func(emit func(j int, p []byte) error) error {
			for st := int64(0); st < sm.Stripes(); st++ {
				pieces, err := next()
				if err != nil {
					return err
				}
				for i, j := range which {
					if err := emit(i, pieces[j]); err != nil {
						return err
					}
				}
			}
			return nil
		})
		return err
	}, true)
	if err != nil {
		return nil, err
	}
	for i, j := range which {
		if infos[i].CID != sm.Shards[j] {
			return nil, fmt.Errorf("store: rebuilt shard %d has CID %s, want %s", j, infos[i].CID, sm.Shards[j])
		}
	}
	return infos, nil
}

// withShards opens the available shards of sm and calls body with a next
// function returning, stripe by stripe, all K+M pieces (data only if
// !parity) reconstructed.
func (s *Store) withShards(sm ShardManifest, body func(next func() ([][]byte, error)) error, parity bool) error {
	if err := sm.check(); err != nil {
		return err
	}
	enc, err := reedsolomon.New(sm.K, sm.M)
	if err != nil {
		return err
	}
	readers := make([]*Reader, len(sm.Shards))
	have := 0
	for j, c := range sm.Shards {
		if info, err := s.Stat(c); err != nil || !info.Complete || info.Size != sm.ShardSize() {
			continue
		}
		r, err := s.Get(c)
		if err != nil {
			continue
		}
		readers[j] = r
		have++
	}
	defer func() {
		for _, r := range readers {
			if r != nil {
				r.Close()
			}
		}
	}()
	if have < sm.K {
		return &NotEnoughShardsError{Have: have, Need: sm.K}
	}
	ps := int64(sm.PieceSize)
	bufs := make([][]byte, len(sm.Shards))
	for j := range bufs {
		bufs[j] = make([]byte, ps)
	}
	pieces := make([][]byte, len(sm.Shards))
	st := int64(0)
	next := func() ([][]byte, error) {
		got := 0
		for j, r := range readers {
			pieces[j] = bufs[j][:0]
			if r == nil {
				continue
			}
			if _, err := r.ReadAt(bufs[j], st*ps); err != nil {
				// A shard that fails (a corrupt chunk) becomes an erasure.
				r.Close()
				readers[j] = nil
				continue
			}
			pieces[j] = bufs[j]
			got++
		}
		if got < sm.K {
			return nil, &NotEnoughShardsError{Have: got, Need: sm.K}
		}
		var err error
		if parity {
			err = enc.Reconstruct(pieces)
		} else {
			err = enc.ReconstructData(pieces)
		}
		if err != nil {
			return nil, err
		}
		st++
		return pieces, nil
	}
	return body(next)
}
