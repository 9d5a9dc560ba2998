package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
)

// KV is an ordered byte-keyed key-value store. See the package doc for the
// ownership and failure rules.
type KV interface {
	Get(key []byte) []byte
	Has(key []byte) bool
	Set(key, value []byte)
	Delete(key []byte)
	Iterator(start, end []byte, ascending bool) Iterator
}

// Iterator walks a key range. Key and Value are valid until Next.
type Iterator interface {
	Valid() bool
	Next()
	Key() []byte
	Value() []byte
	Error() error
	Close() error
}

// Fatal marks a panic value as a storage failure that must crash the node
// rather than fail one tx. A KV implementation may panic with any value
// implementing it (the ledger re-panics those instead of recovering).
type Fatal interface {
	error
	FatalStorageError()
}

// IsFatal reports whether a recovered panic value is a storage failure (it
// implements Fatal). A store adapter whose panics do not implement Fatal
// should wrap them so that they do.
func IsFatal(v any) bool {
	if _, ok := v.(Fatal); ok {
		return true
	}
	return false
}

// PrefixEnd returns the smallest key greater than every key with the given
// prefix, or nil if there is none (prefix is all 0xff).
func PrefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// Digest returns SHA-256 over every (key, value) pair of kv in ascending
// order, each length-prefixed. Two stores with the same contents have the
// same digest whatever their history: simulations compare it across runs.
func Digest(kv KV) [32]byte {
	h := sha256.New()
	var lenBuf [binary.MaxVarintLen64]byte
	it := kv.Iterator(nil, nil, true)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		k, v := it.Key(), it.Value()
		h.Write(lenBuf[:binary.PutUvarint(lenBuf[:], uint64(len(k)))])
		h.Write(k)
		h.Write(lenBuf[:binary.PutUvarint(lenBuf[:], uint64(len(v)))])
		h.Write(v)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// inRange reports whether key is in [start, end).
func inRange(key, start, end []byte) bool {
	if start != nil && bytes.Compare(key, start) < 0 {
		return false
	}
	if end != nil && bytes.Compare(key, end) >= 0 {
		return false
	}
	return true
}
