package cli

import (
	"github.com/spf13/cobra"
)

// NewRootCmd builds the tangent command tree.
func NewRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "tangent",
		Short:         "Tangent: a decentralized network for training models that nobody has to trust",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newVersionCmd(),
		newInitCmd(),
		newStartCmd(),
		newTestnetCmd(),
		newWalletCmd(),
		newTxCmd(),
		newQueryCmd(),
		newBlobCmd(),
		newTrainCmd(),
	)
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the tangent version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write([]byte("tangent " + Version + "\n"))
			return err
		},
	}
}

// Version is the release of this binary.
const Version = "0.1.0-dev"
