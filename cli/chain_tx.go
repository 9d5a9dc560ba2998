package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"tangent/client"
	"tangent/client/keyring"
	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/tx"
	banktypes "tangent/ledger/x/bank/types"
	"tangent/node"
)

func newTxCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "tx", Short: "Sign and send transactions"}
	cmd.AddCommand(newTxSendCmd())
	return cmd
}

// parseAmount reads a utgt amount: "1500", "1500utgt" or "2.5tgt".
func parseAmount(s string) (uint64, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if v, ok := strings.CutSuffix(s, "tgt"); ok && !strings.HasSuffix(s, "utgt") {
		whole, frac, _ := strings.Cut(v, ".")
		if len(frac) > 6 {
			return 0, fmt.Errorf("amount %q: at most 6 decimals of tgt (1 tgt = 1000000 utgt)", s)
		}
		w, err := strconv.ParseUint(whole, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("amount %q: %v", s, err)
		}
		frac += strings.Repeat("0", 6-len(frac))
		fr, err := strconv.ParseUint(frac, 10, 64)
		if err != nil || w > (1<<64-1)/1_000_000 {
			return 0, fmt.Errorf("amount %q is not a valid number", s)
		}
		return w*1_000_000 + fr, nil
	}
	s = strings.TrimSuffix(s, "utgt")
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: want a whole number of utgt (or e.g. 2.5tgt)", s)
	}
	return v, nil
}

// send signs one message from key with the account's next nonce and the
// minimum fee (unless fee > 0), broadcasts it and waits for its block.
func signAndSend(cmd *cobra.Command, f *chainFlags, c *client.Client, key *keyring.Key, fee uint64, msgs ...chain.Msg) (*client.Result, []byte, error) {
	ctx, cancel := f.context(cmd)
	defer cancel()
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, nil, err
	}
	p, err := c.Query(ctx, ledger.AccountKey(key.Address), 0)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the nonce of %s: %w", key.Address, err)
	}
	acc, err := ledger.DecodeAccount(p.Value)
	if err != nil {
		return nil, nil, fmt.Errorf("account of %s: stored value %x: %w", key.Address, p.Value, err)
	}
	nonce := acc.Nonce
	t := &tx.Tx{ChainID: chainID, Nonce: nonce, Fee: fee, Msgs: msgs}
	if fee == 0 {
		params, err := queryAuthParams(cmd, c)
		if err != nil {
			return nil, nil, err
		}
		// The fee depends on the size, which depends on the fee's varint:
		// iterate to the fixed point.
		for i := 0; i < 4; i++ {
			t.Sign(key.PrivateKey())
			need := params.MinFeeFor(len(t.Encode()))
			if need == t.Fee {
				break
			}
			t.Fee = need
		}
	}
	t.Sign(key.PrivateKey())
	b := t.Encode()
	res, err := c.BroadcastAndWait(ctx, b)
	return res, b, err
}

func newTxSendCmd() *cobra.Command {
	var f chainFlags
	var from, to, amount string
	var fee uint64
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Send utgt from a key of HOME/keys to an address, and wait for the block that includes it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" || to == "" || amount == "" {
				return errors.New("tx send needs --from NAME --to ADDRESS --amount N")
			}
			key, err := keyring.Open(node.Home(f.home).KeysDir()).Load(from)
			if err != nil {
				return err
			}
			toAddr, err := chain.ParseAddress(to)
			if err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			amt, err := parseAmount(amount)
			if err != nil {
				return err
			}
			c, err := f.client()
			if err != nil {
				return err
			}
			defer c.Close()
			res, b, err := signAndSend(cmd, &f, c, key, fee, &banktypes.MsgSend{To: toAddr, Amount: amt})
			var txErr *client.TxError
			if errors.As(err, &txErr) && res != nil {
				// Included but failed: report it as the contract says, and fail.
				_ = f.output(cmd, txResultJSON(b, res), "")
				return err
			}
			if err != nil {
				return err
			}
			return f.output(cmd, txResultJSON(b, res), fmt.Sprintf("sent %d utgt from %s to %s\ntx %s included in block %d (code %d)",
				amt, key.Address, toAddr, client.HashHex(res.Hash), res.Height, res.Code))
		},
	}
	f.addHome(cmd)
	f.addJSON(cmd)
	f.addNode(cmd)
	cmd.Flags().StringVar(&from, "from", "", "name of the sending key in HOME/keys")
	cmd.Flags().StringVar(&to, "to", "", "recipient address (tgt1…)")
	cmd.Flags().StringVar(&amount, "amount", "", "amount in utgt (or e.g. 2.5tgt)")
	cmd.Flags().Uint64Var(&fee, "fee", 0, "fee in utgt (default: the chain's minimum for the tx size)")
	return cmd
}

type txJSON struct {
	TxHash string `json:"tx_hash"`
	Height int64  `json:"height"`
	Code   uint32 `json:"code"`
	Log    string `json:"log,omitempty"`
}

func txResultJSON(b []byte, r *client.Result) txJSON {
	h := tx.Hash(b)
	return txJSON{TxHash: client.HashHex(h[:]), Height: r.Height, Code: r.Code, Log: r.Log}
}
