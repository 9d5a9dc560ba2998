package tx

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"slices"

	"tangent/ledger/chain"
	"tangent/ledger/codec"
)

const (
	// Version is the first byte of every tx.
	Version byte = 1
	// MaxChainIDLen is CometBFT's limit on chain ids.
	MaxChainIDLen = 50
	// MaxTypeLen bounds message type names.
	MaxTypeLen = 64
	// MaxMsgs bounds the messages of one tx, whatever the params say.
	MaxMsgs = 64
	// HardMaxBytes bounds a tx the decoder will look at at all; the chain's
	// params.max_tx_bytes is usually far lower.
	HardMaxBytes = 1 << 20
	// SigLen is the length of an ed25519 signature.
	SigLen = ed25519.SignatureSize
)

// SignDomain prefixes the sign bytes so a tx signature can never be taken
// for a signature over anything else (a consensus vote, a p2p handshake).
const SignDomain = "tangent/tx/v1\n"

// Tx is a signed transaction. The zero Tx is unsigned.
type Tx struct {
	ChainID string
	PubKey  chain.PubKey
	Nonce   uint64
	Fee     uint64
	Msgs    []chain.Msg
	Sig     [SigLen]byte
}

// Signer is the account that signs, pays the fee and sends every message.
func (t *Tx) Signer() chain.Address { return t.PubKey.Address() }

// AppendBody appends the encoding of everything but the signature.
func (t *Tx) AppendBody(dst []byte) []byte {
	dst = append(dst, Version)
	dst = codec.AppendString(dst, t.ChainID)
	dst = append(dst, t.PubKey[:]...)
	dst = codec.AppendUvarint(dst, t.Nonce)
	dst = codec.AppendUvarint(dst, t.Fee)
	dst = codec.AppendUvarint(dst, uint64(len(t.Msgs)))
	var scratch []byte
	for _, m := range t.Msgs {
		dst = codec.AppendString(dst, m.Type())
		scratch = m.AppendBody(scratch[:0])
		dst = codec.AppendBytes(dst, scratch)
	}
	return dst
}

// SignBytes returns SignDomain || body: what the signature covers.
func (t *Tx) SignBytes() []byte {
	return t.AppendBody([]byte(SignDomain))
}

// Encode returns the canonical tx bytes.
func (t *Tx) Encode() []byte {
	return append(t.AppendBody(nil), t.Sig[:]...)
}

// Sign sets PubKey from priv and signs.
func (t *Tx) Sign(priv ed25519.PrivateKey) {
	copy(t.PubKey[:], priv.Public().(ed25519.PublicKey))
	copy(t.Sig[:], ed25519.Sign(priv, t.SignBytes()))
}

// VerifySignature checks Sig against PubKey over SignBytes under the
// ledger's rule (Verify).
func (t *Tx) VerifySignature() bool {
	return Verify(t.PubKey, t.SignBytes(), t.Sig[:])
}

// VerifyBytes checks the signature of canonical tx bytes b (as returned by
// Encode) without decoding messages again, under the ledger's rule. b must
// have decoded successfully.
func VerifyBytes(b []byte, pub chain.PubKey) bool {
	if len(b) < SigLen {
		return false
	}
	return Verify(pub, SignBytesOf(b), b[len(b)-SigLen:])
}

// SignBytesOf returns SignDomain || body for canonical tx bytes b (body is
// b without its signature): what the signature covers. It allocates the
// result; b must be at least SigLen long.
func SignBytesOf(b []byte) []byte {
	body := b[:len(b)-SigLen]
	msg := make([]byte, 0, len(SignDomain)+len(body))
	return append(append(msg, SignDomain...), body...)
}

// SigOf returns the signature of canonical tx bytes b (aliasing b).
func SigOf(b []byte) []byte { return b[len(b)-SigLen:] }

// Hash is SHA-256 of the tx bytes (CometBFT's tx hash).
func Hash(b []byte) [32]byte { return sha256.Sum256(b) }

// ValidChainID reports whether id is a well-formed chain id.
func ValidChainID(id string) bool {
	if len(id) == 0 || len(id) > MaxChainIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Registry maps message type names to decoders. Build it once at start-up;
// it is read-only (and safe for concurrent use) afterwards.
type Registry struct {
	decoders map[string]chain.MsgDecoder
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{decoders: map[string]chain.MsgDecoder{}} }

// Register adds a message type. It panics on a duplicate or malformed name.
func (r *Registry) Register(typ string, d chain.MsgDecoder) {
	if typ == "" || len(typ) > MaxTypeLen || bytes.IndexByte([]byte(typ), '/') <= 0 {
		panic(fmt.Sprintf("tx.Registry: bad message type name %q (want module/name)", typ))
	}
	if _, dup := r.decoders[typ]; dup {
		panic(fmt.Sprintf("tx.Registry: message type %q registered twice", typ))
	}
	r.decoders[typ] = d
}

// Types lists the registered type names, sorted.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.decoders))
	for t := range r.decoders {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Decode parses canonical tx bytes. Errors wrap chain.ErrTxDecode (garbage,
// truncated, non-canonical or trailing bytes, oversized fields),
// chain.ErrUnknownMsg (a type name not registered) or chain.ErrTooManyMsgs.
// It does not check the signature or the messages' ValidateBasic.
func (r *Registry) Decode(b []byte) (*Tx, error) {
	if len(b) > HardMaxBytes {
		return nil, chain.ErrTxTooLarge.Wrapf("%d bytes, the decoder accepts at most %d", len(b), HardMaxBytes)
	}
	var rd codec.Reader // on the stack: decoding allocates only the Tx and its messages
	rd.Reset(b)
	if v := rd.Byte("version"); rd.Err() == nil && v != Version {
		return nil, chain.ErrTxDecode.Wrapf("tx version %d; this node understands version %d", v, Version)
	}
	t := &Tx{}
	t.ChainID = rd.String("chain_id", MaxChainIDLen)
	if rd.Err() == nil && !ValidChainID(t.ChainID) {
		rd.Fail("chain_id", "must be 1-50 characters of [a-zA-Z0-9._-]")
	}
	copy(t.PubKey[:], rd.Fixed("pubkey", len(t.PubKey)))
	t.Nonce = rd.Uvarint("nonce")
	t.Fee = rd.Uvarint("fee")
	n := rd.Uvarint("n_msgs")
	if err := rd.Err(); err != nil {
		return nil, chain.ErrTxDecode.Wrap(err.Error())
	}
	if n == 0 || n > MaxMsgs {
		return nil, chain.ErrTooManyMsgs.Wrapf("tx has %d messages; a tx carries 1 to %d", n, MaxMsgs)
	}
	if n > uint64(rd.Len()/2) { // each message takes at least 2 bytes
		return nil, chain.ErrTxDecode.Wrapf("tx claims %d messages but has only %d bytes left", n, rd.Len())
	}
	t.Msgs = make([]chain.Msg, n)
	for i := range t.Msgs {
		typ := rd.Bytes("msg type", MaxTypeLen)
		body := rd.Bytes("msg body", len(b))
		if err := rd.Err(); err != nil {
			return nil, chain.ErrTxDecode.Wrap(err.Error())
		}
		dec, ok := r.decoders[string(typ)]
		if !ok {
			return nil, chain.ErrUnknownMsg.Wrapf("message %d has type %q, which no module handles (known: %v)", i, typ, r.Types())
		}
		m, err := dec(body)
		if err != nil {
			return nil, chain.ErrTxDecode.Wrapf("message %d (%s): %v", i, typ, err)
		}
		t.Msgs[i] = m
	}
	copy(t.Sig[:], rd.Fixed("signature", SigLen))
	if err := rd.Done(); err != nil {
		return nil, chain.ErrTxDecode.Wrap(err.Error())
	}
	return t, nil
}

// Size is the length of the encoded tx.
func (t *Tx) Size() int { return len(t.AppendBody(nil)) + SigLen }

// SetFee sets Fee to the least value with Fee >= minFee(Size()), where the
// size itself depends on the fee's varint length. Pass the chain's rule,
// e.g. auth Params.MinFeeFor. Call it before Sign.
func (t *Tx) SetFee(minFee func(size int) uint64) {
	t.Fee = 0
	for i := 0; i < 8; i++ {
		f := minFee(t.Size())
		if f <= t.Fee {
			return
		}
		t.Fee = f
	}
}
