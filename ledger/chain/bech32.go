package chain

import (
	"errors"
	"fmt"
	"strings"
)

// A small BIP-173 bech32 encoder and decoder (checksum constant 1), enough
// for addresses. Reference: https://github.com/bitcoin/bips/blob/master/bip-0173.mediawiki

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

var bech32Gen = [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}

func bech32Polymod(values []byte) uint32 {
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>uint(i))&1 == 1 {
				chk ^= bech32Gen[i]
			}
		}
	}
	return chk
}

func bech32HRPExpand(hrp string) []byte {
	out := make([]byte, 0, 2*len(hrp)+1)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]>>5)
	}
	out = append(out, 0)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]&31)
	}
	return out
}

// convertBits regroups a byte string from `from`-bit to `to`-bit groups.
func convertBits(data []byte, from, to uint, pad bool) ([]byte, error) {
	var acc, bits uint
	maxv := uint(1)<<to - 1
	out := make([]byte, 0, len(data)*int(from)/int(to)+1)
	for _, b := range data {
		if uint(b)>>from != 0 {
			return nil, errors.New("invalid data range")
		}
		acc = acc<<from | uint(b)
		bits += from
		for bits >= to {
			bits -= to
			out = append(out, byte(acc>>bits&maxv))
		}
	}
	if pad {
		if bits > 0 {
			out = append(out, byte(acc<<(to-bits)&maxv))
		}
	} else if bits >= from || acc<<(to-bits)&maxv != 0 {
		return nil, errors.New("non-zero padding")
	}
	return out, nil
}

// bech32Encode encodes data (8-bit bytes) under hrp. It is the hot path
// of every event that names an account, so it computes the checksum as it
// regroups the bits and allocates only the result; bech32_test.go checks
// it against the plain definition (bech32EncodeRef).
func bech32Encode(hrp string, data []byte) string {
	chk := uint32(1)
	for i := 0; i < len(hrp); i++ {
		chk = bech32Step(chk, hrp[i]>>5)
	}
	chk = bech32Step(chk, 0)
	for i := 0; i < len(hrp); i++ {
		chk = bech32Step(chk, hrp[i]&31)
	}
	var sb strings.Builder
	sb.Grow(len(hrp) + 1 + (len(data)*8+4)/5 + 6)
	sb.WriteString(hrp)
	sb.WriteByte('1')
	var acc, bits uint
	for _, b := range data {
		acc = acc<<8 | uint(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			v := byte(acc >> bits & 31)
			chk = bech32Step(chk, v)
			sb.WriteByte(bech32Charset[v])
		}
	}
	if bits > 0 {
		v := byte(acc << (5 - bits) & 31)
		chk = bech32Step(chk, v)
		sb.WriteByte(bech32Charset[v])
	}
	for i := 0; i < 6; i++ {
		chk = bech32Step(chk, 0)
	}
	chk ^= 1
	for i := 0; i < 6; i++ {
		sb.WriteByte(bech32Charset[(chk>>uint(5*(5-i)))&31])
	}
	return sb.String()
}

// bech32Step feeds one 5-bit value into the checksum.
func bech32Step(chk uint32, v byte) uint32 {
	return (chk&0x1ffffff)<<5 ^ uint32(v) ^ bech32GenTable[chk>>25]
}

// bech32GenTable[t] is the XOR of the generators selected by the bits of t
// (the inner loop of bech32Polymod, precomputed).
var bech32GenTable = func() (tab [32]uint32) {
	for t := range tab {
		for i := 0; i < 5; i++ {
			if t>>i&1 == 1 {
				tab[t] ^= bech32Gen[i]
			}
		}
	}
	return
}()

// bech32Decode decodes s, which must be all lower case, and returns its hrp
// and 8-bit data.
func bech32Decode(s string) (string, []byte, error) {
	if len(s) > 90 {
		return "", nil, fmt.Errorf("too long (%d characters, at most 90)", len(s))
	}
	if strings.ToLower(s) != s {
		return "", nil, errors.New("must be lower case")
	}
	pos := strings.LastIndexByte(s, '1')
	if pos < 1 || pos+7 > len(s) {
		return "", nil, errors.New("missing separator '1' or checksum")
	}
	hrp := s[:pos]
	for i := 0; i < len(hrp); i++ {
		if hrp[i] < 33 || hrp[i] > 126 {
			return "", nil, errors.New("invalid character in prefix")
		}
	}
	values := make([]byte, 0, len(s)-pos-1)
	for i := pos + 1; i < len(s); i++ {
		d := strings.IndexByte(bech32Charset, s[i])
		if d < 0 {
			return "", nil, fmt.Errorf("invalid character %q", s[i])
		}
		values = append(values, byte(d))
	}
	if bech32Polymod(append(bech32HRPExpand(hrp), values...)) != 1 {
		return "", nil, errors.New("checksum mismatch (a typo?)")
	}
	data, err := convertBits(values[:len(values)-6], 5, 8, false)
	if err != nil {
		return "", nil, err
	}
	return hrp, data, nil
}
