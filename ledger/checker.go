package ledger

import (
	"tangent/ledger/chain"
	"tangent/ledger/state"
)

// Checker decides whether txs may enter the mempool. It runs each tx in
// full (ante and messages) against its own check state: the last commit
// plus the txs it accepted since, so several txs from one sender with
// consecutive nonces are all accepted. It has its own modules and caches,
// and shares with its Ledger only what is safe for concurrent use (the tx
// decoder and the tx and key caches), so a Checker may run on one goroutine
// while the Ledger executes a block on another, as long as the committed
// state it reads is safe for that (an IAVL view is).
//
// A Checker is not safe for concurrent use itself.
type Checker struct {
	l     *Ledger
	ex    executor
	check *state.Cache // the last commit plus the accepted txs
	chkTx *state.Cache // the current CheckTx's ante writes over check
	head  chain.Header // what CheckTx assumes: the next block
	env   env          // chain id and params, loaded from check on first use
}

// NewChecker returns a Checker reading the ledger's store until its first
// Reset.
func (l *Ledger) NewChecker() *Checker {
	c := &Checker{l: l}
	c.check = state.NewCache(l.store)
	c.chkTx = state.NewCache(c.check)
	c.ex = executor{mods: l.newModules(), msgs: state.NewCache(c.chkTx)}
	c.head = chain.Header{Height: 1}
	return c
}

// Reset drops every accepted tx and points the check state at committed
// (a read-only view of the last commit); next is the header CheckTx gives
// message handlers: the next block's height and (an estimate of) its time,
// e.g. Ledger.NextHeader, or for an app that restarted, the committed
// height plus one. The chain id and parameters are read again from
// committed on the next CheckTx.
func (c *Checker) Reset(committed state.KV, next chain.Header) {
	c.chkTx.Discard()
	c.check.Discard()
	c.check.SetParent(committed)
	c.env = env{}
	c.head = chain.Header{Height: next.Height, TimeUnixNano: next.TimeUnixNano}
}

// DropEvents makes CheckTx return no events, and skip building them: for
// an app whose CheckTx answers carry none (app.App). Call it before the
// first CheckTx.
func (c *Checker) DropEvents() { c.ex.noEvents = true }

// Header is the header CheckTx runs under.
func (c *Checker) Header() chain.Header { return c.head }

// CheckTx runs the whole tx against the check state: the pipeline of
// DeliverTx (see the package doc), then, on success, keeps its writes (fee,
// nonce and messages) in the check state until the next Reset, unless
// mode is CheckDry. A rejected tx leaves the check state untouched, and is
// dropped from the tx cache.
func (c *Checker) CheckTx(txBytes []byte, mode CheckMode) Result {
	if !c.env.loaded {
		e, ok := loadEnv(c.check, c.ex.mods.auth)
		if !ok {
			return errResult(chain.ErrInternal.Wrap("the chain has no genesis yet; wait for InitChain"))
		}
		c.env = e
	}
	res := c.l.runTx(&c.ex, txBytes, &c.env, &c.head, chain.ModeCheck, c.chkTx)
	switch {
	case res.IsOK() && mode != CheckDry:
		c.chkTx.Write()
	case res.IsOK():
		c.chkTx.Discard()
	default:
		c.chkTx.Discard()
		c.l.txs.remove(txBytes)
	}
	return res
}

// State is the check state (the last commit plus the accepted txs), for
// tests that prove a rejected tx left it untouched. Read it only while no
// CheckTx runs.
func (c *Checker) State() state.KV { return c.check }
