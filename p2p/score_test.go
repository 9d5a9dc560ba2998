package p2p

import (
	"fmt"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Scores stays bounded however many peers it sees, forgetting the peers
// nearest a neutral score first: banned peers stay banned.
func TestScoresAreBounded(t *testing.T) {
	s := newScores()
	liar := peer.ID("liar")
	s.Penalize(liar, PenaltyLie, "lied")
	good := peer.ID("good")
	s.Reward(good, 50)
	for i := range 3 * maxScored {
		p := peer.ID(fmt.Sprint("p", i))
		if i%2 == 0 {
			s.Reward(p, RewardBlock)
		} else {
			s.Penalize(p, PenaltyTimeout, "slow")
		}
	}
	s.mu.Lock()
	nm, ne := len(s.m), len(s.events)
	s.mu.Unlock()
	if nm > maxScored || ne > maxScored {
		t.Fatalf("%d scores and %d event lists kept, want at most %d", nm, ne, maxScored)
	}
	if !s.Banned(liar) || s.Score(good) != 50 {
		t.Fatalf("liar banned %v, good scored %d: strong opinions were forgotten", s.Banned(liar), s.Score(good))
	}
}
