// Command loadgen measures how many signed transfers a one-validator Tangent
// node commits per second. It is a benchmark, not a test: run it through
// bench/ledger.sh (make bench).
//
// For each run (-runs local,rpc) it:
//  1. writes a fresh node home (node.InitHome, block timing -timing) whose
//     genesis funds -accounts sender accounts;
//  2. pre-signs -txs bank transfers (each sender's nonces 0,1,2,… to random
//     recipients), so signing is not measured;
//  3. starts the node in-process and submits the txs, each sender's in
//     nonce order: "local" hands them to CometBFT's mempool directly
//     (Mempool.CheckTx, the path a tx from a peer takes; like the mempool
//     reactor, each submitter goes on without waiting for the answer, up
//     to -depth answers outstanding), "batch" sends
//     them with broadcast_tx_sync in JSON-RPC batches of -batch over HTTP
//     (client.BroadcastBatch), "rpc" with one BroadcastTxSync HTTP request
//     each; -conc goroutines submit;
//  4. waits until every tx is in a committed block, records each block's
//     time and size from the event bus, and CPU-profiles the process;
//  5. checks that nothing was lost: every sent tx hash is in a committed
//     block with code 0, and every sender's nonce equals its tx count;
//  6. reports committed tx/s (all txs / time from first submit to the
//     block holding the last one, and the steady rate over the middle 80%
//     of blocks), lost txs, and where the CPU went (the app's share: every
//     sample under tangent/app, which includes the ledger, IAVL and
//     signature checks; the rest is CometBFT, the load generator and GC).
//
// Results go to -out as JSON.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	mempl "github.com/cometbft/cometbft/mempool"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/google/pprof/profile"

	"tangent/app/iavlstore"
	"tangent/client"
	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/tx"
	banktypes "tangent/ledger/x/bank/types"
	"tangent/node"
)

type config struct {
	Txs          int    `json:"txs"`
	Accounts     int    `json:"accounts"`
	Recipients   int    `json:"recipients"`
	Via          string `json:"via"`
	Conc         int    `json:"concurrency"`
	Batch        int    `json:"batch,omitempty"`
	Depth        int    `json:"depth,omitempty"`
	Timing       string `json:"timing"`
	TimeoutMS    int64  `json:"timeout_commit_ms"`
	Window       int    `json:"mempool_window"`
	Recheck      bool   `json:"mempool_recheck"`
	IndexEvents  bool   `json:"index_events"`
	TxIndex      string `json:"tx_indexer"`
	BlockMaxByte int64  `json:"block_max_bytes"`
	GOMAXPROCS   int    `json:"gomaxprocs"`
	GOGC         int    `json:"gogc"`
	AppDB        string `json:"app_db"`
	IAVLFast     bool   `json:"iavl_fast_storage"`
}

type blockRec struct {
	height int64
	at     time.Time
	txs    int
}

type cpuShare struct {
	Seconds  float64            `json:"cpu_seconds"`
	Wall     float64            `json:"wall_seconds"`
	AppShare float64            `json:"app_share"`
	Shares   map[string]float64 `json:"shares"`
	Top      []topFunc          `json:"top_flat"`
}

type topFunc struct {
	Func  string  `json:"func"`
	Share float64 `json:"share"`
}

type result struct {
	Config           config  `json:"config"`
	TxBytes          int     `json:"tx_bytes"`
	SignPerSec       float64 `json:"presign_tx_per_s"`
	Sent             int     `json:"txs_sent"`
	Committed        int     `json:"txs_committed"`
	Failed           int     `json:"txs_failed_in_block"`
	Lost             int     `json:"lost_txs"`
	NonceMismatch    int     `json:"senders_with_wrong_nonce"`
	Seconds          float64 `json:"seconds"`
	CommittedTPS     float64 `json:"committed_tps"`
	SteadyTPS        float64 `json:"steady_tps"`
	Blocks           int     `json:"blocks"`
	AvgBlockTxs      float64 `json:"avg_block_txs"`
	MaxBlockTxs      int     `json:"max_block_txs"`
	AvgBlockInterval float64 `json:"avg_block_interval_ms"`
	MempoolFullRetry int64   `json:"mempool_full_retries"`
	// CheckSigBatch is the mean number of signatures CheckTx verified per
	// batch (app.App.CheckSigStats).
	CheckSigBatch float64 `json:"checktx_sig_batch_mean"`
	// SubmitLatencyMs are percentiles (p50, p90, p99, max) of the time one
	// submission took, from the call to its CheckTx answer (runs local and
	// rpc; on the local path with Depth > 1 the answer is noticed when the
	// submitter next needs room, so it reads high). With Conc submitters
	// each waiting for Depth answers, committed tx/s can be at most
	// Conc × Depth / mean latency (Little's law).
	SubmitLatencyMs map[string]float64 `json:"submit_latency_ms,omitempty"`
	SubmitMeanMs    float64            `json:"submit_latency_mean_ms,omitempty"`
	CPU             cpuShare           `json:"cpu"`
	// CPUMicrosPerTx is process CPU time per committed tx: a load-independent
	// cost. TxPerCPUSecond is its inverse.
	CPUMicrosPerTx float64 `json:"cpu_us_per_tx"`
	TxPerCPUSecond float64 `json:"tx_per_cpu_second"`
	// VerifyMicros is the wall time of one ed25519 verification measured
	// right before the run (calibrates the machine and its current load).
	VerifyMicros float64 `json:"ed25519_verify_us"`
	// CalibCPUMicros is the thread CPU time of one crypto/ed25519
	// verification, measured before and after the run (median of both):
	// on a shared machine it tracks how much slower every instruction runs
	// at the moment (hyperthread and cache contention), so
	// CPUPerTxInVerifies = CPUMicrosPerTx / CalibCPUMicros compares runs
	// made under different loads better than CPUMicrosPerTx.
	CalibCPUMicros     float64 `json:"calib_verify_cpu_us"`
	CPUPerTxInVerifies float64 `json:"cpu_per_tx_in_verifies"`
	LoadAvg            string  `json:"loadavg_before_after"`
	// BlockLog is "ms-since-start:txs" for each loaded block.
	BlockLog []string `json:"block_log"`
	Profile  string   `json:"cpu_profile,omitempty"`
}

func main() {
	var (
		txs        = flag.Int("txs", 60000, "transfers to send per run")
		accounts   = flag.Int("accounts", 2000, "sender accounts funded in genesis")
		recipients = flag.Int("recipients", 5000, "distinct recipient addresses")
		runs       = flag.String("runs", "local,batch,rpc", "comma-separated submit paths: local (mempool directly), batch (BroadcastTxSync in JSON-RPC batches over HTTP), rpc (one BroadcastTxSync per HTTP request)")
		conc       = flag.Int("conc", 16, "submitting goroutines")
		batch      = flag.Int("batch", 100, "txs per JSON-RPC batch request (run \"batch\")")
		depth      = flag.Int("depth", 64, "CheckTx calls each submitter keeps unanswered (run \"local\"; a peer's stream does not wait; 1: wait for each answer)")
		appDB      = flag.String("app-db", iavlstore.DefaultOptions().Backend, "the app state's database: pebbledb or goleveldb")
		iavlFast   = flag.Bool("iavl-fast", true, "IAVL fast storage (flat index of the latest version)")
		gogc       = flag.Int("gogc", node.GCPercent, "GC percent for the process (default: what `tangent start` sets unless GOGC is set)")
		timing     = flag.String("timing", "devnet", "block timing: devnet, test or default")
		window     = flag.Int("window", 0, "keep at most this many txs in the mempool (0: the node's mempool.size, 50,000, as peers that send until it is full)")
		recheck    = flag.Bool("recheck", true, "CometBFT mempool recheck after each block")
		indexEv    = flag.Bool("index-events", false, "index the address attributes of events (kv indexer; the node's --index-events)")
		txIndex    = flag.String("tx-index", "kv", "CometBFT tx indexer: kv or null")
		out        = flag.String("out", "bench/results/ledger.json", "result JSON file")
		profDir    = flag.String("profile-dir", "bench/results", "where to write the CPU profiles (ledger-VIA.pprof)")
		timeout    = flag.Duration("timeout", 10*time.Minute, "give up a run after this long")
		keepHome   = flag.Bool("keep-home", false, "keep each run's node home (its path is logged) instead of deleting it")
		traceTo    = flag.String("trace", "", "write an execution trace of each run's submit phase to this file prefix (FILE-VIA.trace; read with go tool trace)")
		gdump      = flag.String("goroutines", "", "write a goroutine dump (pprof debug=1) 5 s into each run's submit phase to this file prefix")
	)
	flag.Parse()
	debug.SetGCPercent(*gogc)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	all := map[string]any{
		"bench":   "ledger",
		"date":    time.Now().UTC().Format(time.RFC3339),
		"machine": machine(),
		"note":    "one-validator node in-process; committed_tps counts only txs found in committed blocks with code 0",
	}
	runResults := map[string]*result{}
	for _, via := range strings.Split(*runs, ",") {
		cfg := config{Txs: *txs, Accounts: *accounts, Recipients: *recipients, Via: via, Conc: *conc, Batch: *batch, Depth: *depth, GOGC: *gogc, AppDB: *appDB, IAVLFast: *iavlFast, Timing: *timing,
			Window: *window, Recheck: *recheck, IndexEvents: *indexEv, TxIndex: *txIndex, GOMAXPROCS: runtime.GOMAXPROCS(0)}
		r, err := run(cfg, logger, *profDir, *timeout, *keepHome, *gdump, *traceTo)
		if err != nil {
			logger.Error("run failed", "via", via, "err", err)
			os.Exit(1)
		}
		runResults[via] = r
		logger.Info("run done", "via", via, "committed_tps", int(r.CommittedTPS), "steady_tps", int(r.SteadyTPS),
			"lost", r.Lost, "app_cpu_share", fmt.Sprintf("%.2f", r.CPU.AppShare))
	}
	all["runs"] = runResults
	b, _ := json.MarshalIndent(all, "", "  ")
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		fatal(err)
	}
	fmt.Println(string(b))
	for _, r := range runResults {
		if r.Lost != 0 || r.NonceMismatch != 0 {
			fmt.Fprintln(os.Stderr, "loadgen: LOST TRANSACTIONS")
			os.Exit(2)
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}

func machine() map[string]any {
	cpu := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				_, cpu, _ = strings.Cut(l, ":")
				cpu = strings.TrimSpace(cpu)
				break
			}
		}
	}
	return map[string]any{"cores": runtime.NumCPU(), "cpu": cpu, "go": runtime.Version(), "os": runtime.GOOS + "/" + runtime.GOARCH}
}

func keyOf(i int) ed25519.PrivateKey {
	seed := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("loadgen/sender/"), uint64(i)))
	return ed25519.NewKeyFromSeed(seed[:])
}

func recipientOf(i int) chain.Address {
	sum := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("loadgen/recipient/"), uint64(i)))
	var a chain.Address
	copy(a[:], sum[:])
	return a
}

func run(cfg config, logger *slog.Logger, profDir string, timeout time.Duration, keepHome bool, gdump, traceTo string) (*result, error) {
	res := &result{Config: cfg}
	home, err := os.MkdirTemp("", "tangent-loadgen-")
	if err != nil {
		return nil, err
	}
	if keepHome {
		logger.Info("node home kept", "home", home)
	} else {
		defer os.RemoveAll(home)
	}

	// Keys and genesis.
	perSender := (cfg.Txs + cfg.Accounts - 1) / cfg.Accounts
	keys := make([]ed25519.PrivateKey, cfg.Accounts)
	var funded []banktypes.Balance
	for i := range keys {
		keys[i] = keyOf(i)
		funded = append(funded, banktypes.Balance{Address: chain.AddressOf(keys[i].Public().(ed25519.PublicKey)), Amount: 1_000_000_000_000})
	}
	timing := map[string]node.BlockTiming{"devnet": node.TimingDevnet, "test": node.TimingTest, "default": node.TimingDefault}[cfg.Timing]
	const chainID = "loadgen-1"
	if _, err := node.InitHome(home, node.InitOptions{ChainID: chainID, Timing: timing, Accounts: funded}); err != nil {
		return nil, err
	}
	c, err := node.LoadConfig(home)
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	c.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
	c.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", ports[1])
	if cfg.Window <= 0 { // peers fill the mempool up to its configured size
		cfg.Window = c.Mempool.Size
	}
	res.Config.Window = cfg.Window
	c.Mempool.Size = max(c.Mempool.Size, cfg.Window)
	c.Mempool.CacheSize = cfg.Txs + 10000
	c.Mempool.Recheck = cfg.Recheck
	c.TxIndex.Indexer = cfg.TxIndex
	c.RPC.MaxOpenConnections = cfg.Conc * 4
	res.Config.TimeoutMS = c.Consensus.TimeoutCommit.Milliseconds()
	if err := node.SaveConfig(home, c); err != nil {
		return nil, err
	}

	// Pre-sign: sender s sends nonces 0..perSender-1, to random recipients.
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Now()
	txsBy := make([][][]byte, cfg.Accounts) // [sender][nonce]
	sent := 0
	for n := 0; n < perSender && sent < cfg.Txs; n++ {
		for s := 0; s < cfg.Accounts && sent < cfg.Txs; s++ {
			t := &tx.Tx{ChainID: chainID, Nonce: uint64(n), Fee: 5000,
				Msgs: []chain.Msg{&banktypes.MsgSend{To: recipientOf(rng.IntN(cfg.Recipients)), Amount: 1 + uint64(rng.IntN(1000))}}}
			t.Sign(keys[s])
			txsBy[s] = append(txsBy[s], t.Encode())
			sent++
		}
	}
	res.Sent = sent
	res.SignPerSec = float64(sent) / time.Since(t0).Seconds()
	res.TxBytes = len(txsBy[0][0])

	res.VerifyMicros = verifyMicros()
	calibBefore := calibCPU()
	loadBefore := loadAvg()

	// Start the node.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	nlog := logger.With("run", cfg.Via)
	opts := node.Options{Logger: nlog}
	opts.App.IndexEvents = cfg.IndexEvents
	so := iavlstore.DefaultOptions()
	so.Backend = cfg.AppDB
	so.NoFastStorage = !cfg.IAVLFast
	opts.Store = &so
	n, err := node.Start(ctx, home, opts)
	if err != nil {
		return nil, err
	}
	defer n.Stop()
	res.Config.BlockMaxByte = n.Comet().GenesisDoc().ConsensusParams.Block.MaxBytes
	cl, err := client.New(n.RPCAddress(), client.Options{})
	if err != nil {
		return nil, err
	}
	for {
		if h, err := cl.LatestHeight(ctx); err == nil && h >= 2 {
			break
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Watch blocks by polling the block store every 2 ms (a pubsub
	// subscription would cost the node a query match per published tx
	// event, a measurement artifact). A block counts when it is stored;
	// its txs' result codes are read after the run.
	var (
		recMu   sync.Mutex
		recs    []blockRec
		total   atomic.Int64
		allDone = make(chan struct{})
	)
	bs := n.Comet().BlockStore()
	go func() {
		seen := bs.Height()
		tk := time.NewTicker(2 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-allDone:
				return
			case <-tk.C:
			}
			top := bs.Height()
			for h := seen + 1; h <= top; h++ {
				meta := bs.LoadBlockMeta(h)
				if meta == nil {
					top = h - 1
					break
				}
				recMu.Lock()
				recs = append(recs, blockRec{height: h, at: time.Now(), txs: meta.NumTxs})
				recMu.Unlock()
				if total.Add(int64(meta.NumTxs)) >= int64(sent) {
					close(allDone)
					return
				}
			}
			seen = top
		}
	}()

	mp := n.Comet().Mempool()
	// Submit, profiling the whole process.
	profPath := filepath.Join(profDir, "ledger-"+cfg.Via+".pprof")
	if err := os.MkdirAll(profDir, 0o755); err != nil {
		return nil, err
	}
	pf, err := os.Create(profPath)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		return nil, err
	}
	if traceTo != "" {
		tf, err := os.Create(traceTo + "-" + cfg.Via + ".trace")
		if err != nil {
			return nil, err
		}
		defer tf.Close()
		if err := trace.Start(tf); err != nil {
			return nil, err
		}
		defer trace.Stop() // stopped early below, after the load
	}
	var ru0 = cpuTime()
	start := time.Now()
	var fullRetries, submitted atomic.Int64
	go func() { // progress on stderr
		tk := time.NewTicker(2 * time.Second)
		defer tk.Stop()
		for {
			select {
			case <-allDone:
				return
			case <-ctx.Done():
				return
			case <-tk.C:
				nlog.Info("progress", "submitted", submitted.Load(), "committed", total.Load(), "mempool", mp.Size())
			}
		}
	}()
	if gdump != "" {
		for i := 0; i < 20; i++ {
			time.AfterFunc(3*time.Second+time.Duration(i)*347*time.Millisecond, func() {
				if f, err := os.Create(fmt.Sprintf("%s-%s-%d.txt", gdump, cfg.Via, i)); err == nil {
					pprof.Lookup("goroutine").WriteTo(f, 2)
					f.Close()
				}
			})
		}
	}
	var submitErr atomic.Value
	var wg sync.WaitGroup
	for w := 0; w < cfg.Conc && cfg.Via == "batch"; w++ {
		wg.Add(1)
		go func(w int) { // batches of one tx per sender: no nonce dependency inside a batch
			defer wg.Done()
			rc, _ := client.New(n.RPCAddress(), client.Options{})
			var mine []int
			for s := w; s < cfg.Accounts; s += cfg.Conc {
				mine = append(mine, s)
			}
			next := make([]int, len(mine))
			cursor := 0
			for ctx.Err() == nil {
				var idx []int
				var batch [][]byte
				for k := 0; k < len(mine) && len(batch) < cfg.Batch; k++ {
					j := (cursor + k) % len(mine)
					if next[j] < len(txsBy[mine[j]]) {
						idx = append(idx, j)
						batch = append(batch, txsBy[mine[j]][next[j]])
					}
				}
				if len(batch) == 0 {
					return
				}
				cursor = (cursor + cfg.Batch) % len(mine)
				for mp.Size() > cfg.Window && ctx.Err() == nil {
					time.Sleep(time.Millisecond)
				}
				_, errs, err := rc.BroadcastBatch(ctx, batch)
				if err != nil {
					submitErr.CompareAndSwap(nil, errBox{err})
					cancel()
					return
				}
				full := false
				for i, e := range errs {
					switch {
					case e == nil || errors.Is(e, client.ErrAlreadySubmitted):
						next[idx[i]]++
						submitted.Add(1)
					case errors.Is(e, client.ErrMempoolFull):
						full = true
						fullRetries.Add(1)
					default:
						submitErr.CompareAndSwap(nil, errBox{fmt.Errorf("sender %d nonce %d: %w", mine[idx[i]], next[idx[i]], e)})
						cancel()
						return
					}
				}
				if full {
					time.Sleep(2 * time.Millisecond)
				}
			}
		}(w)
	}
	lat := make([][]time.Duration, cfg.Conc)
	for w := 0; w < cfg.Conc && cfg.Via != "batch"; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			lat[w] = make([]time.Duration, 0, perSender*(cfg.Accounts/cfg.Conc+1))
			var rc *client.Client
			if cfg.Via == "rpc" {
				rc, _ = client.New(n.RPCAddress(), client.Options{})
			}
			// The local path keeps up to depth answers outstanding, as the
			// mempool reactor does with a peer's txs; a sender's next nonce
			// comes a whole round of this submitter's senders later, so it
			// is never sent before the answer for the previous one is in.
			depth := 1
			if cfg.Via == "local" {
				depth = max(1, min(cfg.Depth, cfg.Accounts/cfg.Conc))
			}
			type outstanding struct {
				rr       *abcicli.ReqRes
				t0       time.Time
				s, nonce int
			}
			var fifo []outstanding
			// answer waits for the oldest outstanding CheckTx; one that
			// found the mempool full is sent again, synchronously.
			answer := func() bool {
				o := fifo[0]
				fifo = fifo[1:]
				o.rr.Wait()
				err := answerErr(o.rr)
				for err != nil && isFull(err) && ctx.Err() == nil {
					fullRetries.Add(1)
					time.Sleep(2 * time.Millisecond)
					err = submit(ctx, cfg.Via, mp, rc, txsBy[o.s][o.nonce])
				}
				if err != nil {
					submitErr.CompareAndSwap(nil, errBox{fmt.Errorf("sender %d nonce %d: %w", o.s, o.nonce, err)})
					cancel()
					return false
				}
				lat[w] = append(lat[w], time.Since(o.t0))
				submitted.Add(1)
				return true
			}
			defer func() {
				for len(fifo) > 0 && answer() {
				}
			}()
			for nonce := 0; nonce < perSender; nonce++ {
				for s := w; s < cfg.Accounts; s += cfg.Conc {
					if nonce >= len(txsBy[s]) {
						continue
					}
					b := txsBy[s][nonce]
					for ctx.Err() == nil {
						for mp.Size() > cfg.Window && ctx.Err() == nil {
							time.Sleep(time.Millisecond)
						}
						if depth > 1 && len(fifo) == depth && !answer() {
							return
						}
						t0 := time.Now()
						var err error
						if depth > 1 {
							var rr *abcicli.ReqRes
							if rr, err = mp.CheckTx(b, ""); err == nil {
								fifo = append(fifo, outstanding{rr, t0, s, nonce})
								break
							}
						} else if err = submit(ctx, cfg.Via, mp, rc, b); err == nil {
							lat[w] = append(lat[w], time.Since(t0))
							submitted.Add(1)
							break
						}
						if isFull(err) {
							fullRetries.Add(1)
							time.Sleep(2 * time.Millisecond)
							continue
						}
						submitErr.CompareAndSwap(nil, errBox{fmt.Errorf("sender %d nonce %d: %w", s, nonce, err)})
						cancel()
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	if e, ok := submitErr.Load().(errBox); ok {
		pprof.StopCPUProfile()
		return nil, e.err
	}
	select {
	case <-allDone:
	case <-ctx.Done():
		pprof.StopCPUProfile()
		return nil, fmt.Errorf("only %d of %d txs committed before the timeout", total.Load(), sent)
	}
	end := time.Now()
	pprof.StopCPUProfile()
	if traceTo != "" {
		trace.Stop()
	}
	cpuUsed := cpuTime() - ru0
	pf.Close()
	res.MempoolFullRetry = fullRetries.Load()
	res.SubmitLatencyMs, res.SubmitMeanMs = percentiles(slices.Concat(lat...))
	if b, v := n.App().CheckSigStats(); b > 0 {
		res.CheckSigBatch = float64(v) / float64(b)
	}

	// Rates.
	recMu.Lock()
	blocks := append([]blockRec(nil), recs...)
	recMu.Unlock()
	var loaded []blockRec
	for _, b := range blocks {
		if b.txs > 0 {
			loaded = append(loaded, b)
		}
	}
	res.Seconds = end.Sub(start).Seconds()
	res.Blocks = len(loaded)
	for _, b := range loaded {
		res.BlockLog = append(res.BlockLog, fmt.Sprintf("%d:%d", b.at.Sub(start).Milliseconds(), b.txs))
		res.AvgBlockTxs += float64(b.txs)
		res.MaxBlockTxs = max(res.MaxBlockTxs, b.txs)
		// A block counts when stored, before it is executed: its results
		// may still be coming (the last block of a short run).
		var br *coretypes.ResultBlockResults
		var err error
		for try := 0; try < 100; try++ {
			if br, err = retried(func() (*coretypes.ResultBlockResults, error) { return cl.RPC().BlockResults(ctx, &b.height) }); err == nil ||
				!strings.Contains(err.Error(), "could not find results") {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			return nil, fmt.Errorf("results of block %d: %w", b.height, err)
		}
		for _, r := range br.TxResults {
			if r.Code != 0 {
				res.Failed++
			}
		}
	}
	if len(loaded) > 0 {
		res.AvgBlockTxs /= float64(len(loaded))
	}
	if len(loaded) > 1 {
		res.AvgBlockInterval = float64(loaded[len(loaded)-1].at.Sub(loaded[0].at).Milliseconds()) / float64(len(loaded)-1)
		lo, hi := len(loaded)/10, len(loaded)-1-len(loaded)/10
		if hi > lo {
			cnt := 0
			for _, b := range loaded[lo+1 : hi+1] {
				cnt += b.txs
			}
			res.SteadyTPS = float64(cnt) / loaded[hi].at.Sub(loaded[lo].at).Seconds()
		}
	}

	// Nothing lost: every sent hash in a committed block, with code 0 (no
	// block had a failed tx), and every sender's nonce advanced fully.
	inBlocks := map[[32]byte]bool{}
	for _, b := range blocks {
		blk, _ := bs.LoadBlock(b.height)
		if blk == nil {
			continue
		}
		for _, t := range blk.Txs {
			inBlocks[sha256.Sum256(t)] = true
		}
	}
	for s := range txsBy {
		for _, b := range txsBy[s] {
			if !inBlocks[sha256.Sum256(b)] {
				res.Lost++
			}
		}
	}
	res.Committed = sent - res.Lost - res.Failed
	res.CommittedTPS = float64(res.Committed) / res.Seconds
	// Nonces from committed state (wait for the last block's commit).
	// The first query (height 0) waits for the block that signs the newest
	// state; the others read that same height, so they do not each wait a
	// block time for a newer one.
	time.Sleep(500 * time.Millisecond)
	var stateHeight int64
	for s := range keys {
		p, err := retried(func() (*client.Proven, error) {
			return cl.Query(ctx, ledger.AccountKey(chain.AddressOf(keys[s].Public().(ed25519.PublicKey))), stateHeight)
		})
		if err != nil {
			return nil, err
		}
		stateHeight = p.Height
		if acc, _ := ledger.DecodeAccount(p.Value); acc.Nonce != uint64(len(txsBy[s])) {
			res.NonceMismatch++
		}
	}

	// CPU.
	res.CPU, err = analyze(profPath)
	if err != nil {
		return nil, err
	}
	res.CPU.Seconds = cpuUsed.Seconds()
	res.CPU.Wall = res.Seconds
	res.Profile = profPath
	if res.Committed > 0 {
		res.CPUMicrosPerTx = float64(cpuUsed.Microseconds()) / float64(res.Committed)
		res.TxPerCPUSecond = float64(res.Committed) / cpuUsed.Seconds()
	}
	res.LoadAvg = loadBefore + " / " + loadAvg()
	res.CalibCPUMicros = (calibBefore + calibCPU()) / 2
	if res.CalibCPUMicros > 0 {
		res.CPUPerTxInVerifies = res.CPUMicrosPerTx / res.CalibCPUMicros
	}
	return res, nil
}

func submit(ctx context.Context, via string, mp mempl.Mempool, rc *client.Client, b []byte) error {
	if via == "rpc" {
		_, err := rc.Broadcast(ctx, b)
		return err
	}
	rr, err := mp.CheckTx(b, "")
	if err != nil {
		return err
	}
	rr.Wait()
	return answerErr(rr)
}

// answerErr is the error of a completed CheckTx: the mempool's (full, when
// it filled up while the app checked the tx) or the app's rejection.
func answerErr(rr *abcicli.ReqRes) error {
	if err := rr.Error(); err != nil {
		return err
	}
	if r := rr.Response.GetCheckTx(); r != nil && r.Code != 0 {
		return fmt.Errorf("CheckTx code %d (%s): %s", r.Code, r.Codespace, r.Log)
	}
	return nil
}

// retried calls read up to three times: Go's HTTP client does not retry a
// POST whose kept-alive connection the server closed just as it was
// reused ("EOF"), and a benchmark run should not fail for that.
func retried[T any](read func() (T, error)) (T, error) {
	var v T
	var err error
	for range 3 {
		if v, err = read(); err == nil {
			return v, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return v, err
}

// percentiles returns p50, p90, p99 and max of ds in milliseconds, and
// their mean (nil, 0 for none).
func percentiles(ds []time.Duration) (map[string]float64, float64) {
	if len(ds) == 0 {
		return nil, 0
	}
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return map[string]float64{"p50": ms(at(0.5)), "p90": ms(at(0.9)), "p99": ms(at(0.99)), "max": ms(ds[len(ds)-1])},
		ms(sum / time.Duration(len(ds)))
}

func isFull(err error) bool {
	var full mempl.ErrMempoolIsFull
	return errors.As(err, &full) || strings.Contains(err.Error(), "mempool is full")
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// analyze splits the CPU samples of a profile by who they belong to. A
// sample belongs to the app when any frame of its stack is in tangent/app
// (ABCI calls: ledger, IAVL, signature checks run under them).
func analyze(path string) (cpuShare, error) {
	f, err := os.Open(path)
	if err != nil {
		return cpuShare{}, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return cpuShare{}, err
	}
	idx := 0
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			idx = i
		}
	}
	cats := map[string]int64{}
	flat := map[string]int64{}
	var total int64
	for _, s := range p.Sample {
		v := s.Value[idx]
		total += v
		has := func(prefixes ...string) bool {
			for _, loc := range s.Location {
				for _, ln := range loc.Line {
					for _, pre := range prefixes {
						if strings.HasPrefix(ln.Function.Name, pre) {
							return true
						}
					}
				}
			}
			return false
		}
		if len(s.Location) > 0 && len(s.Location[0].Line) > 0 {
			flat[s.Location[0].Line[0].Function.Name] += v
		}
		switch {
		case has("tangent/app."):
			cats["app"] += v
			switch {
			case has("crypto/ed25519.", "crypto/internal/fips140/ed25519", "crypto/internal/ed25519", "github.com/oasisprotocol/curve25519-voi/"):
				cats["app/ed25519_verify"] += v
			case has("tangent/app/iavlstore.(*Store).Save", "tangent/app/iavlstore.(*Store).Commit",
				"github.com/cosmos/iavl.(*MutableTree).SaveVersion", "github.com/cosmos/iavl.(*MutableTree).WorkingHash"):
				cats["app/iavl_save"] += v // SaveVersion hashes the new nodes too
			case has("tangent/app.(*App).CheckTx"):
				cats["app/checktx_other"] += v
			case has("tangent/app.(*App).FinalizeBlock"):
				cats["app/finalize_other"] += v
			default:
				cats["app/other"] += v
			}
		case has("main."):
			cats["loadgen"] += v
		case has("runtime.gcBgMarkWorker"):
			cats["gc_background"] += v
		case has("github.com/cometbft/cometbft/state/txindex", "github.com/cometbft/cometbft/state/indexer"):
			cats["cometbft/indexer"] += v
		case has("github.com/cometbft/cometbft/rpc"):
			cats["cometbft/rpc"] += v
		case has("github.com/cometbft/cometbft/mempool"):
			cats["cometbft/mempool"] += v
		case has("github.com/cometbft/cometbft/"):
			cats["cometbft/other"] += v
		default:
			cats["other"] += v
		}
	}
	out := cpuShare{Shares: map[string]float64{}}
	if total == 0 {
		return out, nil
	}
	for k, v := range cats {
		out.Shares[k] = round3(float64(v) / float64(total))
	}
	out.AppShare = out.Shares["app"]
	type kv struct {
		k string
		v int64
	}
	var fl []kv
	for k, v := range flat {
		fl = append(fl, kv{k, v})
	}
	sort.Slice(fl, func(i, j int) bool { return fl[i].v > fl[j].v })
	for i := 0; i < len(fl) && i < 15; i++ {
		out.Top = append(out.Top, topFunc{Func: fl[i].k, Share: round3(float64(fl[i].v) / float64(total))})
	}
	return out, nil
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

func verifyMicros() float64 {
	priv := keyOf(0)
	pub := priv.Public().(ed25519.PublicKey)
	msg := make([]byte, 150)
	sig := ed25519.Sign(priv, msg)
	const n = 2000
	t0 := time.Now()
	for i := 0; i < n; i++ {
		ed25519.Verify(pub, msg, sig)
	}
	return float64(time.Since(t0).Microseconds()) / n
}

// calibCPU returns the thread CPU time, in µs, of one crypto/ed25519
// verification (median of 5 rounds of 200).
func calibCPU() float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	priv := keyOf(1)
	pub := priv.Public().(ed25519.PublicKey)
	msg := make([]byte, 150)
	sig := ed25519.Sign(priv, msg)
	threadCPU := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
			return 0
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	var rounds []float64
	for r := 0; r < 5; r++ {
		t0 := threadCPU()
		for i := 0; i < 200; i++ {
			ed25519.Verify(pub, msg, sig)
		}
		rounds = append(rounds, float64((threadCPU()-t0).Microseconds())/200)
	}
	sort.Float64s(rounds)
	return rounds[2]
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// errBox gives atomic.Value one concrete type for every error.
type errBox struct{ err error }
