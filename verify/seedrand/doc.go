// Package seedrand turns a public seed into a deterministic stream of
// uniform integers: SHA-256 in counter mode. Every node that knows the seed
// derives the same stream; nobody who does not know it can predict it.
//
// Block j of the stream is
//
//	SHA-256( uint16be(len(domain)) || domain || uint32be(len(seed)) || seed || uint64be(j) )
//
// and its 32 bytes are read as four big-endian uint64 words. The domain
// string keeps unrelated uses of one seed (audit sampling, committee draws)
// independent. Uniform integers below n use rejection: a word x is accepted
// when x >= 2^64 mod n, and the result is x mod n, so every residue is
// equally likely (a rejection happens with probability below n/2^64).
//
// The package is pure: no I/O, clocks or global state. It replaces
// math/rand wherever a consensus-visible choice depends on randomness.
package seedrand
