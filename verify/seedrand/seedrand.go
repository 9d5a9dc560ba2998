package seedrand

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Stream is a deterministic stream of pseudorandom words. It is not safe for
// concurrent use.
type Stream struct {
	prefix []byte // length-prefixed domain and seed
	ctr    uint64
	block  [sha256.Size]byte
	used   int // words of block consumed (4 = exhausted)
}

// New returns the stream for (domain, seed). len(domain) must be < 2^16 and
// len(seed) < 2^32.
func New(domain string, seed []byte) *Stream {
	if len(domain) >= 1<<16 || uint64(len(seed)) >= 1<<32 {
		panic(fmt.Sprintf("seedrand: domain of %d bytes or seed of %d bytes too long", len(domain), len(seed)))
	}
	p := make([]byte, 0, 2+len(domain)+4+len(seed)+8)
	p = binary.BigEndian.AppendUint16(p, uint16(len(domain)))
	p = append(p, domain...)
	p = binary.BigEndian.AppendUint32(p, uint32(len(seed)))
	p = append(p, seed...)
	return &Stream{prefix: p, used: 4}
}

// Uint64 returns the next word.
func (s *Stream) Uint64() uint64 {
	if s.used == 4 {
		buf := binary.BigEndian.AppendUint64(s.prefix, s.ctr)
		s.block = sha256.Sum256(buf)
		s.prefix = buf[:len(buf)-8]
		s.ctr++
		s.used = 0
	}
	w := binary.BigEndian.Uint64(s.block[8*s.used:])
	s.used++
	return w
}

// Below returns a uniform integer in [0, n). It panics if n == 0.
func (s *Stream) Below(n uint64) uint64 {
	if n == 0 {
		panic("seedrand: Below(0)")
	}
	threshold := -n % n // 2^64 mod n
	for {
		if x := s.Uint64(); x >= threshold {
			return x % n
		}
	}
}
