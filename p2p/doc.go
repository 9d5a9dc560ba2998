// Package p2p moves blobs between Tangent nodes over go-libp2p.
//
// A Node is a libp2p host whose identity is the node's ed25519 key, the key
// type of ledger accounts (PeerIDFromPubKey and PubKeyFromPeerID convert
// between the two spellings). Connections are TCP, secured with TLS 1.3 or
// Noise, multiplexed with yamux; the libp2p resource manager bounds the
// streams and memory of every peer, a token bucket bounds the bytes served
// to each (blocks and proofs alike), an inbound stream that sends no request
// or takes no response for Limits.IdleTimeout is closed, and a local score
// (Scores) bans peers that lie or break the protocol.
//
// The protocol /tangent/blob/1.0.0 (wire.go) asks for one block (a raw blob,
// a chunk, or a manifest) by CID, or for an availability proof. Messages are
// length-prefixed, versioned frames with a hard size limit per type; a
// malformed or oversized request gets one Error frame, its stream is closed
// and the requester is scored down: the cost falls on the requester.
//
// Fetch gets a blob: the root block from the first provider that has it,
// then the chunks in parallel from every provider, several pipelined
// requests per stream, each chunk verified against its CID and its length
// in the manifest before it is stored; what it has stored is kept if it
// fails or the process dies, and a later Fetch of the same blob resumes
// from it. Chunks a provider cannot or will not deliver (it lacks them, it
// died, it stalled past the timeout, it stayed busy for a chunk eight
// times, it sent bytes that do not match) go to the other providers; a liar
// is banned. A manifest whose chunks hash right but have the wrong lengths
// can never be satisfied: its fetch fails. Providers come from FetchOptions,
// the node's peer list (Config.Peers, AddPeer, Connect) or, with Config.DHT,
// a Kademlia DHT of Tangent nodes (prefix /tangent: Provide, FindProviders);
// the ledger's storage registrations will feed the list later. A CID naming
// an erasure-coded shard set is fetched shard by shard until any K are in,
// then rebuilt. Challenge asks a provider for an availability proof, which
// store.CheckProof judges.
//
// Caller's duties: create the Node with a Store (where fetched blobs go and
// what is served), Close it when done; pass a context to bound a fetch.
// Fetch is safe to call concurrently. Nothing here reads the ledger: which
// blobs to fetch, keep and challenge is decided by the caller.
package p2p
