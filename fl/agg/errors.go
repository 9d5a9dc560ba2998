package agg

import (
	"errors"
	"fmt"
)

// ErrNoUpdates is returned by every rule when it is given no updates.
var ErrNoUpdates = errors.New("agg: no updates to aggregate")

// ErrOverflow is returned when a coordinate of the aggregate of finite
// updates does not fit in float32 (only possible with elements near ±3.4e38).
var ErrOverflow = errors.New("agg: aggregate overflows float32")

// InputError reports an update the rule cannot use. Index is the update's
// position in the slice passed in; Elem is the offending element, or -1 when
// the problem is the whole update (its length).
type InputError struct {
	Index  int
	Elem   int
	Reason string
}

func (e *InputError) Error() string {
	if e.Elem >= 0 {
		return fmt.Sprintf("agg: update %d, element %d: %s", e.Index, e.Elem, e.Reason)
	}
	return fmt.Sprintf("agg: update %d: %s", e.Index, e.Reason)
}

// ParamError reports a parameter the rule cannot work with (a weight count
// that does not match, a trim or f too large for the number of updates).
type ParamError struct {
	Rule   string
	Reason string
}

func (e *ParamError) Error() string { return "agg: " + e.Rule + ": " + e.Reason }
