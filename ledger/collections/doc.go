// Package collections gives typed views over a state.KV: Map[K, V] (many
// keys under one prefix) and Item[V] (one key), in the manner of the Cosmos
// SDK's collections. A collection is a value holding its prefix and codecs;
// the KV is passed on every call, so one collection serves the block state,
// the check state and read-only queries alike.
//
// A stored value that does not decode means corrupt state (the ledger wrote
// every value itself): collections panic with a CorruptError then.
//
// Keys are built by KeyCodecs whose byte order is the iteration order
// (addresses raw, integers big-endian, strings length-prefixed when not
// last), so every iteration is in a deterministic order that no Go map is
// involved in. Values use the canonical codec package.
package collections
