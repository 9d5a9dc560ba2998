// Package codec is the canonical binary encoding every ledger value and
// transaction uses: unsigned varints (minimal length only), fixed-width
// big-endian integers, and length-prefixed byte strings.
//
// Encoding appends to a caller-owned slice (the Append* functions). Decoding
// goes through a Reader that records the first error and rejects anything
// that is not the unique canonical encoding of its value: over-long varints,
// lengths beyond the input or beyond a caller-given maximum, booleans other
// than 0 and 1, and (at Done) trailing bytes. So for every successful decode,
// re-encoding the value gives back exactly the input bytes.
//
// Callers own the slices they pass to Append* and may keep what those
// return; slices a Reader returns alias its input. Every decoder of
// untrusted bytes in the ledger (tx, message bodies) is built on Reader and
// fuzzed for the canonical property (decode, encode, compare).
package codec
