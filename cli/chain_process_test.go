package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"tangent/client"
	"tangent/client/keyring"
	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/ledgertest"
	"tangent/ledger/tx"
	banktypes "tangent/ledger/x/bank/types"
	"tangent/node"
	"tangent/node/nodetest"
)

// These tests run the real binary as separate processes: a node killed with
// SIGKILL that restarts and has lost nothing, and a 4-validator network
// that survives losing a validator.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// tangentBin builds cmd/tangent once per test binary.
func tangentBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tangent-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "tangent")
		cmd := exec.Command("go", "build", "-o", binPath, "tangent/cmd/tangent")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// runJSON runs the binary and decodes its --json output.
func runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	cmd := exec.Command(tangentBin(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("tangent %v: %v\nstderr: %s", args, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		t.Fatalf("tangent %v printed %q, not one JSON object: %v", args, stdout.String(), err)
	}
}

// proc is a running `tangent start`.
type proc struct {
	t    *testing.T
	home string
	cmd  *exec.Cmd
	log  string
	done chan error
}

func startProc(t *testing.T, home string) *proc {
	t.Helper()
	logPath := filepath.Join(home, fmt.Sprintf("start-%d.log", time.Now().UnixNano()))
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tangentBin(t), "start", "--home", home)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, home: home, cmd: cmd, log: logPath, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); f.Close() }()
	t.Cleanup(func() { p.kill() })
	return p
}

func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
		}
	}
}

// stop sends SIGTERM and expects a clean exit.
func (p *proc) stop() {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			p.t.Errorf("%s: tangent start exited with %v after SIGTERM\n%s", p.home, err, p.tail())
		}
	case <-time.After(30 * time.Second):
		p.t.Errorf("%s: tangent start did not exit 30 s after SIGTERM", p.home)
	}
}

func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func newClient(t *testing.T, rpc string) *client.Client {
	c, err := client.New(rpc, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestKill9LosesNothing: transfers are sent while a `tangent start` process
// runs; it is killed with SIGKILL mid-stream and started again. Every
// transfer that was confirmed in a block before the kill is still there,
// with the same height, and the proven balances equal the sum of the
// transfers found committed.
func TestKill9LosesNothing(t *testing.T) {
	home := t.TempDir()
	var initOut struct {
		Address string `json:"address"`
		ChainID string `json:"chain_id"`
	}
	runJSON(t, &initOut, "init", "--home", home, "--chain-id", "kill-1", "--block-timing", "test", "--json")
	if initOut.ChainID != "kill-1" || initOut.Address == "" {
		t.Fatalf("init printed %+v", initOut)
	}
	_, rpc := nodetest.UseFreePorts(t, home)
	p := startProc(t, home)
	c := newClient(t, rpc)
	nodetest.WaitHeight(t, c, 2, 60*time.Second)

	// One transfer through the CLI itself (the JSON contract).
	bob := ledgertest.NewKey("bob").Addr
	var sent struct {
		TxHash string `json:"tx_hash"`
		Height int64  `json:"height"`
		Code   uint32 `json:"code"`
	}
	runJSON(t, &sent, "tx", "send", "--from", "validator", "--to", bob.String(), "--amount", "1000", "--home", home, "--json")
	if sent.Code != 0 || sent.Height == 0 || len(sent.TxHash) != 64 {
		t.Fatalf("tx send printed %+v", sent)
	}

	key, err := keyring.Open(node.Home(home).KeysDir()).Load("validator")
	if err != nil {
		t.Fatal(err)
	}
	type sentTx struct {
		hash   []byte
		to     chain.Address
		amount uint64
		height int64 // confirmed before the kill (0: not confirmed)
	}
	var (
		mu  sync.Mutex
		txs []*sentTx
	)
	recipients := []chain.Address{ledgertest.NewKey("r0").Addr, ledgertest.NewKey("r1").Addr, ledgertest.NewKey("r2").Addr}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // sender: pipelines transfers until the node dies
		defer wg.Done()
		for nonce := uint64(1); ctx.Err() == nil; nonce++ {
			to := recipients[nonce%3]
			st := &tx.Tx{ChainID: "kill-1", Nonce: nonce, Fee: 100_000, Msgs: []chain.Msg{&banktypes.MsgSend{To: to, Amount: nonce}}}
			st.Sign(key.PrivateKey())
			b := st.Encode()
			// Record the tx before sending it: if the kill cuts the answer
			// off, the node may still have accepted it (and its WAL may
			// commit it on restart).
			hh := tx.Hash(b)
			s := &sentTx{hash: hh[:], to: to, amount: nonce}
			mu.Lock()
			txs = append(txs, s)
			mu.Unlock()
			h, err := c.Broadcast(ctx, b)
			if err != nil {
				return
			}
			go func() {
				wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
				defer wcancel()
				if r, err := c.Wait(wctx, h); err == nil {
					mu.Lock()
					s.height = r.Height
					mu.Unlock()
				}
			}()
			time.Sleep(5 * time.Millisecond)
		}
	}()
	// Kill once enough transfers are confirmed.
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		confirmed := 0
		for _, s := range txs {
			if s.height > 0 {
				confirmed++
			}
		}
		mu.Unlock()
		if confirmed >= 40 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d transfers confirmed in 60 s\n%s", confirmed, p.tail())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	cancel()
	wg.Wait()
	mu.Lock()
	snapshot := make([]sentTx, len(txs))
	for i, s := range txs {
		snapshot[i] = *s
	}
	mu.Unlock()

	p2 := startProc(t, home)
	c2 := newClient(t, rpc)
	nodetest.WaitHeight(t, c2, 3, 60*time.Second)
	want := map[chain.Address]uint64{}
	confirmed, found := 0, 0
	var maxFound int64
	wctx, wcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer wcancel()
	for _, s := range snapshot {
		r, err := c2.RPC().Tx(wctx, s.hash, false)
		if s.height > 0 {
			confirmed++
			if err != nil {
				t.Fatalf("tx %X confirmed at height %d before SIGKILL is gone after restart: %v\n%s", s.hash, s.height, err, p2.tail())
			}
			if r.Height != s.height {
				t.Fatalf("tx %X was at height %d, after restart at %d", s.hash, s.height, r.Height)
			}
		}
		if err == nil {
			found++
			maxFound = max(maxFound, r.Height)
			if r.TxResult.Code == 0 {
				want[s.to] += s.amount
			}
		}
	}
	// Read balances at a height that includes every block found above.
	nodetest.WaitHeight(t, c2, maxFound+2, 60*time.Second)
	for _, to := range recipients {
		p, err := c2.Query(wctx, ledger.AccountKey(to), 0)
		if err != nil {
			t.Fatal(err)
		}
		acc, _ := ledger.DecodeAccount(p.Value)
		if got := acc.Balance; got != want[to] {
			t.Fatalf("balance of %s = %d after restart, committed transfers sum to %d", to, got, want[to])
		}
	}
	var q struct {
		Address string `json:"address"`
		Balance uint64 `json:"balance"`
		Height  int64  `json:"height"`
	}
	runJSON(t, &q, "query", "balance", bob.String(), "--home", home, "--json")
	if q.Balance != 1000 || q.Address != bob.String() || q.Height < sent.Height {
		t.Fatalf("query balance printed %+v", q)
	}
	t.Logf("%d transfers sent, %d confirmed before SIGKILL, %d found committed after restart", len(snapshot), confirmed, found)
	p2.stop()
}

// freeBase finds a base port with 2n free consecutive ports.
func freeBase(t *testing.T, n int) int {
	for try := 0; try < 50; try++ {
		base := 20000 + rand.IntN(30000)
		ok := true
		var ls []net.Listener
		for i := 0; i < 2*n && ok; i++ {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+i))
			if err != nil {
				ok = false
				break
			}
			ls = append(ls, l)
		}
		for _, l := range ls {
			l.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range")
	return 0
}

// TestFourValidators runs `tangent testnet --validators 4` as 4 processes:
// with one validator stopped the others keep committing blocks (3 of 4 hold
// more than 2/3 of the power); restarted, it catches up with the same app
// hash.
func TestFourValidators(t *testing.T) {
	if testing.Short() {
		t.Skip("4-process network: skipped with -short")
	}
	out := t.TempDir()
	base := freeBase(t, 4)
	var tn struct {
		Homes []string `json:"homes"`
	}
	runJSON(t, &tn, "testnet", "--validators", "4", "--out", out, "--chain-id", "four-1",
		"--base-port", strconv.Itoa(base), "--block-timing", "test", "--json")
	if len(tn.Homes) != 4 {
		t.Fatalf("testnet printed %+v", tn)
	}
	procs := make([]*proc, 4)
	clients := make([]*client.Client, 4)
	for i, h := range tn.Homes {
		procs[i] = startProc(t, h)
		clients[i] = newClient(t, "tcp://127.0.0.1:"+strconv.Itoa(base+2*i+1))
	}
	for i := range clients {
		nodetest.WaitHeight(t, clients[i], 3, 90*time.Second)
	}

	// Stop node 3 (SIGKILL): blocks keep coming.
	procs[3].kill()
	h0, err := clients[0].LatestHeight(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	nodetest.WaitHeight(t, clients[0], h0+5, 60*time.Second)
	// And a transfer goes through.
	key, err := keyring.Open(node.Home(tn.Homes[0]).KeysDir()).Load("validator")
	if err != nil {
		t.Fatal(err)
	}
	st := &tx.Tx{ChainID: "four-1", Nonce: 0, Fee: 100_000, Msgs: []chain.Msg{&banktypes.MsgSend{To: ledgertest.NewKey("x").Addr, Amount: 42}}}
	st.Sign(key.PrivateKey())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := clients[1].BroadcastAndWait(ctx, st.Encode())
	if err != nil {
		t.Fatalf("transfer with one validator down: %v", err)
	}

	// Restart node 3: it catches up past the transfer's block.
	procs[3] = startProc(t, tn.Homes[3])
	target, _ := clients[0].LatestHeight(ctx)
	nodetest.WaitHeight(t, clients[3], max(target, r.Height+1), 90*time.Second)
	if _, err := clients[3].RPC().Tx(ctx, r.Hash, false); err != nil {
		t.Fatalf("restarted validator does not have the transfer of block %d: %v", r.Height, err)
	}
	h := r.Height + 1
	b0, err := clients[0].RPC().Block(ctx, &h)
	if err != nil {
		t.Fatal(err)
	}
	b3, err := clients[3].RPC().Block(ctx, &h)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b0.Block.AppHash, b3.Block.AppHash) {
		t.Fatalf("app hash at %d: node0 %X, node3 %X", h, b0.Block.AppHash, b3.Block.AppHash)
	}
	// And it votes again: the chain still advances with node 0 stopped.
	procs[0].stop()
	h3, _ := clients[3].LatestHeight(ctx)
	nodetest.WaitHeight(t, clients[3], h3+3, 60*time.Second)
	for _, p := range procs[1:] {
		p.stop()
	}
}
