package sortition

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"

	"tangent/verify/seedrand"
	"tangent/verify/vrf"
)

// Volunteer is one candidate of a lowest-output draw: its address and its
// verified VRF output for the draw's alpha.
type Volunteer struct {
	Address []byte
	Output  vrf.Output
}

// Errors returned by Lowest and Committee.
var (
	// ErrNoCandidates: the draw has nobody (or nobody with stake) to pick.
	ErrNoCandidates = errors.New("sortition: no candidates")
	// ErrNotSorted: members are not sorted by address, strictly ascending
	// (a repeated address is also rejected).
	ErrNotSorted = errors.New("sortition: members must be sorted by address with no repeats")
)

// Lowest returns the index of the winner: the smallest output, ties broken
// by the smaller address. The caller must have verified every output.
func Lowest(vs []Volunteer) (int, error) {
	if len(vs) == 0 {
		return -1, ErrNoCandidates
	}
	best := 0
	for i := 1; i < len(vs); i++ {
		c := bytes.Compare(vs[i].Output[:], vs[best].Output[:])
		if c < 0 || c == 0 && bytes.Compare(vs[i].Address, vs[best].Address) < 0 {
			best = i
		}
	}
	return best, nil
}

// Alpha builds a VRF input from a domain and parts, each length-prefixed so
// that different part lists never give the same bytes, e.g.
// Alpha("tangent/solver/v1", jobID, beaconAfterDeadline).
func Alpha(domain string, parts ...[]byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(domain)))
	out = append(out, domain...)
	for _, p := range parts {
		out = binary.BigEndian.AppendUint32(out, uint32(len(p)))
		out = append(out, p...)
	}
	return out
}

// Member is one entry of a committee draw.
type Member struct {
	Address []byte
	Stake   uint64
}

// committeeDomain separates committee draws from other uses of a seed.
const committeeDomain = "tangent/sortition/committee/v1"

// Committee draws k distinct members with probability proportional to stake,
// without replacement, and returns their indices in draw order. Members
// must be sorted by address, strictly ascending; members with zero stake are
// never drawn. It fails if fewer than k members have stake or if the total
// stake overflows uint64.
func Committee(seed []byte, members []Member, k int) ([]int, error) {
	var total uint64
	positive := 0
	for i, m := range members {
		if i > 0 && bytes.Compare(members[i-1].Address, m.Address) >= 0 {
			return nil, fmt.Errorf("%w: %x then %x", ErrNotSorted, members[i-1].Address, m.Address)
		}
		var carry uint64
		total, carry = bits.Add64(total, m.Stake, 0)
		if carry != 0 {
			return nil, errors.New("sortition: total stake overflows uint64")
		}
		if m.Stake > 0 {
			positive++
		}
	}
	if k < 0 || k > positive {
		return nil, fmt.Errorf("%w: %d members with stake, committee of %d", ErrNoCandidates, positive, k)
	}
	st := seedrand.New(committeeDomain, seed)
	taken := make([]bool, len(members))
	out := make([]int, 0, k)
	for range k {
		r := st.Below(total)
		for i, m := range members {
			if taken[i] {
				continue
			}
			if r < m.Stake {
				taken[i] = true
				out = append(out, i)
				total -= m.Stake
				break
			}
			r -= m.Stake
		}
	}
	return out, nil
}
