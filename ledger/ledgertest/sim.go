package ledgertest

import (
	"fmt"
	"slices"

	"tangent/ledger"
	"tangent/ledger/chain"
	authtypes "tangent/ledger/x/auth/types"
	banktypes "tangent/ledger/x/bank/types"
	stakingtypes "tangent/ledger/x/staking/types"
)

// SimConfig shapes a simulation. Zero fields take defaults.
type SimConfig struct {
	Seed        uint64
	ChainID     string // default "sim-1"
	Accounts    int    // default 16 (the first Validators of them are validators)
	Validators  int    // default 4
	TxsPerBlock int    // default 40
}

// Reader is the state a Sim reads between blocks to keep most of its txs
// valid (ledger.View implements it).
type Reader interface {
	Nonce(chain.Address) uint64
	Balance(chain.Address) uint64
	Stake(chain.Address, stakingtypes.Role) uint64
}

// Sim generates a deterministic stream of blocks of random txs from a
// seed: mostly valid transfers, bonds and unbonds, mixed with every kind of
// invalid tx (bad signature, wrong chain id, replayed and future nonces,
// low fees, garbage, oversized and non-canonical bytes, unknown messages,
// failing messages), plus occasional misbehavior evidence. Given the same
// seed and the same Reader answers, it produces the same blocks.
//
// Use: g := sim.Genesis(); InitChain(g); then per block
// hdr, txs := sim.NextBlock(view-of-committed-state).
type Sim struct {
	cfg      SimConfig
	rng      *Rand
	accounts []Key
	cons     []Key // consensus keys of the first cfg.Validators accounts
	params   authtypes.Params
	height   int64
	past     [][]byte // some included txs, to replay
	// Kinds counts the generated txs by kind.
	Kinds map[string]int
}

// NewSim returns a simulation.
func NewSim(cfg SimConfig) *Sim {
	if cfg.ChainID == "" {
		cfg.ChainID = "sim-1"
	}
	if cfg.Accounts == 0 {
		cfg.Accounts = 16
	}
	if cfg.Validators == 0 {
		cfg.Validators = 4
	}
	if cfg.Validators > cfg.Accounts {
		cfg.Validators = cfg.Accounts
	}
	if cfg.TxsPerBlock == 0 {
		cfg.TxsPerBlock = 40
	}
	s := &Sim{cfg: cfg, rng: NewRand(cfg.Seed), Kinds: map[string]int{}}
	for i := 0; i < cfg.Accounts; i++ {
		s.accounts = append(s.accounts, NewKey(fmt.Sprintf("sim/account/%d", i)))
	}
	for i := 0; i < cfg.Validators; i++ {
		s.cons = append(s.cons, NewKey(fmt.Sprintf("sim/cons/%d", i)))
	}
	s.params = authtypes.DefaultParams()
	s.params.MaxTxBytes = 4096
	return s
}

// Seed returns the simulation's seed (print it so a failure can be
// replayed).
func (s *Sim) Seed() uint64 { return s.cfg.Seed }

// Accounts returns the simulation's account keys.
func (s *Sim) Accounts() []Key { return s.accounts }

// Genesis returns the genesis the simulation expects: every account funded,
// the first Validators accounts bonded as validators, a short unbonding
// delay so unbondings mature during the run.
func (s *Sim) Genesis() ledger.Genesis {
	g := ledger.DefaultGenesis(s.cfg.ChainID)
	g.Auth.Params = s.params
	g.Staking.Params.UnbondingBlocks = 5
	g.Staking.Params.MaxUnbondingEntries = 3
	g.Staking.Params.MaxValidators = uint64(max(1, s.cfg.Validators-1))
	for i, k := range s.accounts {
		g.Bank.Balances = append(g.Bank.Balances, banktypes.Balance{Address: k.Addr, Amount: 1_000_000_000 + uint64(i)*1_000_000})
		if i < s.cfg.Validators {
			ck := s.cons[i].Pub
			g.Staking.Stakes = append(g.Staking.Stakes, stakingtypes.GenesisStake{
				Address: k.Addr, Role: stakingtypes.RoleValidator, Amount: 10_000_000 * uint64(i+1), ConsPubKey: &ck,
			})
		}
		if i%3 == 1 {
			g.Staking.Stakes = append(g.Staking.Stakes, stakingtypes.GenesisStake{
				Address: k.Addr, Role: stakingtypes.RoleTrainer, Amount: 5_000_000,
			})
		}
	}
	g.Normalize()
	return g
}

// NextBlock returns the header and txs of the next block. r must read the
// state committed by the previous block.
func (s *Sim) NextBlock(r Reader) (chain.Header, [][]byte) {
	s.height++
	rng := s.rng
	h := chain.Header{
		Height:       s.height,
		TimeUnixNano: 1_700_000_000_000_000_000 + s.height*1_000_000_000,
		Proposer:     s.cons[rng.Intn(len(s.cons))].Addr,
	}
	if s.height > 3 && rng.Chance(3) {
		v := s.cons[rng.Intn(len(s.cons))]
		h.Misbehavior = append(h.Misbehavior, chain.Misbehavior{Kind: chain.DuplicateVote, Validator: v.Addr, Height: s.height - 1})
		s.Kinds["misbehavior"]++
	}
	nonces := map[chain.Address]uint64{}
	next := func(k Key) uint64 {
		n, ok := nonces[k.Addr]
		if !ok {
			n = r.Nonce(k.Addr)
		}
		return n
	}
	use := func(k Key) uint64 { n := next(k); nonces[k.Addr] = n + 1; return n }
	cid := s.cfg.ChainID
	var txs [][]byte
	for i := 0; i < s.cfg.TxsPerBlock; i++ {
		from := s.accounts[rng.Intn(len(s.accounts))]
		to := s.accounts[rng.Intn(len(s.accounts))]
		bal := r.Balance(from.Addr)
		roll := rng.Intn(100)
		var b []byte
		kind := ""
		switch {
		case roll < 45:
			kind = "send"
			b = from.TxMinFee(cid, use(from), s.params, &banktypes.MsgSend{To: to.Addr, Amount: 1 + rng.Below(bal/64+1)})
		case roll < 50:
			kind = "send_insufficient_funds"
			b = from.TxMinFee(cid, use(from), s.params, &banktypes.MsgSend{To: to.Addr, Amount: bal + 1 + rng.Below(1000)})
		case roll < 55:
			kind = "multi_msg"
			b = from.TxMinFee(cid, use(from), s.params,
				&banktypes.MsgSend{To: to.Addr, Amount: 1 + rng.Below(1000)},
				&stakingtypes.MsgBond{Role: stakingtypes.Roles[1+rng.Intn(4)], Amount: 1 + rng.Below(bal/32+1)})
		case roll < 62:
			kind = "bond"
			role := stakingtypes.Roles[1+rng.Intn(4)]
			m := &stakingtypes.MsgBond{Role: role, Amount: 1 + rng.Below(bal/16+1)}
			if idx := slices.IndexFunc(s.accounts[:len(s.cons)], func(k Key) bool { return k.Addr == from.Addr }); idx >= 0 && rng.Chance(50) {
				m.Role = stakingtypes.RoleValidator
				m.Amount = 1_000_000 + rng.Below(20_000_000)
				if rng.Chance(50) {
					m.ProveConsKey(cid, from.Addr, s.cons[idx].Priv)
				}
			}
			b = from.TxMinFee(cid, use(from), s.params, m)
		case roll < 70:
			kind = "unbond"
			role := stakingtypes.Roles[rng.Intn(len(stakingtypes.Roles))]
			st := r.Stake(from.Addr, role)
			amt := 1 + rng.Below(st/2+1)
			if rng.Chance(15) {
				amt = st + 1 // more than bonded: the message fails
			}
			b = from.TxMinFee(cid, use(from), s.params, &stakingtypes.MsgUnbond{Role: role, Amount: amt})
		case roll < 73:
			kind = "bad_signature"
			b = from.TxMinFee(cid, next(from), s.params, &banktypes.MsgSend{To: to.Addr, Amount: 1})
			b[len(b)-1-rng.Intn(64)] ^= 1 << rng.Intn(8)
		case roll < 76:
			kind = "wrong_chain_id"
			b = from.TxMinFee("other-chain", next(from), s.params, &banktypes.MsgSend{To: to.Addr, Amount: 1})
		case roll < 79:
			kind = "replay"
			if len(s.past) > 0 {
				b = s.past[rng.Intn(len(s.past))]
			} else {
				b = from.TxMinFee(cid, next(from)+1000, s.params, &banktypes.MsgSend{To: to.Addr, Amount: 1})
			}
		case roll < 82:
			kind = "future_nonce"
			b = from.TxMinFee(cid, next(from)+1+rng.Below(5), s.params, &banktypes.MsgSend{To: to.Addr, Amount: 1})
		case roll < 85:
			kind = "low_fee"
			b = from.Tx(cid, next(from), rng.Below(s.params.MinFee), &banktypes.MsgSend{To: to.Addr, Amount: 1})
		case roll < 88:
			kind = "garbage"
			b = rng.Bytes(rng.Intn(300))
		case roll < 90:
			kind = "oversized"
			b = rng.Bytes(int(s.params.MaxTxBytes) + 1 + rng.Intn(100))
		case roll < 93:
			kind = "unknown_msg"
			b = from.TxMinFee(cid, next(from), s.params, RawMsg{TypeName: "nosuch/msg", Body: rng.Bytes(8)})
		case roll < 96:
			kind = "non_canonical"
			b = NonCanonicalTx(from, cid, next(from), 5000, &banktypes.MsgSend{To: to.Addr, Amount: 1})
		case roll < 98:
			kind = "invalid_msg"
			b = from.TxMinFee(cid, next(from), s.params, &banktypes.MsgSend{To: to.Addr, Amount: 0})
		default:
			kind = "too_many_msgs"
			msgs := make([]chain.Msg, s.params.MaxMsgsPerTx+1)
			for j := range msgs {
				msgs[j] = &banktypes.MsgSend{To: to.Addr, Amount: 1}
			}
			b = from.TxMinFee(cid, next(from), s.params, msgs...)
		}
		s.Kinds[kind]++
		txs = append(txs, b)
		if kind == "send" && rng.Chance(10) && len(s.past) < 200 {
			s.past = append(s.past, b)
		}
	}
	return h, txs
}
