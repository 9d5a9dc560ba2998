package p2p

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"tangent/store"
)

// FetchOptions configures Fetch. Zero fields take defaults.
type FetchOptions struct {
	// Providers to fetch from (default: the node's peer list).
	Providers []peer.ID
	// Retention of the fetched blob in the local store.
	Retention store.Retention
	// Progress, if set, is called after each verified chunk (serialized).
	Progress func(Progress)
	// Window is the number of requests in flight per stream (default 4).
	Window int
	// StreamsPerProvider is the number of parallel streams per provider
	// (default 4): the provider serves each stream in its own goroutine.
	StreamsPerProvider int
	// Timeout bounds the wait for one response (default 30s); a provider
	// that stalls longer is dropped and its chunks go to others.
	Timeout time.Duration
	// ManifestOnly, for a shard set, stores the shard manifest and stops:
	// a provider that will hold one shard fetches the manifest this way.
	ManifestOnly bool
}

// Progress reports a transfer.
type Progress struct {
	CID         cid.Cid
	Done, Total int64 // bytes verified and stored, of the blob's size
	Providers   int   // providers still serving
}

// FetchError is returned when a blob could not be completed from the
// providers at hand.
type FetchError struct {
	CID     cid.Cid
	Missing int      // chunks still missing (-1: the root itself)
	Tried   []string // per provider, what went wrong
}

func (e *FetchError) Error() string {
	what := fmt.Sprintf("%d chunks", e.Missing)
	if e.Missing < 0 {
		what = "its manifest"
	}
	return fmt.Sprintf("p2p: could not fetch %s: %s missing after trying %d providers %v; add providers that have it (--peer)", e.CID, what, len(e.Tried), e.Tried)
}

// ErrNoProviders is returned by Fetch when there is nobody to ask.
var ErrNoProviders = errors.New("p2p: no providers to fetch from; pass --peer MULTIADDR or add peers")

func (o FetchOptions) withDefaults() FetchOptions {
	if o.Window <= 0 {
		o.Window = 4
	}
	if o.StreamsPerProvider <= 0 {
		o.StreamsPerProvider = 4
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	return o
}

// Fetch gets blob c into the local store from providers: the root block
// (raw blob or manifest) first, then the chunks in parallel over every
// provider with pipelined requests, each verified against its CID on
// arrival. Chunks already in the store are not fetched again, and those of
// an interrupted fetch are kept across restarts and GCs for the store's
// PartialGrace (store.Batch.KeepPartial), so an interrupted fetch resumes.
// A provider that sends bytes that do not match is penalized (banned) and
// its chunks fetched elsewhere; one that dies or stalls is dropped and its
// chunks fetched elsewhere. If c names a shard set
// (store.ShardManifest), Fetch gets enough shards and rebuilds the blob, and
// returns the rebuilt blob's Info.
func (n *Node) Fetch(ctx context.Context, c cid.Cid, opts FetchOptions) (store.Info, error) {
	if n.store == nil {
		return store.Info{}, errors.New("p2p: this node has no store to fetch into")
	}
	if _, err := store.DigestOf(c); err != nil {
		return store.Info{}, err
	}
	opts = opts.withDefaults()
	if info, err := n.store.Stat(c); err == nil && info.Complete {
		if info.Kind == store.KindShards && !opts.ManifestOnly {
			sm, err := n.store.ShardManifestOf(c)
			if err != nil {
				return store.Info{}, err
			}
			return n.fetchShardSet(ctx, sm, opts)
		}
		if info.Retention.Pinned != opts.Retention.Pinned || info.Retention.KeepUntil < opts.Retention.KeepUntil {
			return n.commitExisting(c, opts.Retention)
		}
		return info, nil
	}
	provs := opts.Providers
	if len(provs) == 0 {
		if n.dht != nil {
			// Providers that announced c first, then the peer list.
			fctx, cancel := context.WithTimeout(ctx, min(opts.Timeout, 10*time.Second))
			found, _ := n.FindProviders(fctx, c, 20)
			cancel()
			for _, ai := range found {
				provs = append(provs, ai.ID)
			}
		}
		provs = append(provs, n.Peers()...)
	}
	provs = n.usable(provs)
	if len(provs) == 0 {
		return store.Info{}, ErrNoProviders
	}
	root, provs, tried, err := n.fetchRoot(ctx, c, provs, opts.Timeout)
	if err != nil {
		return store.Info{}, err
	}
	batch := n.store.NewBatch()
	defer batch.Abort()
	if err := batch.PutBlock(c, root); err != nil {
		return store.Info{}, err
	}
	if c.Type() == store.CodecRaw {
		if opts.Progress != nil {
			opts.Progress(Progress{CID: c, Done: int64(len(root)), Total: int64(len(root)), Providers: len(provs)})
		}
		return batch.Commit(c, opts.Retention)
	}
	m, err := store.DecodeManifest(root)
	if err != nil {
		sm, serr := store.DecodeShardManifest(root)
		if serr != nil {
			return store.Info{}, fmt.Errorf("p2p: %s is neither a blob manifest (%v) nor a shard set (%v)", c, err, serr)
		}
		if _, err := batch.Commit(c, opts.Retention); err != nil {
			return store.Info{}, err
		}
		if opts.ManifestOnly {
			return n.store.Stat(c)
		}
		return n.fetchShardSet(ctx, sm, opts)
	}
	if m.Size > n.store.MaxBlobSize() {
		return store.Info{}, &store.TooLargeError{Size: m.Size, Limit: n.store.MaxBlobSize()}
	}
	if used, quota := n.store.Usage(); quota > 0 && m.Size > quota {
		// It can never fit; the exact check happens per chunk.
		return store.Info{}, &store.QuotaError{Need: m.Size, Used: used, Quota: quota}
	}
	// Keep what arrives even if this fetch fails or the process dies, so
	// that a later fetch resumes (for store.Options.PartialGrace heights).
	if err := batch.KeepPartial(c); err != nil {
		n.log.Warn("p2p: cannot record the fetch for resuming; an interrupted fetch will start over", "cid", c, "err", err)
	}
	f := &fetch{
		n: n, ctx: ctx, c: c, m: &m, batch: batch, opts: opts,
		liars: make(map[peer.ID]bool), notes: tried,
	}
	f.sched = newSched(len(m.Chunks))
	var have int64
	for i := range m.Chunks {
		if batch.Have(m.ChunkCID(i)) {
			f.sched.left--
			have += int64(m.ChunkLen(i))
		} else {
			f.sched.queue = append(f.sched.queue, i)
		}
	}
	f.done.Store(have)
	if err := f.run(provs); err != nil {
		return store.Info{}, err
	}
	return batch.Commit(c, opts.Retention)
}

func (n *Node) commitExisting(c cid.Cid, r store.Retention) (store.Info, error) {
	info, err := n.store.Stat(c)
	if err != nil {
		return info, err
	}
	b := n.store.NewBatch()
	defer b.Abort()
	return b.Commit(c, r)
}

func (n *Node) usable(ps []peer.ID) []peer.ID {
	var out []peer.ID
	seen := map[peer.ID]bool{}
	for _, p := range ps {
		if p != n.host.ID() && !seen[p] && !n.scores.Banned(p) {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// fetchRoot asks providers in turn for block c and returns its verified
// bytes, the providers worth asking for the rest (those that did not say
// they lack it), and notes on the others.
func (n *Node) fetchRoot(ctx context.Context, c cid.Cid, provs []peer.ID, timeout time.Duration) ([]byte, []peer.ID, []string, error) {
	var tried []string
	for i, p := range provs {
		data, err := n.getBlock(ctx, p, c, timeout)
		if err == nil {
			if verr := store.VerifyBlock(c, data); verr != nil {
				n.scores.Penalize(p, PenaltyLie, "sent a block that does not match "+c.String())
				tried = append(tried, fmt.Sprintf("%s: sent wrong bytes", p.ShortString()))
				continue
			}
			rest := append([]peer.ID{p}, provs[i+1:]...)
			return data, rest, tried, nil
		}
		if ctx.Err() != nil {
			return nil, nil, tried, ctx.Err()
		}
		tried = append(tried, fmt.Sprintf("%s: %v", p.ShortString(), err))
	}
	return nil, nil, tried, &FetchError{CID: c, Missing: -1, Tried: tried}
}

// getBlock requests one block over a fresh stream.
func (n *Node) getBlock(ctx context.Context, p peer.ID, c cid.Cid, timeout time.Duration) ([]byte, error) {
	resp, err := n.roundTrip(ctx, p, Request{Type: MsgGetBlock, CID: c}, timeout)
	if err != nil {
		return nil, err
	}
	switch resp.Type {
	case MsgBlock:
		return resp.Data, nil
	case MsgError:
		return nil, resp.Err
	}
	n.scores.Penalize(p, PenaltyViolation, "answered GetBlock with the wrong message type")
	return nil, violation("unexpected response type 0x%02x", resp.Type)
}

// roundTrip sends one request on a new stream and reads its response.
func (n *Node) roundTrip(ctx context.Context, p peer.ID, req Request, timeout time.Duration) (Response, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s, err := n.host.NewStream(ctx, p, ProtocolID)
	if err != nil {
		return Response{}, err
	}
	defer s.Close()
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()
	s.SetDeadline(time.Now().Add(timeout))
	if _, err := s.Write(AppendRequest(nil, req)); err != nil {
		return Response{}, err
	}
	resp, err := ReadResponse(bufio.NewReaderSize(s, 64<<10), nil)
	if err != nil {
		if errIsViolation(err) {
			n.scores.Penalize(p, PenaltyViolation, "malformed response: "+err.Error())
		}
		return Response{}, err
	}
	return resp, nil
}

// ---- the chunk phase ----

type fetch struct {
	n     *Node
	ctx   context.Context
	c     cid.Cid
	m     *store.Manifest
	batch *store.Batch
	opts  FetchOptions
	sched *sched
	done  atomic.Int64

	mu        sync.Mutex
	liars     map[peer.ID]bool
	notes     []string
	live      map[peer.ID]int
	busyCount map[busyKey]int
	progress  sync.Mutex
}

type verifyJob struct {
	idx  int
	from peer.ID
	buf  *[]byte
	data []byte
}

func (f *fetch) run(provs []peer.ID) error {
	if f.sched.left == 0 {
		return nil
	}
	stop := context.AfterFunc(f.ctx, func() { f.sched.fatal(f.ctx.Err()) })
	defer stop()
	jobs := make(chan verifyJob, runtime.GOMAXPROCS(0))
	var vwg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		vwg.Add(1)
		go func() {
			defer vwg.Done()
			for j := range jobs {
				f.verify(j)
			}
		}()
	}
	f.live = make(map[peer.ID]int)
	var wg sync.WaitGroup
	for _, p := range provs {
		for range f.opts.StreamsPerProvider {
			f.mu.Lock()
			f.live[p]++
			f.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := f.worker(p, jobs)
				f.mu.Lock()
				f.live[p]--
				if err != nil && f.live[p] == 0 {
					f.notes = append(f.notes, fmt.Sprintf("%s: %v", p.ShortString(), err))
				}
				f.mu.Unlock()
				f.sched.wake()
			}()
		}
	}
	wg.Wait()
	close(jobs)
	vwg.Wait()
	f.sched.mu.Lock()
	left, err := f.sched.left, f.sched.err
	f.sched.mu.Unlock()
	if err != nil {
		return err
	}
	if left > 0 {
		return &FetchError{CID: f.c, Missing: left, Tried: f.notes}
	}
	return nil
}

// A provider that answers Busy (or RateLimited) for the same chunk maxBusy
// times is not asked for it again; between tries a worker waits busyBackoff.
const (
	maxBusy     = 8
	busyBackoff = 50 * time.Millisecond
)

type busyKey struct {
	idx int
	p   peer.ID
}

// busy counts a Busy answer of p for chunk idx and reports whether p has
// now said so maxBusy times.
func (f *fetch) busy(idx int, p peer.ID) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.busyCount == nil {
		f.busyCount = make(map[busyKey]int)
	}
	k := busyKey{idx, p}
	f.busyCount[k]++
	return f.busyCount[k] >= maxBusy
}

func (f *fetch) isLiar(p peer.ID) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.liars[p]
}

func (f *fetch) activeProviders() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := 0
	for p, v := range f.live {
		if v > 0 && !f.liars[p] {
			k++
		}
	}
	return k
}

// verify checks and stores one received chunk.
func (f *fetch) verify(j verifyJob) {
	defer blockBufs.Put(j.buf)
	cc := f.m.ChunkCID(j.idx)
	if want := chunkLen(f.m, j.idx); len(j.data) != want {
		if store.VerifyBlock(cc, j.data) == nil {
			// The bytes hash to the manifest's link but have the wrong
			// length: the manifest itself is inconsistent and no provider
			// can satisfy it.
			f.sched.fatal(fmt.Errorf("p2p: blob %s has an inconsistent manifest: chunk %d hashes to %d bytes, but its size %d in chunks of %d needs %d; it cannot be fetched", f.c, j.idx, len(j.data), f.m.Size, f.m.ChunkSize, want))
			f.sched.fail(j.idx, j.from)
			return
		}
		f.lie(j, fmt.Sprintf("%d bytes, want %d", len(j.data), want))
		return
	}
	err := f.batch.PutBlock(cc, j.data)
	var me *store.MismatchError
	switch {
	case errors.As(err, &me):
		f.lie(j, "did not match its CID")
	case err != nil:
		f.sched.fatal(err)
	default:
		f.n.scores.Reward(j.from, RewardBlock)
		f.sched.finish()
		done := f.done.Add(int64(len(j.data)))
		if f.opts.Progress != nil {
			f.progress.Lock()
			f.opts.Progress(Progress{CID: f.c, Done: done, Total: f.m.Size, Providers: f.activeProviders()})
			f.progress.Unlock()
		}
	}
}

// lie records that j.from sent a bad chunk: it is banned and the chunk
// fetched elsewhere.
func (f *fetch) lie(j verifyJob, what string) {
	f.mu.Lock()
	f.liars[j.from] = true
	f.notes = append(f.notes, fmt.Sprintf("%s: sent wrong bytes for chunk %d (%s)", j.from.ShortString(), j.idx, what))
	f.mu.Unlock()
	f.n.log.Warn("p2p: provider sent a corrupt chunk; fetching it elsewhere", "peer", j.from, "cid", f.c, "chunk", j.idx, "fault", what)
	f.n.scores.Penalize(j.from, PenaltyLie, fmt.Sprintf("chunk %d of %s: %s", j.idx, f.c, what))
	f.sched.fail(j.idx, j.from)
}

// chunkLen is the length manifest m requires of chunk i: ChunkSize for all
// but the last, which holds the remainder of Size.
func chunkLen(m *store.Manifest, i int) int {
	if i == len(m.Chunks)-1 {
		return int(m.Size - int64(i)*int64(m.ChunkSize))
	}
	return m.ChunkSize
}

// worker runs one pipelined stream to provider p until there is nothing
// left it can fetch, or the provider fails, stalls or lies.
func (f *fetch) worker(p peer.ID, jobs chan<- verifyJob) (err error) {
	var pending []int
	defer func() {
		for _, idx := range pending {
			f.sched.fail(idx, p)
		}
	}()
	ctx, cancel := context.WithTimeout(f.ctx, f.opts.Timeout)
	s, err := f.n.host.NewStream(ctx, p, ProtocolID)
	cancel()
	if err != nil {
		f.n.scores.Penalize(p, PenaltyTimeout, "could not open a stream")
		return err
	}
	window := f.opts.Window
	reserved := window * store.MaxBlockSize
	if s.Scope().ReserveMemory(reserved, network.ReservationPriorityMedium) != nil {
		window, reserved = 1, 0
	}
	defer s.Scope().ReleaseMemory(reserved)
	stop := context.AfterFunc(f.ctx, func() { s.Reset() })
	defer stop()
	br := bufio.NewReaderSize(s, 64<<10)
	bw := bufio.NewWriterSize(s, 4<<10)
	fail := func(e error, penalty int, why string) error {
		s.Reset()
		if penalty > 0 {
			f.n.scores.Penalize(p, penalty, why)
		}
		return e
	}
	var req [frameHeader + MaxCIDBytes]byte
	for {
		if f.isLiar(p) {
			s.Reset()
			return errors.New("sent corrupt data")
		}
		for len(pending) < window {
			idx, ok := f.sched.next(p, len(pending) == 0)
			if !ok {
				break
			}
			if _, err := bw.Write(AppendRequest(req[:0], Request{Type: MsgGetBlock, CID: f.m.ChunkCID(idx)})); err != nil {
				f.sched.fail(idx, p)
				return fail(err, PenaltyTimeout, "stream write failed")
			}
			pending = append(pending, idx)
		}
		if len(pending) == 0 {
			s.Close()
			return nil
		}
		if err := bw.Flush(); err != nil {
			return fail(err, PenaltyTimeout, "stream write failed")
		}
		s.SetReadDeadline(time.Now().Add(f.opts.Timeout))
		bp := blockBufs.Get().(*[]byte)
		resp, err := ReadResponse(br, *bp)
		if err != nil {
			blockBufs.Put(bp)
			if errIsViolation(err) {
				return fail(err, PenaltyViolation, "malformed response: "+err.Error())
			}
			if f.ctx.Err() != nil {
				return fail(f.ctx.Err(), 0, "")
			}
			return fail(err, PenaltyTimeout, "transfer failed: "+err.Error())
		}
		idx := pending[0]
		pending = pending[1:]
		switch resp.Type {
		case MsgBlock:
			select {
			case jobs <- verifyJob{idx: idx, from: p, buf: bp, data: resp.Data}:
			case <-f.ctx.Done():
				blockBufs.Put(bp)
				f.sched.fail(idx, p)
				return fail(f.ctx.Err(), 0, "")
			}
		case MsgError:
			blockBufs.Put(bp)
			switch resp.Err.Code {
			case CodeBusy, CodeRateLimited:
				if f.busy(idx, p) {
					// Busy for this chunk too often: let others have it.
					f.sched.fail(idx, p)
					f.n.scores.Penalize(p, PenaltyTimeout, fmt.Sprintf("busy %d times for chunk %d of %s", maxBusy, idx, f.c))
					continue
				}
				f.sched.retry(idx)
				select {
				case <-time.After(busyBackoff):
				case <-f.ctx.Done():
					return fail(f.ctx.Err(), 0, "")
				}
			default:
				f.sched.fail(idx, p) // it lacks this chunk: others may have it
			}
		default:
			blockBufs.Put(bp)
			f.sched.fail(idx, p)
			return fail(violation("unexpected response type 0x%02x", resp.Type), PenaltyViolation, "answered GetBlock with the wrong message type")
		}
	}
}

// sched hands out chunk indices to workers. A chunk that failed at a
// provider is not given to that provider again.
type sched struct {
	mu       sync.Mutex
	cond     *sync.Cond
	queue    []int
	excluded map[int]map[peer.ID]bool
	inflight int
	left     int
	err      error
}

func newSched(n int) *sched {
	s := &sched{left: n, excluded: make(map[int]map[peer.ID]bool)}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// next returns a chunk for p. If block, it waits while chunks are in flight
// elsewhere (they may come back); it returns false when there is nothing p
// can do.
func (s *sched) next(p peer.ID, block bool) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.err != nil || s.left == 0 {
			return 0, false
		}
		for i, idx := range s.queue {
			if !s.excluded[idx][p] {
				s.queue = append(s.queue[:i], s.queue[i+1:]...)
				s.inflight++
				return idx, true
			}
		}
		if !block || s.inflight == 0 {
			return 0, false
		}
		s.cond.Wait()
	}
}

func (s *sched) finish() {
	s.mu.Lock()
	s.inflight--
	s.left--
	s.mu.Unlock()
	s.cond.Broadcast()
}

func (s *sched) fail(idx int, p peer.ID) {
	s.mu.Lock()
	s.inflight--
	if s.excluded[idx] == nil {
		s.excluded[idx] = make(map[peer.ID]bool)
	}
	s.excluded[idx][p] = true
	s.queue = append(s.queue, idx)
	s.mu.Unlock()
	s.cond.Broadcast()
}

func (s *sched) retry(idx int) {
	s.mu.Lock()
	s.inflight--
	s.queue = append(s.queue, idx)
	s.mu.Unlock()
	s.cond.Broadcast()
}

func (s *sched) fatal(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.cond.Broadcast()
}

func (s *sched) wake() { s.cond.Broadcast() }
