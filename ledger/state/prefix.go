package state

// Prefix is a view of the keys of a parent KV that start with a prefix, with
// the prefix stripped. Writes go to the parent under the prefix.
type Prefix struct {
	parent KV
	prefix []byte
}

var _ KV = Prefix{}

// NewPrefix returns the view of parent under prefix.
func NewPrefix(parent KV, prefix []byte) Prefix {
	return Prefix{parent: parent, prefix: append([]byte(nil), prefix...)}
}

func (p Prefix) key(k []byte) []byte {
	out := make([]byte, 0, len(p.prefix)+len(k))
	return append(append(out, p.prefix...), k...)
}

// Get implements KV.
func (p Prefix) Get(key []byte) []byte { return p.parent.Get(p.key(key)) }

// Has implements KV.
func (p Prefix) Has(key []byte) bool { return p.parent.Has(p.key(key)) }

// Set implements KV.
func (p Prefix) Set(key, value []byte) { p.parent.Set(p.key(key), value) }

// Delete implements KV.
func (p Prefix) Delete(key []byte) { p.parent.Delete(p.key(key)) }

// Iterator implements KV.
func (p Prefix) Iterator(start, end []byte, ascending bool) Iterator {
	s := p.key(start)
	var e []byte
	if end != nil {
		e = p.key(end)
	} else {
		e = PrefixEnd(p.prefix)
	}
	return &prefixIter{Iterator: p.parent.Iterator(s, e, ascending), n: len(p.prefix)}
}

type prefixIter struct {
	Iterator
	n int
}

func (it *prefixIter) Key() []byte { return it.Iterator.Key()[it.n:] }
