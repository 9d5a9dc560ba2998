package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tangent/client/keyring"
	"tangent/ledger/chain"
	"tangent/node"
)

func newWalletCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wallet",
		Short: "Manage account keys in HOME/keys",
		Long: `Account keys live in HOME/keys/NAME.json with mode 0600.

They are stored UNENCRYPTED unless the environment variable ` + keyring.PassphraseEnv + `
is set when the key is created (argon2id + AES-256-GCM); it must then be set to use it.`,
	}
	cmd.AddCommand(newWalletNewCmd(), newWalletListCmd())
	return cmd
}

type walletKeyJSON struct {
	Name    string        `json:"name"`
	Address chain.Address `json:"address"`
}

func newWalletNewCmd() *cobra.Command {
	var f chainFlags
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a key named NAME",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			kr := keyring.Open(node.Home(f.home).KeysDir())
			k, err := kr.New(args[0])
			if err != nil {
				return err
			}
			return f.output(cmd, walletKeyJSON{Name: k.Name, Address: k.Address},
				fmt.Sprintf("created key %s: %s (in %s)", k.Name, k.Address, kr.Dir()))
		},
	}
	f.addHome(cmd)
	f.addJSON(cmd)
	return cmd
}

func newWalletListCmd() *cobra.Command {
	var f chainFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the keys of HOME/keys",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kr := keyring.Open(node.Home(f.home).KeysDir())
			infos, err := kr.List()
			if err != nil {
				return err
			}
			out := struct {
				Keys []walletKeyJSON `json:"keys"`
			}{Keys: []walletKeyJSON{}}
			var sb strings.Builder
			for _, in := range infos {
				out.Keys = append(out.Keys, walletKeyJSON{Name: in.Name, Address: in.Address})
				fmt.Fprintf(&sb, "%-20s %s\n", in.Name, in.Address)
			}
			if len(infos) == 0 {
				sb.WriteString("no keys in " + kr.Dir() + "; create one with `tangent wallet new NAME --home " + f.home + "`\n")
			}
			return f.output(cmd, out, sb.String())
		},
	}
	f.addHome(cmd)
	f.addJSON(cmd)
	return cmd
}
