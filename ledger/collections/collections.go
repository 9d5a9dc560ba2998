package collections

import (
	"bytes"
	"fmt"
	"iter"

	"tangent/ledger/state"
)

// CorruptError is the panic value when stored bytes do not decode.
type CorruptError struct {
	Collection string
	Key        []byte
	Err        error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("corrupt state in %s at key %x: %v", e.Collection, e.Key, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Map is a typed map from K to V stored under a key prefix.
type Map[K, V any] struct {
	name   string
	prefix []byte
	kc     KeyCodec[K]
	vc     ValueCodec[V]
}

// NewMap declares a map under prefix. name is used in error messages.
func NewMap[K, V any](prefix []byte, name string, kc KeyCodec[K], vc ValueCodec[V]) Map[K, V] {
	return Map[K, V]{name: name, prefix: prefix, kc: kc, vc: vc}
}

// Prefix returns the map's key prefix (callers must not modify it).
func (m Map[K, V]) Prefix() []byte { return m.prefix }

// Key returns the full store key of k (for queries with proofs).
func (m Map[K, V]) Key(k K) []byte { return m.key(k) }

func (m Map[K, V]) key(k K) []byte {
	dst := make([]byte, len(m.prefix), len(m.prefix)+32)
	copy(dst, m.prefix)
	return m.kc.AppendKey(dst, k)
}

// Get returns the value at k and whether it exists.
func (m Map[K, V]) Get(kv state.KV, k K) (V, bool) {
	key := m.key(k)
	b := kv.Get(key)
	if b == nil {
		var zero V
		return zero, false
	}
	v, err := m.vc.DecodeValue(b)
	if err != nil {
		panic(&CorruptError{Collection: m.name, Key: key, Err: err})
	}
	return v, true
}

// GetOr returns the value at k, or def if absent.
func (m Map[K, V]) GetOr(kv state.KV, k K, def V) V {
	if v, ok := m.Get(kv, k); ok {
		return v
	}
	return def
}

// Has reports whether k is present.
func (m Map[K, V]) Has(kv state.KV, k K) bool { return kv.Has(m.key(k)) }

// Set stores v at k.
func (m Map[K, V]) Set(kv state.KV, k K, v V) {
	kv.Set(m.key(k), m.vc.AppendValue(nil, v))
}

// Delete removes k.
func (m Map[K, V]) Delete(kv state.KV, k K) { kv.Delete(m.key(k)) }

// All iterates every entry in ascending key order.
func (m Map[K, V]) All(kv state.KV) iter.Seq2[K, V] {
	return m.Range(kv, nil, nil, true)
}

// Range iterates the entries whose encoded key (after the map prefix) is in
// [from, to); nil bounds are open. Build bounds with the key codecs, e.g.
// PrefixOf for the first part of a Pair key.
func (m Map[K, V]) Range(kv state.KV, from, to []byte, ascending bool) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		start := append(bytes.Clone(m.prefix), from...)
		var end []byte
		if to != nil {
			end = append(bytes.Clone(m.prefix), to...)
		} else {
			end = state.PrefixEnd(m.prefix)
		}
		it := kv.Iterator(start, end, ascending)
		defer it.Close()
		for ; it.Valid(); it.Next() {
			key := it.Key()
			k, err := m.kc.DecodeKey(key[len(m.prefix):])
			if err != nil {
				panic(&CorruptError{Collection: m.name, Key: bytes.Clone(key), Err: err})
			}
			v, err := m.vc.DecodeValue(it.Value())
			if err != nil {
				panic(&CorruptError{Collection: m.name, Key: bytes.Clone(key), Err: err})
			}
			if !yield(k, v) {
				return
			}
		}
	}
}

// WithPrefix iterates the entries whose encoded key starts with p (bytes
// after the map prefix), ascending.
func (m Map[K, V]) WithPrefix(kv state.KV, p []byte) iter.Seq2[K, V] {
	if len(p) == 0 {
		return m.All(kv)
	}
	return m.Range(kv, p, state.PrefixEnd(p), true)
}

// PrefixOf encodes the first part of a pair key, for Map.WithPrefix.
func PrefixOf[K1 any](c KeyCodec[K1], k1 K1) []byte {
	return c.AppendKeyNonTerminal(nil, k1)
}

// Item is a single typed value at one key.
type Item[V any] struct {
	name string
	key  []byte
	vc   ValueCodec[V]
}

// NewItem declares an item at key.
func NewItem[V any](key []byte, name string, vc ValueCodec[V]) Item[V] {
	return Item[V]{name: name, key: key, vc: vc}
}

// Key returns the store key (callers must not modify it).
func (i Item[V]) Key() []byte { return i.key }

// Get returns the value and whether it is set.
func (i Item[V]) Get(kv state.KV) (V, bool) {
	b := kv.Get(i.key)
	if b == nil {
		var zero V
		return zero, false
	}
	v, err := i.vc.DecodeValue(b)
	if err != nil {
		panic(&CorruptError{Collection: i.name, Key: i.key, Err: err})
	}
	return v, true
}

// GetOr returns the value, or def when unset.
func (i Item[V]) GetOr(kv state.KV, def V) V {
	if v, ok := i.Get(kv); ok {
		return v
	}
	return def
}

// Set stores v.
func (i Item[V]) Set(kv state.KV, v V) { kv.Set(i.key, i.vc.AppendValue(nil, v)) }

// Delete removes the value.
func (i Item[V]) Delete(kv state.KV) { kv.Delete(i.key) }
