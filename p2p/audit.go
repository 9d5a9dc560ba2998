package p2p

import (
	"context"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"

	"tangent/store"
)

// Challenge asks provider p for an availability proof of blob c (the
// challenge's Deadline is not sent: the challenger records when the answer
// arrives and passes that height to store.CheckProof). A provider that does
// not answer within timeout has failed the challenge as far as the caller is
// concerned.
func (n *Node) Challenge(ctx context.Context, p peer.ID, c cid.Cid, ch store.Challenge, timeout time.Duration) (store.Proof, error) {
	resp, err := n.roundTrip(ctx, p, Request{Type: MsgProve, CID: c, Challenge: ch}, timeout)
	if err != nil {
		return store.Proof{}, err
	}
	switch resp.Type {
	case MsgProof:
		return resp.Proof, nil
	case MsgError:
		return store.Proof{}, resp.Err
	}
	n.scores.Penalize(p, PenaltyViolation, "answered Prove with the wrong message type")
	return store.Proof{}, violation("unexpected response type 0x%02x", resp.Type)
}
