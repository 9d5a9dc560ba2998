package ledger

import (
	"fmt"

	"tangent/ledger/chain"
	"tangent/ledger/collections"
	"tangent/ledger/state"
	"tangent/ledger/tx"
	authkeeper "tangent/ledger/x/auth/keeper"
	authtypes "tangent/ledger/x/auth/types"
	bankkeeper "tangent/ledger/x/bank/keeper"
	banktypes "tangent/ledger/x/bank/types"
	stakingkeeper "tangent/ledger/x/staking/keeper"
	stakingtypes "tangent/ledger/x/staking/types"
)

// Options tune a Ledger. The zero value is valid.
type Options struct {
	// TxCacheSize is the number of decoded (and verified) txs remembered
	// between CheckTx, ProcessProposal and DeliverTx (default 100,000,
	// about 40 MiB of transfers; negative disables the cache, so every
	// step decodes and verifies again).
	TxCacheSize int
	// KeyCacheSize is the number of signers' expanded public keys kept for
	// batch verification (default 16,384, about 1.5 KiB each; negative
	// disables the cache).
	KeyCacheSize int
}

// Ledger is the deterministic state machine. See the package doc for the
// call sequence. It is not safe for concurrent use, except Prepare,
// PreVerify and VerifyBatch; a Checker made by NewChecker may run
// concurrently with it.
type Ledger struct {
	store state.KV
	block *state.Cache // this block's writes; flushed to store by EndBlock

	reg  *tx.Registry
	txs  *txCache
	keys *keyCache
	ex   executor // block execution
	chk  *Checker // the ledger's own mempool checker (CheckTx)

	Auth    authkeeper.Keeper
	Bank    bankkeeper.Keeper
	Staking *stakingkeeper.Keeper

	inBlock bool
	header  chain.Header // the block being executed (or the last one)
	deliver env          // chain id and params for the block being executed
}

// modules are the keepers and message routes one executor uses. Block
// execution and each Checker have their own (the staking keeper remembers
// whether validator stakes changed in the current block).
type modules struct {
	auth     authkeeper.Keeper
	bank     bankkeeper.Keeper
	staking  *stakingkeeper.Keeper
	handlers map[string]msgHandler
}

// executor runs txs: its modules and the cache of the current tx's message
// writes.
type executor struct {
	mods     *modules
	msgs     *state.Cache
	noEvents bool // see Checker.DropEvents
}

// env caches what the tx pipeline reads on every tx.
type env struct {
	loaded  bool
	chainID string
	params  authtypes.Params
}

type msgHandler func(ctx *chain.Context, signer chain.Address, msg chain.Msg) error

// TxRegistry returns a registry of every message type the ledger handles,
// for decoding txs outside the ledger (clients, explorers).
func TxRegistry() *tx.Registry {
	r := tx.NewRegistry()
	banktypes.RegisterMsgs(r)
	stakingtypes.RegisterMsgs(r)
	return r
}

// New returns a ledger over store, the app's working (uncommitted) state.
// Until the first Commit call, CheckTx reads store as the committed state.
func New(store state.KV, opts Options) *Ledger {
	l := &Ledger{store: store, reg: TxRegistry()}
	l.block = state.NewCache(store)
	switch {
	case opts.TxCacheSize == 0:
		l.txs = newTxCache(100_000)
	default:
		l.txs = newTxCache(opts.TxCacheSize)
	}
	switch {
	case opts.KeyCacheSize == 0:
		l.keys = newKeyCache(16_384)
	default:
		l.keys = newKeyCache(opts.KeyCacheSize)
	}
	l.ex = executor{mods: l.newModules(), msgs: state.NewCache(l.block)}
	l.Auth, l.Bank, l.Staking = l.ex.mods.auth, l.ex.mods.bank, l.ex.mods.staking
	l.chk = l.NewChecker()
	return l
}

func (l *Ledger) newModules() *modules {
	m := &modules{auth: authkeeper.New(), handlers: map[string]msgHandler{}}
	m.bank = bankkeeper.New(m.auth)
	m.staking = stakingkeeper.New(m.bank)
	route := func(typ string, h msgHandler) {
		if _, dup := m.handlers[typ]; dup {
			panic("ledger: two handlers for " + typ)
		}
		m.handlers[typ] = h
	}
	route(banktypes.TypeMsgSend, m.bank.HandleMsg)
	route(stakingtypes.TypeMsgBond, m.staking.HandleMsg)
	route(stakingtypes.TypeMsgUnbond, m.staking.HandleMsg)
	for _, t := range l.reg.Types() {
		if m.handlers[t] == nil {
			panic("ledger: message type " + t + " is decodable but has no handler")
		}
	}
	return m
}

// Registry returns the ledger's tx decoder registry (read-only).
func (l *Ledger) Registry() *tx.Registry { return l.reg }

// CachedTxs is the number of txs in the tx cache (decoded, and verified
// or waiting for it).
func (l *Ledger) CachedTxs() int { return l.txs.len() }

func loadEnv(kv state.KV, a authkeeper.Keeper) (env, bool) {
	id, ok := chainIDItem.Get(kv)
	if !ok {
		return env{}, false
	}
	return env{loaded: true, chainID: id, params: a.Params(kv)}, true
}

// InitChain writes the genesis state into the store and returns the initial
// validator set. The store must be empty. Call it once, before the first
// BeginBlock (ABCI InitChain); the app should check that g.ChainID equals
// CometBFT's chain id.
func (l *Ledger) InitChain(g Genesis) ([]ValidatorUpdate, error) {
	if l.inBlock {
		panic("ledger: InitChain inside a block")
	}
	if err := g.ValidateBasic(); err != nil {
		return nil, err
	}
	if _, ok := chainIDItem.Get(l.store); ok {
		return nil, fmt.Errorf("ledger: InitChain on a store that already holds a chain")
	}
	g.Normalize()
	ctx := &chain.Context{KV: l.block, ChainID: g.ChainID, Mode: chain.ModeGenesis}
	chainIDItem.Set(ctx.KV, g.ChainID)
	l.Auth.InitGenesis(ctx, g.Auth)
	if err := l.Bank.InitGenesis(ctx, g.Bank); err != nil {
		l.block.Discard()
		return nil, err
	}
	ups, err := l.Staking.InitGenesis(ctx, g.Staking)
	if err != nil {
		l.block.Discard()
		return nil, err
	}
	l.block.Write()
	l.deliver = env{}
	l.chk.env = env{}
	return ups, nil
}

// BeginBlock starts executing a block: it records the header, punishes the
// misbehavior it lists, and returns the events of that.
func (l *Ledger) BeginBlock(h chain.Header) []chain.Event {
	if l.inBlock {
		panic("ledger: BeginBlock twice without EndBlock")
	}
	e, ok := loadEnv(l.block, l.Auth)
	if !ok {
		panic("ledger: BeginBlock before InitChain (no chain id in state)")
	}
	l.deliver = e
	l.inBlock = true
	l.header = h
	ctx := &chain.Context{KV: l.block, Header: h, ChainID: e.chainID, Mode: chain.ModeDeliver}
	for _, m := range h.Misbehavior {
		l.Staking.HandleMisbehavior(ctx, m)
	}
	return ctx.Events
}

// DeliverTx executes one tx of the block. The rules:
//   - A tx that fails before or in the ante step (size, decoding, chain
//     id, fee floor, signature, nonce, fee balance) changes nothing.
//   - Otherwise the ante step charges the fee (to FeeCollector) and bumps
//     the signer's nonce, and those writes stay even if a message fails;
//     messages run in order in one cache that is discarded, with their
//     events, if any message fails.
func (l *Ledger) DeliverTx(txBytes []byte) Result {
	if !l.inBlock {
		panic("ledger: DeliverTx outside BeginBlock/EndBlock")
	}
	res := l.runTx(&l.ex, txBytes, &l.deliver, &l.header, chain.ModeDeliver, l.block)
	l.txs.remove(txBytes) // executed: no later step looks at these bytes again
	return res
}

// EndBlock pays the block's fees to the proposer, matures unbondings,
// computes validator-set updates, and flushes the block's writes to the
// store in key order. After it the app may hash the store.
func (l *Ledger) EndBlock() EndBlockResult {
	if !l.inBlock {
		panic("ledger: EndBlock without BeginBlock")
	}
	ctx := &chain.Context{KV: l.block, Header: l.header, ChainID: l.deliver.chainID, Mode: chain.ModeDeliver}
	l.payProposer(ctx)
	ups := l.Staking.EndBlock(ctx)
	l.block.Write()
	l.inBlock = false
	return EndBlockResult{ValidatorUpdates: ups, Events: ctx.Events}
}

// payProposer moves the fee collector's balance to the proposer's operator
// account. With no known proposer the fees wait for the next block.
func (l *Ledger) payProposer(ctx *chain.Context) {
	fees := l.Bank.Balance(ctx.KV, FeeCollector)
	if fees == 0 {
		return
	}
	op, ok := l.Staking.OperatorByConsAddr(ctx.KV, l.header.Proposer)
	if !ok {
		return
	}
	if err := l.Bank.SendQuiet(ctx, FeeCollector, op, fees); err != nil {
		panic("ledger: paying fees: " + err.Error())
	}
	ctx.Emit(chain.NewEvent("ledger", "proposer_reward", "proposer", op.String(), "amount", chain.U64(fees)))
}

// Commit tells the ledger the app persisted the block: committed is a
// read-only view of the state as of that commit. It resets the ledger's
// own mempool checker (CheckTx) onto committed, for the next block (pending
// nonces are rebuilt by re-checking the mempool). Pass nil to use the store
// itself (tests, or an app without concurrent CheckTx). An app that runs
// CheckTx on a separate Checker resets that one itself.
func (l *Ledger) Commit(committed state.KV) {
	if l.inBlock {
		panic("ledger: Commit inside a block")
	}
	if committed == nil {
		committed = l.store
	}
	l.chk.Reset(committed, l.NextHeader())
}

// NextHeader is what CheckTx assumes about the next block after the last
// one executed: its height, and the last block's time.
func (l *Ledger) NextHeader() chain.Header {
	return chain.Header{Height: l.header.Height + 1, TimeUnixNano: l.header.TimeUnixNano}
}

// CheckTx runs the ledger's own Checker (see Checker.CheckTx), whose state
// Commit resets.
func (l *Ledger) CheckTx(txBytes []byte, mode CheckMode) Result { return l.chk.CheckTx(txBytes, mode) }

// runTx is the tx pipeline shared by CheckTx and DeliverTx. Ante writes go
// to anteKV; message writes go to x.msgs layered over it.
func (l *Ledger) runTx(x *executor, txBytes []byte, e *env, hdr *chain.Header, mode chain.Mode, anteKV *state.Cache) Result {
	p := &e.params
	if uint64(len(txBytes)) > p.MaxTxBytes {
		return errResult(chain.ErrTxTooLarge.Wrapf("%d bytes; max_tx_bytes is %d", len(txBytes), p.MaxTxBytes))
	}
	prep, err := l.Prepare(txBytes)
	if err != nil {
		return errResult(err)
	}
	t, signer := prep.Tx, prep.Signer
	res := Result{Signer: signer, Nonce: t.Nonce, Fee: t.Fee}
	fail := func(err error) Result {
		cs, code, log := chain.ABCIInfo(err)
		res.Codespace, res.Code, res.Log = cs, code, log
		return res
	}
	if uint64(len(t.Msgs)) > p.MaxMsgsPerTx {
		return fail(chain.ErrTooManyMsgs.Wrapf("tx has %d messages; max_msgs_per_tx is %d", len(t.Msgs), p.MaxMsgsPerTx))
	}
	for i, m := range t.Msgs {
		if err := m.ValidateBasic(); err != nil {
			return fail(fmt.Errorf("message %d (%s): %w", i, m.Type(), err))
		}
	}
	if t.ChainID != e.chainID {
		return fail(chain.ErrWrongChainID.Wrapf("tx is for chain %q, this is %q; sign it for %q", t.ChainID, e.chainID, e.chainID))
	}
	if minFee := p.MinFeeFor(len(txBytes)); t.Fee < minFee {
		return fail(chain.ErrInsufficientFee.Wrapf("fee %d utgt is below the minimum %d utgt for a %d-byte tx (min_fee %d + fee_per_byte %d × size)",
			t.Fee, minFee, len(txBytes), p.MinFee, p.FeePerByte))
	}
	if !l.verifyOne(prep) {
		return fail(chain.ErrInvalidSignature.Wrapf("signature does not verify for public key %s (signer %s)", t.PubKey, signer))
	}

	// Ante: every check before any write.
	m := x.mods
	nonce := m.auth.Nonce(anteKV, signer)
	switch {
	case t.Nonce < nonce:
		return fail(chain.ErrNonceReplay.Wrapf("tx nonce %d, account %s is at nonce %d: this tx (or another with its nonce) was already included; sign with nonce %d",
			t.Nonce, signer, nonce, nonce))
	case t.Nonce > nonce:
		return fail(chain.ErrNonceFuture.Wrapf("tx nonce %d, account %s is at nonce %d: send the txs with nonces %d..%d first",
			t.Nonce, signer, nonce, nonce, t.Nonce-1))
	}
	ctx := &chain.Context{KV: anteKV, Header: *hdr, ChainID: e.chainID, Mode: mode, NoEvents: x.noEvents}
	if !x.noEvents {
		ctx.Events = make([]chain.Event, 0, 4)
	}
	if t.Fee > 0 {
		if err := m.bank.SendQuiet(ctx, signer, FeeCollector, t.Fee); err != nil {
			return fail(chain.ErrFeeUnpaid.Wrapf("%s has %d utgt, the fee is %d utgt; fund the account",
				signer, m.bank.Balance(anteKV, signer), t.Fee))
		}
	}
	m.auth.SetNonce(anteKV, signer, nonce+1)
	res.Charged = true
	if ctx.Recording() {
		ctx.Emit(chain.NewEvent("ledger", "tx", "signer", signer.String(), "nonce", chain.U64(t.Nonce), "fee", chain.U64(t.Fee)))
	}

	// Messages: all or nothing.
	x.msgs.SetParent(anteKV)
	ctx.KV = x.msgs
	anteEvents := len(ctx.Events)
	if err := runMsgs(m, ctx, signer, t.Msgs); err != nil {
		x.msgs.Discard()
		res.Events = ctx.Events[:anteEvents:anteEvents]
		return fail(err)
	}
	x.msgs.Write()
	res.Events = ctx.Events
	return res
}

// runMsgs executes the messages in order. A panic in a handler (a bug) is
// turned into ErrInternal, except storage failures and corrupt state, which
// must stop the node.
func runMsgs(m *modules, ctx *chain.Context, signer chain.Address, msgs []chain.Msg) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if state.IsFatal(r) {
				panic(r)
			}
			if _, corrupt := r.(*collections.CorruptError); corrupt {
				panic(r)
			}
			err = chain.ErrInternal.Wrapf("message handler panicked: %v", r)
		}
	}()
	for i, msg := range msgs {
		h := m.handlers[msg.Type()]
		if h == nil {
			return chain.ErrUnknownMsg.Wrapf("message %d has type %q, which no module handles", i, msg.Type())
		}
		if err := h(ctx, signer, msg); err != nil {
			if len(msgs) == 1 {
				return err
			}
			return fmt.Errorf("message %d (%s): %w", i, msg.Type(), err)
		}
	}
	return nil
}
