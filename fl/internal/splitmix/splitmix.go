// Package splitmix is the tiny deterministic generator the fl tests draw
// their inputs from (Steele et al.'s SplitMix64), used instead of
// math/rand so that golden values never depend on a library's version.
package splitmix

// Gen is a SplitMix64 state; its value is the seed.
type Gen uint64

// Next returns the next 64 random bits.
func (s *Gen) Next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Float returns a float32 in [-scale, scale) with 24 random bits.
func (s *Gen) Float(scale float32) float32 {
	return float32(int32(s.Next()>>32)>>8) / (1 << 23) * scale
}
