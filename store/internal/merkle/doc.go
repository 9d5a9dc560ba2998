// Package merkle is the store's private copy of the RFC 6962 Merkle Tree Hash
// (Certificate Transparency, section 2.1): leaf = SHA-256(0x00 || data),
// node = SHA-256(0x01 || left || right), and a tree of n > 1 leaves splits at
// the largest power of two strictly less than n. It exists only until
// tangent/verify's Merkle package lands; its four functions are meant to be
// replaced one for one by verify's, and its tests pin RFC 6962 vectors so the
// swap cannot change a root.
//
// All functions are pure. The root of zero leaves is SHA-256 of the empty
// string, as in RFC 6962.
package merkle
