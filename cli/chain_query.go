package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"tangent/client"
	"tangent/ledger"
	"tangent/ledger/chain"
	authtypes "tangent/ledger/x/auth/types"
)

func newQueryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "query", Short: "Read committed chain state (verified against signed block headers)"}
	cmd.AddCommand(newQueryBalanceCmd())
	return cmd
}

func newQueryBalanceCmd() *cobra.Command {
	var f chainFlags
	var height int64
	cmd := &cobra.Command{
		Use:   "balance ADDRESS",
		Short: "The balance of an address, with its Merkle proof checked",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := chain.ParseAddress(args[0])
			if err != nil {
				return err
			}
			c, err := f.client()
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, cancel := f.context(cmd)
			defer cancel()
			p, err := c.Query(ctx, ledger.AccountKey(addr), height)
			if err != nil {
				return err
			}
			acc, err := ledger.DecodeAccount(p.Value)
			if err != nil {
				return fmt.Errorf("account of %s: stored value %x: %w", addr, p.Value, err)
			}
			bal := acc.Balance
			out := struct {
				Address  chain.Address `json:"address"`
				Balance  uint64        `json:"balance"`
				Height   int64         `json:"height"`
				Verified bool          `json:"verified"`
				AppHash  string        `json:"app_hash"`
			}{addr, bal, p.Height, true, fmt.Sprintf("%X", p.AppHash)}
			return f.output(cmd, out, fmt.Sprintf("%s: %d utgt at height %d (proof verified against app hash %X)", addr, bal, p.Height, p.AppHash))
		},
	}
	f.addHome(cmd)
	f.addJSON(cmd)
	f.addNode(cmd)
	cmd.Flags().Int64Var(&height, "height", 0, "read the state after this block (default: the latest)")
	return cmd
}

// queryAuthParams reads the tx parameters (fees, sizes) from the node.
func queryAuthParams(cmd *cobra.Command, c *client.Client) (authtypes.Params, error) {
	res, err := c.RPC().ABCIQuery(cmdContext(cmd), "/params", nil)
	if err != nil {
		return authtypes.Params{}, fmt.Errorf("reading chain parameters: %w", err)
	}
	if res.Response.Code != 0 {
		return authtypes.Params{}, fmt.Errorf("reading chain parameters: %s", res.Response.Log)
	}
	var out struct {
		Auth authtypes.Params `json:"auth"`
	}
	if err := json.Unmarshal(res.Response.Value, &out); err != nil {
		return authtypes.Params{}, fmt.Errorf("chain parameters: %w", err)
	}
	return out.Auth, nil
}
