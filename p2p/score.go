package p2p

import (
	"sort"
	"sync"

	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Penalties and rewards of the local peer score. A peer at or below
// BanScore is disconnected and refused (Scores is the host's connection
// gater). Scores are local opinions, never consensus data.
const (
	PenaltyLie       = 100 // sent bytes that do not hash to the CID asked for
	PenaltyViolation = 25  // a malformed, oversized or unknown request or response
	PenaltyTimeout   = 5   // stalled or dropped a transfer
	RewardBlock      = 1   // served a good block (capped at MaxScore)
	BanScore         = -100
	MaxScore         = 100
)

// maxScored bounds the peers Scores remembers. Beyond it, the quarter of
// the entries with the scores nearest zero are forgotten (banned peers and
// well-behaved ones are kept longest).
const maxScored = 4096

// Scores keeps a local score per peer, for at most maxScored peers. It is
// safe for concurrent use.
type Scores struct {
	mu     sync.Mutex
	m      map[peer.ID]int
	events map[peer.ID][]string
	onBan  func(peer.ID)
}

func newScores() *Scores {
	return &Scores{m: make(map[peer.ID]int), events: make(map[peer.ID][]string)}
}

// Score returns p's score (0 for an unknown peer).
func (s *Scores) Score(p peer.ID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[p]
}

// Banned reports whether p's score is at or below BanScore.
func (s *Scores) Banned(p peer.ID) bool { return s.Score(p) <= BanScore }

// Events returns the reasons p was penalized, oldest first (at most 32).
func (s *Scores) Events(p peer.ID) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events[p]...)
}

// Penalize lowers p's score by amount for reason.
func (s *Scores) Penalize(p peer.ID, amount int, reason string) {
	s.mu.Lock()
	was := s.m[p]
	s.m[p] = was - amount
	if ev := s.events[p]; len(ev) < 32 {
		s.events[p] = append(ev, reason)
	}
	banned := was > BanScore && s.m[p] <= BanScore
	onBan := s.onBan
	s.pruneLocked()
	s.mu.Unlock()
	if banned && onBan != nil {
		onBan(p)
	}
}

// Reward raises p's score by amount, up to MaxScore.
func (s *Scores) Reward(p peer.ID, amount int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[p] = min(MaxScore, s.m[p]+amount)
	s.pruneLocked()
}

// pruneLocked forgets the entries nearest zero when there are more than
// maxScored: down to 3/4 of it, so the sort is paid once per maxScored/4
// new peers.
func (s *Scores) pruneLocked() {
	if len(s.m) <= maxScored {
		return
	}
	ps := make([]peer.ID, 0, len(s.m))
	for p := range s.m {
		ps = append(ps, p)
	}
	abs := func(v int) int { return max(v, -v) }
	sort.Slice(ps, func(i, j int) bool { return abs(s.m[ps[i]]) < abs(s.m[ps[j]]) })
	for _, p := range ps[:len(ps)-maxScored*3/4] {
		delete(s.m, p)
		delete(s.events, p)
	}
}

// Rank sorts peers best score first (stable for equal scores).
func (s *Scores) Rank(ps []peer.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sort.SliceStable(ps, func(i, j int) bool { return s.m[ps[i]] > s.m[ps[j]] })
}

// gater refuses banned peers.
type gater struct{ s *Scores }

var _ connmgr.ConnectionGater = gater{}

func (g gater) InterceptPeerDial(p peer.ID) bool                                { return !g.s.Banned(p) }
func (g gater) InterceptAddrDial(p peer.ID, _ ma.Multiaddr) bool                { return !g.s.Banned(p) }
func (g gater) InterceptAccept(network.ConnMultiaddrs) bool                     { return true }
func (g gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }
func (g gater) InterceptSecured(_ network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	return !g.s.Banned(p)
}
