package ledgertest

// Rand is SplitMix64: tiny, seeded, and the same sequence on every platform
// and Go version (simulations must replay from their seed).
type Rand struct{ s uint64 }

// NewRand returns a generator seeded with seed.
func NewRand(seed uint64) *Rand { return &Rand{s: seed} }

// Uint64 returns the next value.
func (r *Rand) Uint64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Intn returns a value in [0, n) (n > 0). The tiny modulo bias is fine for
// simulations.
func (r *Rand) Intn(n int) int { return int(r.Uint64() % uint64(n)) }

// Below returns a value in [0, n) for n > 0, or 0 for n == 0.
func (r *Rand) Below(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	return r.Uint64() % n
}

// Chance reports true with probability pct/100.
func (r *Rand) Chance(pct int) bool { return r.Intn(100) < pct }

// Bytes returns n random bytes.
func (r *Rand) Bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint64())
	}
	return b
}
