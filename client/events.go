package client

import (
	abci "github.com/cometbft/cometbft/abci/types"
)

func convertEvents(evs []abci.Event) []Event {
	out := make([]Event, 0, len(evs))
	for _, e := range evs {
		m := make(map[string]string, len(e.Attributes))
		for _, a := range e.Attributes {
			m[a.Key] = a.Value
		}
		out = append(out, Event{Type: e.Type, Attrs: m})
	}
	return out
}

// Find returns the first event of the given type, if any.
func Find(evs []Event, typ string) (Event, bool) {
	for _, e := range evs {
		if e.Type == typ {
			return e, true
		}
	}
	return Event{}, false
}
