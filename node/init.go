package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"

	"tangent/client/keyring"
	"tangent/ledger"
	"tangent/ledger/chain"
	banktypes "tangent/ledger/x/bank/types"
	stakingtypes "tangent/ledger/x/staking/types"
)

// ValidatorKeyName is the keyring name of a home's operator account: funded
// in genesis and owner of the validator stake.
const ValidatorKeyName = "validator"

// Amounts `tangent init` and `tangent testnet` give each validator's
// operator account (in utgt; 1 TGT = 1,000,000 utgt).
const (
	DefaultValidatorBalance uint64 = 1_000_000_000_000 // 1,000,000 TGT
	DefaultValidatorStake   uint64 = 100_000_000       // 100 TGT
)

// InitOptions shape a new home or testnet. Zero fields take defaults.
type InitOptions struct {
	ChainID string      // default "tangent-1"
	Timing  BlockTiming // default TimingDevnet
	// Balance and Stake of each validator's operator account.
	Balance, Stake uint64
	// Accounts are extra genesis balances (e.g. the load generator's).
	Accounts []banktypes.Balance
	// GenesisTime defaults to now.
	GenesisTime time.Time
	// Edit, if set, may change the ledger genesis before it is written.
	Edit func(*ledger.Genesis)
}

func (o *InitOptions) defaults() {
	if o.ChainID == "" {
		o.ChainID = "tangent-1"
	}
	if o.Timing == TimingDefault {
		o.Timing = TimingDevnet
	}
	if o.Balance == 0 {
		o.Balance = DefaultValidatorBalance
	}
	if o.Stake == 0 {
		o.Stake = DefaultValidatorStake
	}
	if o.GenesisTime.IsZero() {
		o.GenesisTime = time.Now().UTC().Truncate(time.Second)
	}
}

// InitResult describes a home InitHome or InitTestnet wrote.
type InitResult struct {
	Home     string        `json:"home"`
	ChainID  string        `json:"chain_id"`
	Address  chain.Address `json:"address"` // the "validator" account
	NodeID   string        `json:"node_id"`
	P2PAddr  string        `json:"p2p_addr"`
	RPCAddr  string        `json:"rpc_addr"`
	ConsAddr string        `json:"cons_addr"` // consensus address, hex
}

// member is one validator home being prepared.
type member struct {
	home     string
	res      InitResult
	consPub  chain.PubKey
	operator chain.Address
}

// InitHome writes a one-validator home: config.toml, node and validator
// keys, a keyring with the funded key "validator", and genesis.json. It
// refuses a directory that already holds a genesis.
func InitHome(home string, opts InitOptions) (InitResult, error) {
	opts.defaults()
	m, err := prepareMember(home, opts, "tcp://127.0.0.1:26656", "tcp://127.0.0.1:26657")
	if err != nil {
		return InitResult{}, err
	}
	if err := writeGenesis([]*member{m}, opts); err != nil {
		return InitResult{}, err
	}
	return m.res, nil
}

// TestnetOptions add the network layout to InitOptions.
type TestnetOptions struct {
	InitOptions
	// BasePort is the first port used: node i listens for p2p on
	// BasePort+2i and for RPC on BasePort+2i+1 (default 26656).
	BasePort int
	// Ports, if set, gives each node's p2p and RPC ports explicitly (tests
	// use free ports); it overrides BasePort.
	Ports [][2]int
}

// InitTestnet writes n validator homes out/node0 … out/node{n-1} on
// 127.0.0.1 with distinct ports, each peering with all others, sharing one
// genesis in which every validator's operator is funded and bonded.
func InitTestnet(out string, n int, opts TestnetOptions) ([]InitResult, error) {
	if n < 1 {
		return nil, fmt.Errorf("testnet needs at least 1 validator, got %d", n)
	}
	opts.defaults()
	if opts.BasePort == 0 {
		opts.BasePort = 26656
	}
	if opts.Ports != nil && len(opts.Ports) != n {
		return nil, fmt.Errorf("testnet: %d port pairs for %d nodes", len(opts.Ports), n)
	}
	var ms []*member
	for i := 0; i < n; i++ {
		p2pPort, rpcPort := opts.BasePort+2*i, opts.BasePort+2*i+1
		if opts.Ports != nil {
			p2pPort, rpcPort = opts.Ports[i][0], opts.Ports[i][1]
		}
		m, err := prepareMember(filepath.Join(out, fmt.Sprintf("node%d", i)), opts.InitOptions,
			fmt.Sprintf("tcp://127.0.0.1:%d", p2pPort), fmt.Sprintf("tcp://127.0.0.1:%d", rpcPort))
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	// Wire every node to every other.
	for _, m := range ms {
		var peers []string
		for _, o := range ms {
			if o != m {
				peers = append(peers, o.res.NodeID+"@"+strings.TrimPrefix(o.res.P2PAddr, "tcp://"))
			}
		}
		c, err := LoadConfig(m.home)
		if err != nil {
			return nil, err
		}
		c.P2P.PersistentPeers = strings.Join(peers, ",")
		if err := SaveConfig(m.home, c); err != nil {
			return nil, err
		}
	}
	if err := writeGenesis(ms, opts.InitOptions); err != nil {
		return nil, err
	}
	out2 := make([]InitResult, len(ms))
	for i, m := range ms {
		out2[i] = m.res
	}
	return out2, nil
}

func prepareMember(home string, opts InitOptions, p2pAddr, rpcAddr string) (*member, error) {
	h := Home(home)
	if _, err := os.Stat(h.GenesisFile()); err == nil {
		return nil, fmt.Errorf("%s is already initialized (%s exists); pick another --home or delete it", home, h.GenesisFile())
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	c := DefaultConfig(home, opts.Timing)
	c.P2P.ListenAddress = p2pAddr
	c.RPC.ListenAddress = rpcAddr
	if err := SaveConfig(home, c); err != nil {
		return nil, err
	}
	nodeKey, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	pv := privval.NewFilePV(cmted25519.GenPrivKey(), c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	pv.Save()
	if err := os.Chmod(c.PrivValidatorKeyFile(), 0o600); err != nil {
		return nil, err
	}
	kr := keyring.Open(h.KeysDir())
	k, err := kr.Load(ValidatorKeyName)
	var nf *keyring.NotFoundError
	if errors.As(err, &nf) {
		k, err = kr.New(ValidatorKeyName)
	}
	if err != nil {
		return nil, err
	}
	var consPub chain.PubKey
	copy(consPub[:], pv.Key.PubKey.Bytes())
	return &member{
		home:     home,
		consPub:  consPub,
		operator: k.Address,
		res: InitResult{
			Home: home, ChainID: opts.ChainID, Address: k.Address, NodeID: string(nodeKey.ID()),
			P2PAddr: p2pAddr, RPCAddr: rpcAddr, ConsAddr: pv.Key.Address.String(),
		},
	}, nil
}

// writeGenesis writes the same genesis.json into every member's home.
func writeGenesis(ms []*member, opts InitOptions) error {
	g := ledger.DefaultGenesis(opts.ChainID)
	for _, m := range ms {
		cp := m.consPub
		g.Bank.Balances = append(g.Bank.Balances, banktypes.Balance{Address: m.operator, Amount: opts.Balance})
		g.Staking.Stakes = append(g.Staking.Stakes, stakingtypes.GenesisStake{
			Address: m.operator, Role: stakingtypes.RoleValidator, Amount: opts.Stake, ConsPubKey: &cp,
		})
	}
	g.Bank.Balances = append(g.Bank.Balances, opts.Accounts...)
	if opts.Edit != nil {
		opts.Edit(&g)
	}
	if err := g.ValidateBasic(); err != nil {
		return err
	}
	appState, err := g.EncodeJSON()
	if err != nil {
		return err
	}
	params := types.DefaultConsensusParams()
	params.Block.MaxGas = -1
	// Evidence must expire before the offender's unbonding matures, or a
	// validator could unbond, wait, and escape its slash (x/staking
	// README). CometBFT expires evidence only when both its age in blocks
	// and in time pass their limits, so blocks decide: the time limit is
	// set to the smallest value CometBFT accepts. Two blocks of margin:
	// evidence of height h is still accepted in block h+MaxAge+1, and a
	// validator that unbonds in block u still signs block u+1 (validator
	// updates take effect two blocks later), while its unbonding pays out
	// in block u+UnbondingBlocks.
	u := g.Staking.Params.UnbondingBlocks
	if u < 3 {
		return fmt.Errorf("genesis: staking unbonding_blocks is %d; it must be at least 3 so that evidence expires before an unbonding matures", u)
	}
	params.Evidence.MaxAgeNumBlocks = int64(u) - 2
	params.Evidence.MaxAgeDuration = time.Second
	doc := &types.GenesisDoc{
		GenesisTime:     opts.GenesisTime,
		ChainID:         opts.ChainID,
		InitialHeight:   1,
		ConsensusParams: params,
		AppState:        appState,
	}
	reduction := g.Staking.Params.PowerReduction
	for i, m := range ms {
		pub := cmted25519.PubKey(append([]byte(nil), m.consPub[:]...))
		doc.Validators = append(doc.Validators, types.GenesisValidator{
			Address: pub.Address(), PubKey: pub, Power: int64(opts.Stake / reduction), Name: fmt.Sprintf("node%d", i),
		})
	}
	if err := doc.ValidateAndComplete(); err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	for _, m := range ms {
		if err := doc.SaveAs(Home(m.home).GenesisFile()); err != nil {
			return err
		}
	}
	return nil
}
