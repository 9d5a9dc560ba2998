package p2p

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/ipfs/go-cid"

	"tangent/store"
	"tangent/verify/merkle"
)

// The blob protocol's wire format. Every message is a frame:
//
//	version  1 byte   WireVersion (1)
//	type     1 byte   MsgGetBlock, MsgProve, MsgBlock, MsgProof or MsgError
//	length   4 bytes  big-endian payload length, at most the type's limit
//	payload  length bytes
//
// Payloads (uvarints are unsigned LEB128, minimal):
//
//	GetBlock  the block's binary CID (at most MaxCIDBytes)
//	Prove     uvarint cid length, binary CID, 32-byte seed, uvarint count
//	Block     the block's bytes (at most store.MaxBlockSize)
//	Proof     uvarint n, then n times: uvarint data length, data, uvarint
//	          proof length, the chunk's merkle.InclusionProof in its
//	          canonical encoding (index, tree size, audit path)
//	Error     1-byte ErrorCode, then a UTF-8 message (at most MaxErrorText)
//
// A stream carries any number of requests, answered in order (the client
// may pipeline). A frame with another version, an unknown type, a length
// over its limit, or a payload that does not parse exactly is a protocol
// violation: the server answers with an Error frame, closes the stream and
// scores the requester down.

// WireVersion is the only frame version this code speaks.
const WireVersion = 1

// Message types.
const (
	MsgGetBlock byte = 0x01
	MsgProve    byte = 0x02
	MsgBlock    byte = 0x81
	MsgProof    byte = 0x82
	MsgError    byte = 0xE0
)

// Limits of the wire format.
const (
	frameHeader   = 6
	MaxCIDBytes   = 128
	MaxErrorText  = 512
	maxRequest    = 2*MaxCIDBytes + 64
	maxProofChunk = store.MaxBlockSize + 2*binary.MaxVarintLen64 + merkle.MaxInclusionProofSize
	// MaxProofPayload bounds a Proof frame.
	MaxProofPayload = binary.MaxVarintLen64 + store.MaxChallengeCount*maxProofChunk
)

// ErrorCode classifies an Error frame.
type ErrorCode byte

const (
	CodeNotFound    ErrorCode = 1 // the server does not have the block or blob
	CodeBadRequest  ErrorCode = 2 // malformed, oversized or unknown request: the stream is closed
	CodeBusy        ErrorCode = 3 // resource limits: retry later or elsewhere
	CodeInternal    ErrorCode = 4 // the server failed (disk error)
	CodeBadVersion  ErrorCode = 5 // unknown frame version: the stream is closed
	CodeRateLimited ErrorCode = 6 // too many requests from this peer
)

func (c ErrorCode) String() string {
	switch c {
	case CodeNotFound:
		return "not found"
	case CodeBadRequest:
		return "bad request"
	case CodeBusy:
		return "busy"
	case CodeInternal:
		return "internal error"
	case CodeBadVersion:
		return "unsupported version"
	case CodeRateLimited:
		return "rate limited"
	}
	return fmt.Sprintf("code %d", byte(c))
}

// WireError is a protocol violation found while decoding (Code says how to
// answer it) or an Error frame received from a peer.
type WireError struct {
	Code ErrorCode
	Msg  string
}

func (e *WireError) Error() string {
	return fmt.Sprintf("blob protocol: %s: %s", e.Code, e.Msg)
}

func violation(format string, args ...any) error {
	return &WireError{Code: CodeBadRequest, Msg: fmt.Sprintf(format, args...)}
}

// Request is a decoded request frame.
type Request struct {
	Type      byte
	CID       cid.Cid
	Challenge store.Challenge // MsgProve only; Deadline is not sent
}

// Response is a decoded response frame. Data aliases the buffer passed to
// ReadResponse.
type Response struct {
	Type  byte
	Data  []byte      // MsgBlock
	Proof store.Proof // MsgProof
	Err   *WireError  // MsgError
}

func appendFrame(b []byte, typ byte, payloadLen int) []byte {
	b = append(b, WireVersion, typ)
	return binary.BigEndian.AppendUint32(b, uint32(payloadLen))
}

// AppendRequest appends req's frame to b.
func AppendRequest(b []byte, req Request) []byte {
	cb := req.CID.Bytes()
	switch req.Type {
	case MsgGetBlock:
		b = appendFrame(b, MsgGetBlock, len(cb))
		return append(b, cb...)
	case MsgProve:
		var p []byte
		p = binary.AppendUvarint(p, uint64(len(cb)))
		p = append(p, cb...)
		p = append(p, req.Challenge.Seed[:]...)
		p = binary.AppendUvarint(p, uint64(max(0, req.Challenge.Count)))
		b = appendFrame(b, MsgProve, len(p))
		return append(b, p...)
	}
	panic("p2p: AppendRequest of a non-request type")
}

// readHeader reads a frame header and checks version and length limit.
func readHeader(r io.Reader, limit func(typ byte) (int, bool)) (typ byte, n int, err error) {
	var h [frameHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			return 0, 0, violation("truncated frame header")
		}
		return 0, 0, err // io.EOF between frames: the peer is done
	}
	if h[0] != WireVersion {
		return 0, 0, &WireError{Code: CodeBadVersion, Msg: fmt.Sprintf("frame version %d, this node speaks %d", h[0], WireVersion)}
	}
	typ = h[1]
	max, ok := limit(typ)
	if !ok {
		return 0, 0, violation("unknown message type 0x%02x", typ)
	}
	size := binary.BigEndian.Uint32(h[2:])
	if uint64(size) > uint64(max) {
		return 0, 0, violation("message type 0x%02x of %d bytes, over its limit of %d", typ, size, max)
	}
	return typ, int(size), nil
}

func requestLimit(typ byte) (int, bool) {
	switch typ {
	case MsgGetBlock:
		return MaxCIDBytes, true
	case MsgProve:
		return maxRequest, true
	}
	return 0, false
}

// ReadRequest reads one request frame. It returns io.EOF at a clean end of
// stream, a *WireError for a protocol violation, or the read error.
func ReadRequest(r io.Reader) (Request, error) {
	typ, n, err := readHeader(r, requestLimit)
	if err != nil {
		return Request{}, err
	}
	var buf [maxRequest]byte
	p := buf[:n]
	if _, err := io.ReadFull(r, p); err != nil {
		return Request{}, violation("truncated payload: %v", err)
	}
	return DecodeRequest(typ, p)
}

// DecodeRequest parses a request payload of type typ.
func DecodeRequest(typ byte, p []byte) (Request, error) {
	req := Request{Type: typ}
	switch typ {
	case MsgGetBlock:
		c, err := castCID(p)
		if err != nil {
			return Request{}, err
		}
		req.CID = c
	case MsgProve:
		l, k := binary.Uvarint(p)
		if k <= 0 || l > MaxCIDBytes || uint64(len(p)-k) < l {
			return Request{}, violation("bad CID length in Prove")
		}
		c, err := castCID(p[k : k+int(l)])
		if err != nil {
			return Request{}, err
		}
		req.CID = c
		p = p[k+int(l):]
		if len(p) < 32 {
			return Request{}, violation("truncated seed in Prove")
		}
		copy(req.Challenge.Seed[:], p[:32])
		cnt, k := binary.Uvarint(p[32:])
		if k <= 0 || 32+k != len(p) {
			return Request{}, violation("bad count or trailing bytes in Prove")
		}
		if cnt < 1 || cnt > store.MaxChallengeCount {
			return Request{}, violation("challenge count %d not in [1, %d]", cnt, store.MaxChallengeCount)
		}
		if binary.PutUvarint(make([]byte, binary.MaxVarintLen64), cnt) != k {
			return Request{}, violation("non-minimal count")
		}
		req.Challenge.Count = int(cnt)
	default:
		return Request{}, violation("unknown request type 0x%02x", typ)
	}
	return req, nil
}

func castCID(b []byte) (cid.Cid, error) {
	c, err := cid.Cast(b)
	if err != nil {
		return cid.Undef, violation("bad CID: %v", err)
	}
	if string(c.Bytes()) != string(b) {
		return cid.Undef, violation("CID not in canonical form")
	}
	if _, err := store.DigestOf(c); err != nil {
		return cid.Undef, violation("%s: %v", c, err)
	}
	return c, nil
}

// AppendBlockHeader appends the header of a Block frame of n bytes; the
// caller writes the bytes after it.
func AppendBlockHeader(b []byte, n int) []byte { return appendFrame(b, MsgBlock, n) }

// AppendError appends an Error frame.
func AppendError(b []byte, code ErrorCode, msg string) []byte {
	if len(msg) > MaxErrorText {
		msg = msg[:MaxErrorText]
	}
	for !utf8.ValidString(msg) {
		msg = msg[:len(msg)-1]
	}
	b = appendFrame(b, MsgError, 1+len(msg))
	b = append(b, byte(code))
	return append(b, msg...)
}

// AppendProof appends a Proof frame.
func AppendProof(b []byte, p store.Proof) []byte {
	w := sliceWriter{b}
	writeProof(&w, p)
	return w.b
}

type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// writeProof writes a Proof frame to w in parts (header, then each chunk's
// length, bytes and inclusion proof), so that the chunks are not copied.
func writeProof(w io.Writer, p store.Proof) error {
	encs := make([][]byte, len(p.Chunks))
	n := uvarintLen(uint64(len(p.Chunks)))
	for i, c := range p.Chunks {
		encs[i] = c.Proof.Encode()
		n += uvarintLen(uint64(len(c.Data))) + len(c.Data) + uvarintLen(uint64(len(encs[i]))) + len(encs[i])
	}
	var small [frameHeader + binary.MaxVarintLen64]byte
	b := appendFrame(small[:0], MsgProof, n)
	b = binary.AppendUvarint(b, uint64(len(p.Chunks)))
	if _, err := w.Write(b); err != nil {
		return err
	}
	for i, c := range p.Chunks {
		if _, err := w.Write(binary.AppendUvarint(small[:0], uint64(len(c.Data)))); err != nil {
			return err
		}
		if _, err := w.Write(c.Data); err != nil {
			return err
		}
		b := binary.AppendUvarint(small[:0], uint64(len(encs[i])))
		if _, err := w.Write(append(b, encs[i]...)); err != nil {
			return err
		}
	}
	return nil
}

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], v)
}

func responseLimit(typ byte) (int, bool) {
	switch typ {
	case MsgBlock:
		return store.MaxBlockSize, true
	case MsgProof:
		return MaxProofPayload, true
	case MsgError:
		return 1 + MaxErrorText, true
	}
	return 0, false
}

// ReadResponse reads one response frame, reading a Block's bytes into buf
// if it is large enough. A malformed frame gives a *WireError with
// CodeBadRequest (the server broke the protocol).
func ReadResponse(r *bufio.Reader, buf []byte) (Response, error) {
	typ, n, err := readHeader(r, responseLimit)
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF // a response was due
		}
		return Response{}, err
	}
	p, err := readPayload(r, buf, n)
	if err != nil {
		return Response{}, fmt.Errorf("blob protocol: truncated response: %w", err)
	}
	return DecodeResponse(typ, p)
}

// readPayload reads n bytes into buf if it is large enough; otherwise into
// memory that grows with the bytes that arrive, so a peer whose header
// claims a large payload (up to MaxProofPayload) and then stalls makes us
// hold about what it sent, not what it claimed.
func readPayload(r io.Reader, buf []byte, n int) ([]byte, error) {
	if cap(buf) >= n {
		p := buf[:n]
		_, err := io.ReadFull(r, p)
		return p, err
	}
	const step = 64 << 10
	p := buf[:0]
	for len(p) < n {
		want := min(n, max(len(p)*2, step))
		if cap(p) < want {
			p = append(make([]byte, 0, want), p...)
		}
		k, err := io.ReadFull(r, p[len(p):want])
		p = p[:len(p)+k]
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// DecodeResponse parses a response payload; Data aliases p.
func DecodeResponse(typ byte, p []byte) (Response, error) {
	resp := Response{Type: typ}
	switch typ {
	case MsgBlock:
		resp.Data = p
	case MsgError:
		if len(p) < 1 || !utf8.Valid(p[1:]) {
			return Response{}, violation("malformed error frame")
		}
		resp.Err = &WireError{Code: ErrorCode(p[0]), Msg: string(p[1:])}
	case MsgProof:
		pr, err := decodeProof(p)
		if err != nil {
			return Response{}, err
		}
		resp.Proof = pr
	default:
		return Response{}, violation("unknown response type 0x%02x", typ)
	}
	return resp, nil
}

func decodeProof(p []byte) (store.Proof, error) {
	var pr store.Proof
	uv := func() (uint64, error) {
		v, k := binary.Uvarint(p)
		if k <= 0 {
			return 0, violation("bad varint in proof")
		}
		if binary.PutUvarint(make([]byte, binary.MaxVarintLen64), v) != k {
			return 0, violation("non-minimal varint in proof")
		}
		p = p[k:]
		return v, nil
	}
	n, err := uv()
	if err != nil {
		return pr, err
	}
	if n > store.MaxChallengeCount {
		return pr, violation("proof of %d chunks, over %d", n, store.MaxChallengeCount)
	}
	for range n {
		var c store.ChunkProof
		l, err := uv()
		if err != nil {
			return pr, err
		}
		if l > store.MaxBlockSize || l > uint64(len(p)) {
			return pr, violation("proof chunk of %d bytes", l)
		}
		c.Data, p = p[:l], p[l:]
		np, err := uv()
		if err != nil {
			return pr, err
		}
		if np > merkle.MaxInclusionProofSize || np > uint64(len(p)) {
			return pr, violation("inclusion proof of %d bytes", np)
		}
		if c.Proof, err = merkle.DecodeInclusionProof(p[:np]); err != nil {
			return pr, violation("%v", err)
		}
		p = p[np:]
		pr.Chunks = append(pr.Chunks, c)
	}
	if len(p) != 0 {
		return pr, violation("%d trailing bytes after proof", len(p))
	}
	return pr, nil
}

// errIsViolation reports whether err is a protocol violation by the peer.
func errIsViolation(err error) bool {
	var we *WireError
	return errors.As(err, &we) && (we.Code == CodeBadRequest || we.Code == CodeBadVersion)
}
