package chain

import "strconv"

// Event reports one state change to subscribers (agents, explorers). The
// app turns it into an ABCI event of type Module+"."+Type. Attributes are
// sorted by key and keys are unique.
type Event struct {
	Module string
	Type   string
	Attrs  []Attr
}

// Attr is one key/value attribute of an Event.
type Attr struct {
	Key   string
	Value string
}

// NewEvent builds an event from alternating keys and values, sorted by key.
// It panics on an odd count or a repeated key (programming errors).
func NewEvent(module, typ string, kv ...string) Event {
	if len(kv)%2 != 0 {
		panic("chain.NewEvent: odd number of key/value strings")
	}
	attrs := make([]Attr, len(kv)/2)
	for i := range attrs {
		attrs[i] = Attr{Key: kv[2*i], Value: kv[2*i+1]}
	}
	// Insertion sort: events have a handful of attributes.
	for i := 1; i < len(attrs); i++ {
		for j := i; j > 0 && attrs[j].Key < attrs[j-1].Key; j-- {
			attrs[j], attrs[j-1] = attrs[j-1], attrs[j]
		}
	}
	for i := 1; i < len(attrs); i++ {
		if attrs[i].Key == attrs[i-1].Key {
			panic("chain.NewEvent: repeated attribute key " + attrs[i].Key)
		}
	}
	return Event{Module: module, Type: typ, Attrs: attrs}
}

// Attr returns the value of key and whether it is present.
func (e Event) Attr(key string) (string, bool) {
	for _, a := range e.Attrs {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// FullType is Module + "." + Type, the ABCI event type.
func (e Event) FullType() string { return e.Module + "." + e.Type }

// U64 formats an amount or counter for an event attribute.
func U64(v uint64) string { return strconv.FormatUint(v, 10) }

// I64 formats a height for an event attribute.
func I64(v int64) string { return strconv.FormatInt(v, 10) }
