package types_test

import (
	"bytes"
	"testing"

	"tangent/ledger/chain"
	"tangent/ledger/x/bank/types"
)

// FuzzDecodeMsgSend: message bodies come from untrusted txs; a body that
// decodes is the canonical encoding of its message.
func FuzzDecodeMsgSend(f *testing.F) {
	f.Add((&types.MsgSend{To: chain.Address{1, 2, 3}, Amount: 1 << 40}).AppendBody(nil))
	f.Add(make([]byte, 21))
	f.Add(append(make([]byte, 20), 0x80, 0x00))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := types.DecodeMsgSend(body)
		if err != nil {
			return
		}
		if got := m.AppendBody(nil); !bytes.Equal(got, body) {
			t.Fatalf("not canonical: %x -> %x", body, got)
		}
		_ = m.ValidateBasic()
	})
}
