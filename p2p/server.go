package p2p

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"tangent/store"
)

// serveBufSize is what a serving stream reserves from the resource manager:
// one block buffer plus the reader and writer buffers.
const serveBufSize = store.MaxBlockSize + 64<<10

// streamMemory is the resource manager's memory limit per stream: room for
// serveBufSize and the largest proof (MaxChallengeCount chunks) at
// ReservationPriorityMedium (60% of the limit).
const streamMemory = 2 * (serveBufSize + store.MaxChallengeCount*store.MaxBlockSize)

var blockBufs = sync.Pool{New: func() any { b := make([]byte, store.MaxBlockSize); return &b }}

// handleStream serves requests on one inbound stream until the peer closes
// it, goes idle, or breaks the protocol. Violations cost the requester: the
// stream is closed after one Error frame and the peer scored down (banned
// after a few).
func (n *Node) handleStream(s network.Stream) {
	p := s.Conn().RemotePeer()
	if n.scores.Banned(p) {
		s.Reset()
		return
	}
	if err := s.Scope().ReserveMemory(serveBufSize, network.ReservationPriorityHigh); err != nil {
		n.writeErrorAndClose(s, bufio.NewWriter(s), CodeBusy, "resource limit reached: "+err.Error())
		return
	}
	defer s.Scope().ReleaseMemory(serveBufSize)
	bp := blockBufs.Get().(*[]byte)
	defer blockBufs.Put(bp)
	br := bufio.NewReaderSize(s, 4<<10)
	bw := bufio.NewWriterSize(s, 32<<10)
	for {
		s.SetReadDeadline(time.Now().Add(n.limits.IdleTimeout))
		req, err := ReadRequest(br)
		if err != nil {
			if err == io.EOF {
				s.Close()
				return
			}
			var we *WireError
			if errors.As(err, &we) {
				n.writeErrorAndClose(s, bw, we.Code, we.Msg)
				n.scores.Penalize(p, PenaltyViolation, "bad request: "+we.Msg)
				return
			}
			s.Reset() // timeout or reset: nothing to answer
			return
		}
		s.SetReadDeadline(time.Time{})
		// A peer that stops reading (say after pipelining requests) must
		// not hold the stream, this goroutine and its buffers: writes time
		// out after IdleTimeout and the stream is reset.
		n.writeDeadline(s)
		var werr error
		switch req.Type {
		case MsgGetBlock:
			werr = n.serveBlock(s, bw, req, *bp)
		case MsgProve:
			werr = n.serveProof(s, bw, req)
		}
		if werr == nil && br.Buffered() == 0 {
			werr = bw.Flush() // flush only when no pipelined request waits
		}
		if werr != nil {
			s.Reset()
			return
		}
		s.SetWriteDeadline(time.Time{})
	}
}

func (n *Node) serveBlock(s network.Stream, bw *bufio.Writer, req Request, buf []byte) error {
	data, err := n.source.ReadBlock(req.CID, buf)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			_, err = bw.Write(AppendError(nil, CodeNotFound, req.CID.String()))
			return err
		}
		var ce *store.CorruptError
		if errors.As(err, &ce) {
			_, err = bw.Write(AppendError(nil, CodeNotFound, req.CID.String()+" (local copy was corrupt)"))
			return err
		}
		n.log.Warn("p2p: serving block failed", "cid", req.CID, "err", err)
		_, err = bw.Write(AppendError(nil, CodeInternal, "read failed"))
		return err
	}
	if wait := n.rate.reserve(s.Conn().RemotePeer(), len(data)); wait > 0 {
		if err := bw.Flush(); err != nil {
			return err
		}
		time.Sleep(wait)
		n.writeDeadline(s) // the wait is ours, not the peer's
	}
	var h [frameHeader]byte
	if _, err := bw.Write(AppendBlockHeader(h[:0], len(data))); err != nil {
		return err
	}
	_, err = bw.Write(data) // a large write goes straight to the stream
	return err
}

// serveProof answers a Prove request. Its cost falls on the requester like
// a block's: a peer in debt with the rate limiter waits before the proof is
// built, the proof's memory (up to Count chunks) is reserved from the
// stream's scope, and its bytes are charged before they are sent.
func (n *Node) serveProof(s network.Stream, bw *bufio.Writer, req Request) error {
	p := s.Conn().RemotePeer()
	if wait := n.rate.reserve(p, 0); wait > 0 {
		if err := bw.Flush(); err != nil {
			return err
		}
		time.Sleep(wait)
		n.writeDeadline(s) // the wait is ours, not the peer's
	}
	mem := min(max(req.Challenge.Count, 1), store.MaxChallengeCount) * store.MaxBlockSize
	if err := s.Scope().ReserveMemory(mem, network.ReservationPriorityMedium); err != nil {
		_, err = bw.Write(AppendError(nil, CodeBusy, "resource limit reached: "+err.Error()))
		return err
	}
	defer s.Scope().ReleaseMemory(mem)
	pr, err := n.source.Prove(req.CID, req.Challenge)
	if err != nil {
		code := CodeInternal
		if errors.Is(err, store.ErrNotFound) {
			code = CodeNotFound
		}
		_, err = bw.Write(AppendError(nil, code, fmt.Sprintf("cannot prove %s: %v", req.CID, err)))
		return err
	}
	size := frameHeader + binary.MaxVarintLen64
	for _, c := range pr.Chunks {
		size += len(c.Data) + 2*binary.MaxVarintLen64 + len(c.Proof.Encode())
	}
	if wait := n.rate.reserve(p, size); wait > 0 {
		if err := bw.Flush(); err != nil {
			return err
		}
		time.Sleep(wait)
		n.writeDeadline(s) // the wait is ours, not the peer's
	}
	return writeProof(bw, pr)
}

// writeDeadline gives the peer IdleTimeout to take what is written next.
func (n *Node) writeDeadline(s network.Stream) {
	s.SetWriteDeadline(time.Now().Add(n.limits.IdleTimeout))
}

func (n *Node) writeErrorAndClose(s network.Stream, bw *bufio.Writer, code ErrorCode, msg string) {
	s.SetWriteDeadline(time.Now().Add(5 * time.Second))
	bw.Write(AppendError(nil, code, msg))
	bw.Flush()
	s.CloseWrite()
	// Do not read what else the peer sends: reset after a short grace so
	// the error frame gets out.
	time.AfterFunc(time.Second, func() { s.Reset() })
}
