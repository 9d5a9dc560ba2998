package ledgertest

import (
	"bytes"
	"fmt"
	"slices"

	"tangent/ledger/state"
)

// ChangedKeys lists the keys whose value differs between two states (set,
// changed or deleted), ascending. Tests use it to prove that a rejected tx
// or a punishment touched nothing but what the rule allows.
func ChangedKeys(before, after state.KV) [][]byte {
	var out [][]byte
	ia, ib := before.Iterator(nil, nil, true), after.Iterator(nil, nil, true)
	defer ia.Close()
	defer ib.Close()
	for ia.Valid() || ib.Valid() {
		switch {
		case !ib.Valid() || ia.Valid() && bytes.Compare(ia.Key(), ib.Key()) < 0:
			out = append(out, bytes.Clone(ia.Key()))
			ia.Next()
		case !ia.Valid() || bytes.Compare(ib.Key(), ia.Key()) < 0:
			out = append(out, bytes.Clone(ib.Key()))
			ib.Next()
		default:
			if !bytes.Equal(ia.Value(), ib.Value()) {
				out = append(out, bytes.Clone(ia.Key()))
			}
			ia.Next()
			ib.Next()
		}
	}
	return out
}

// OnlyChanged fails the test unless every key that differs between before
// and after is one of allowed.
func OnlyChanged(t TB, before, after state.KV, allowed ...[]byte) {
	t.Helper()
	for _, k := range ChangedKeys(before, after) {
		if !slices.ContainsFunc(allowed, func(a []byte) bool { return bytes.Equal(a, k) }) {
			t.Errorf("key %s changed; only %s may", PrintKey(k), printKeys(allowed))
		}
	}
}

// TB is the part of testing.TB the helpers use.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// PrintKey shows a store key as its printable prefix followed by hex.
func PrintKey(k []byte) string {
	i := 0
	for i < len(k) && k[i] >= 0x20 && k[i] < 0x7f {
		i++
	}
	// A prefix ends at its last '/'; the rest is binary.
	if j := bytes.LastIndexByte(k[:i], '/'); j >= 0 && j+1 < len(k) {
		i = j + 1
	}
	return fmt.Sprintf("%s%x", k[:i], k[i:])
}

func printKeys(ks [][]byte) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, k := range ks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(PrintKey(k))
	}
	b.WriteByte(']')
	return b.String()
}
