// Command blobbench measures the blob store and transfer on this machine
// and writes bench/results/blob.json: put and get of a 256 MiB blob between
// two real libp2p nodes on loopback, against a raw TCP copy of the same
// bytes in the same run (the ratio is the headline), plus Reed-Solomon
// encode/decode throughput. Run it through bench/blob.sh.
package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/klauspost/reedsolomon"

	"tangent/p2p"
	"tangent/store"
	"tangent/store/storetest"
)

var quiet = slog.New(slog.DiscardHandler)

type stat struct {
	MedianSec float64   `json:"median_sec"`
	MBPerSec  float64   `json:"mb_per_sec"` // at the median
	RunsSec   []float64 `json:"runs_sec"`
	// CPU time (user + system) of the whole process during each run: both
	// nodes, for a fetch. Less sensitive to the machine's load than wall
	// time.
	CPUMedianSec float64   `json:"cpu_median_sec,omitempty"`
	CPURunsSec   []float64 `json:"cpu_runs_sec,omitempty"`
}

// sample is one timed run.
type sample struct{ wall, cpu time.Duration }

type stopwatch struct {
	t   time.Time
	cpu time.Duration
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startWatch starts timing a run, after flushing the dirty pages earlier
// runs left (a run writes hundreds of MB; their writeback would slow the
// next run).
func startWatch() stopwatch {
	syscall.Sync()
	return stopwatch{t: time.Now(), cpu: cpuTime()}
}

func (w stopwatch) stop() sample { return sample{wall: time.Since(w.t), cpu: cpuTime() - w.cpu} }

func median(xs []float64) float64 {
	sorted := append([]float64(nil), xs...)
	sort.Float64s(sorted)
	return sorted[len(sorted)/2]
}

func summarize(bytes int64, runs []sample) stat {
	s := stat{}
	for _, r := range runs {
		s.RunsSec = append(s.RunsSec, round(r.wall.Seconds(), 4))
		if r.cpu > 0 {
			s.CPURunsSec = append(s.CPURunsSec, round(r.cpu.Seconds(), 3))
		}
	}
	s.MedianSec = median(s.RunsSec)
	s.MBPerSec = round(float64(bytes)/s.MedianSec/1e6, 1)
	if len(s.CPURunsSec) > 0 {
		s.CPUMedianSec = median(s.CPURunsSec)
	}
	return s
}

func wallOnly(ds []time.Duration) []sample {
	out := make([]sample, len(ds))
	for i, d := range ds {
		out[i] = sample{wall: d}
	}
	return out
}

func round(x float64, d int) float64 {
	p := 1.0
	for range d {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "blobbench:", err)
		os.Exit(1)
	}
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.TrimSpace(string(b))
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

func main() {
	size := flag.Int64("size", 256<<20, "blob size in bytes")
	reps := flag.Int("reps", 3, "repetitions of each measurement (the median is reported)")
	out := flag.String("out", "bench/results/blob.json", "where to write the JSON results")
	tmp := flag.String("tmp", "", "directory for the stores (default: the system temp dir)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed put and get runs to this file")
	traceOut := flag.String("trace", "", "write an execution trace of the timed runs to this file (go tool trace)")
	only := flag.String("only", "", "comma-separated measurements to run (default all): "+strings.Join(allMeasurements, ","))
	security := flag.String("security", "tls", "libp2p security transport of the nodes: tls or noise (get_other_security uses the other)")
	flag.Parse()
	p2p.QuietLibp2pLogs()
	want := map[string]bool{}
	for _, m := range strings.Split(*only, ",") {
		if m = strings.TrimSpace(m); m != "" {
			if !slices.Contains(allMeasurements, m) {
				must(fmt.Errorf("unknown measurement %q (want %s)", m, strings.Join(allMeasurements, ",")))
			}
			want[m] = true
		}
	}
	if len(want) == 0 {
		for _, m := range allMeasurements {
			want[m] = true
		}
	}
	securityTransport = *security

	base, err := os.MkdirTemp(*tmp, "blobbench-")
	must(err)
	defer os.RemoveAll(base)
	res := map[string]any{
		"size_bytes": *size,
		"reps":       *reps,
		"security":   *security,
		"machine": map[string]any{
			"cpus":          runtime.NumCPU(),
			"gomaxprocs":    runtime.GOMAXPROCS(0),
			"go":            runtime.Version(),
			"loadavg_start": loadavg(),
		},
		"date": time.Now().UTC().Format(time.RFC3339),
	}
	data := storetest.Bytes(1, int(*size))
	sum := sha256.Sum256(data)

	// SHA-256, single core: every chunk is hashed once on put and once on
	// get.
	{
		n := min(len(data), 64<<20)
		t := time.Now()
		sha256.Sum256(data[:n])
		res["sha256_single_core_mb_per_sec"] = round(float64(n)/time.Since(t).Seconds()/1e6, 1)
	}

	// The provider's store: a blob put once, untimed, served by node A.
	srcDir := filepath.Join(base, "src")
	src, err := store.Open(srcDir, store.Options{Logger: quiet})
	must(err)
	info, err := src.PutBytes(data, store.Pinned())
	must(err)
	c := info.CID
	res["cid"] = c.String()
	a := newNode(src)
	// Warm-up: one untimed fetch (it also makes node A hash what it serves,
	// if it must, so that "get" measures a provider that has served before).
	fetchInto(filepath.Join(base, "warmup"), a, c, false, sum)

	runs := map[string][]sample{}
	var aOther *p2p.Node // serves src over the other security transport
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		must(err)
		must(pprof.StartCPUProfile(f))
	}
	if *traceOut != "" {
		f, err := os.Create(*traceOut)
		must(err)
		must(trace.Start(f))
	}
	// Interleaved: each repetition runs every measurement once, so that a
	// change in the machine's load hits all of them alike.
	for i := range *reps {
		if want["tcp_copy"] {
			runs["tcp_copy"] = append(runs["tcp_copy"], tcpCopy(data))
		}
		if want["tcp_hash_write_floor"] {
			runs["tcp_hash_write_floor"] = append(runs["tcp_hash_write_floor"], tcpHashWrite(data, filepath.Join(base, fmt.Sprintf("floor%d", i))))
		}
		if want["put"] {
			dir := filepath.Join(base, fmt.Sprintf("put%d", i))
			s, err := store.Open(dir, store.Options{Logger: quiet})
			must(err)
			w := startWatch()
			_, err = s.PutBytes(data, store.Pinned())
			must(err)
			runs["put"] = append(runs["put"], w.stop())
			s.Close()
			os.RemoveAll(dir)
		}
		if want["get"] {
			runs["get"] = append(runs["get"], fetchInto(filepath.Join(base, fmt.Sprintf("get%d", i)), a, c, false, sum))
		}
		if want["get_nosync"] {
			runs["get_nosync"] = append(runs["get_nosync"], fetchInto(filepath.Join(base, fmt.Sprintf("nosync%d", i)), a, c, true, sum))
		}
		if want["get_restarted_provider"] {
			// The provider restarts (store reopened, new node) before the
			// fetch, as after a node restart: it serves blocks it has not
			// read in this process.
			a.Close()
			if aOther != nil {
				aOther.Close() // serves the store being closed: made anew below
				aOther = nil
			}
			src.Close()
			src, err = store.Open(srcDir, store.Options{Logger: quiet})
			must(err)
			a = newNode(src)
			runs["get_restarted_provider"] = append(runs["get_restarted_provider"], fetchInto(filepath.Join(base, fmt.Sprintf("cold%d", i)), a, c, false, sum))
		}
		if want["get_other_security"] {
			// The same fetch with both nodes preferring the other security
			// transport (Noise instead of TLS 1.3, or the reverse).
			if aOther == nil {
				aOther = newNodeSec(src, otherSecurity())
				fetchIntoSec(filepath.Join(base, "warmup-other"), aOther, c, false, sum, otherSecurity())
			}
			runs["get_other_security"] = append(runs["get_other_security"], fetchIntoSec(filepath.Join(base, fmt.Sprintf("other%d", i)), aOther, c, false, sum, otherSecurity()))
		}
		logf("rep %d/%d done (load %s)", i+1, *reps, loadavg())
	}
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if *traceOut != "" {
		trace.Stop()
	}
	a.Close()
	if aOther != nil {
		aOther.Close()
	}
	for _, name := range allMeasurements {
		r, ok := runs[name]
		if !ok {
			continue
		}
		st := summarize(*size, r)
		res[name] = st
		logf("%s: %.0f MB/s, %.2f s CPU (medians of %d)", name, st.MBPerSec, st.CPUMedianSec, len(r))
	}
	ratio := func(name, num, den string) {
		n, ok1 := res[num].(stat)
		d, ok2 := res[den].(stat)
		if ok1 && ok2 {
			res[name] = round(n.MBPerSec/d.MBPerSec, 3)
		}
	}
	ratio("ratio_get_vs_tcp", "get", "tcp_copy")
	ratio("ratio_get_vs_floor", "get", "tcp_hash_write_floor")
	ratio("ratio_get_nosync_vs_tcp", "get_nosync", "tcp_copy")
	ratio("ratio_get_restarted_provider_vs_tcp", "get_restarted_provider", "tcp_copy")
	ratio("ratio_put_vs_tcp", "put", "tcp_copy")
	ratio("ratio_get_other_security_vs_get", "get_other_security", "get")
	res["other_security"] = otherSecurity()

	if want["erasure"] {
		res["erasure"] = erasure(data, src, c, *reps)
	}
	src.Close()

	res["machine"].(map[string]any)["loadavg_end"] = loadavg()
	res["notes"] = "Medians of reps runs on a shared 2-core VM (load average in machine); timings are noisy. " +
		"Each repetition runs every measurement once (interleaved), after one untimed warm-up fetch. " +
		"tcp_copy is memory to memory over 127.0.0.1; get is a libp2p fetch (TCP + " + *security + " + yamux, pipelined) " +
		"that verifies every 1 MiB chunk with SHA-256 and writes it to a fresh store (fsync before the blob counts); " +
		"get_nosync skips fsync; get_restarted_provider restarts the providing node (store reopened) before each fetch; " +
		"get_other_security is get with both nodes on the other security transport (other_security). " +
		"tcp_hash_write_floor is TCP, SHA-256 and a file per chunk (no fsync) without libp2p; put is store.PutBytes into a fresh store (fsync)."
	b, err := json.MarshalIndent(res, "", "  ")
	must(err)
	must(os.MkdirAll(filepath.Dir(*out), 0o755))
	must(os.WriteFile(*out, append(b, '\n'), 0o644))
	logf("wrote %s", *out)
	os.Stdout.Write(append(b, '\n'))
}

var allMeasurements = []string{"tcp_copy", "tcp_hash_write_floor", "put", "get", "get_nosync", "get_restarted_provider", "get_other_security", "erasure"}

var securityTransport = "tls"

func otherSecurity() string {
	if securityTransport == "noise" {
		return "tls"
	}
	return "noise"
}

// fetchInto fetches blob c from node a into a fresh store in dir and times
// the fetch (until the blob is committed); it checks the bytes, then
// removes the store.
func fetchInto(dir string, a *p2p.Node, c cid.Cid, noSync bool, sum [32]byte) sample {
	return fetchIntoSec(dir, a, c, noSync, sum, securityTransport)
}

func fetchIntoSec(dir string, a *p2p.Node, c cid.Cid, noSync bool, sum [32]byte, security string) sample {
	s, err := store.Open(dir, store.Options{Logger: quiet, NoSync: noSync})
	must(err)
	b := newNodeSec(s, security)
	b.AddPeer(a.AddrInfo())
	w := startWatch()
	_, err = b.Fetch(context.Background(), c, p2p.FetchOptions{Retention: store.Pinned()})
	must(err)
	el := w.stop()
	for _, conn := range b.Host().Network().ConnsToPeer(a.ID()) {
		if got := string(conn.ConnState().Security); !strings.Contains(got, security) {
			must(fmt.Errorf("the fetch ran over %s, not %s", got, security))
		}
	}
	r, err := s.Get(c)
	must(err)
	h := sha256.New()
	_, err = io.Copy(h, r)
	must(err)
	r.Close()
	if !bytes.Equal(h.Sum(nil), sum[:]) {
		must(fmt.Errorf("fetched bytes differ"))
	}
	b.Close()
	s.Close()
	os.RemoveAll(dir)
	return el
}

func newNode(s *store.Store) *p2p.Node { return newNodeSec(s, securityTransport) }

func newNodeSec(s *store.Store, security string) *p2p.Node {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	n, err := p2p.New(p2p.Config{Key: key, Store: s, Logger: quiet, Security: security})
	must(err)
	return n
}

// tcpCopy sends data over a loopback TCP connection and times until the
// receiver has read it all.
func tcpCopy(data []byte) sample {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write(data)
		c.Close()
	}()
	w := startWatch()
	c, err := net.Dial("tcp", ln.Addr().String())
	must(err)
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := c.Read(buf)
		n += int64(k)
		if err != nil {
			break
		}
	}
	el := w.stop()
	c.Close()
	if n != int64(len(data)) {
		must(fmt.Errorf("tcp copy got %d bytes", n))
	}
	return el
}

// tcpHashWrite receives data over TCP in 1 MiB chunks, hashes each and
// writes it to its own file (two hashers), as a fetch must at the least.
func tcpHashWrite(data []byte, dir string) sample {
	must(os.MkdirAll(dir, 0o755))
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write(data)
		c.Close()
	}()
	w := startWatch()
	c, err := net.Dial("tcp", ln.Addr().String())
	must(err)
	defer c.Close()
	jobs := make(chan []byte, 4)
	free := make(chan []byte, 6)
	for range 6 {
		free <- make([]byte, 1<<20)
	}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i := 0
			for b := range jobs {
				d := sha256.Sum256(b)
				os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d-%d-%x", w, i, d[:4])), b, 0o644)
				i++
				free <- b[:cap(b)]
			}
		}()
	}
	for {
		b := <-free
		k, err := io.ReadFull(c, b)
		if k > 0 {
			jobs <- b[:k]
		}
		if err != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	return w.stop()
}

func erasure(data []byte, s *store.Store, c interface{ String() string }, reps int) map[string]any {
	out := map[string]any{}
	for _, km := range [][2]int{{6, 4}, {10, 4}} {
		k, m := km[0], km[1]
		enc, err := reedsolomon.New(k, m)
		must(err)
		piece := 1 << 20
		stripe := k * piece
		shards := make([][]byte, k+m)
		for j := range shards {
			shards[j] = make([]byte, piece)
		}
		var encRuns, decRuns []time.Duration
		for range reps {
			t := time.Now()
			for off := 0; off+stripe <= len(data); off += stripe {
				for j := range shards {
					shards[j] = shards[j][:piece]
				}
				for j := 0; j < k; j++ {
					copy(shards[j], data[off+j*piece:off+(j+1)*piece])
				}
				must(enc.Encode(shards))
			}
			encRuns = append(encRuns, time.Since(t))
			// Lose m data shards (the worst case: m of k data pieces to
			// recompute from parity) and rebuild the data, stripe by stripe.
			t = time.Now()
			for off := 0; off+stripe <= len(data); off += stripe {
				for j := range shards {
					shards[j] = shards[j][:piece]
				}
				for j := 0; j < m; j++ {
					shards[j] = shards[j][:0]
				}
				must(enc.ReconstructData(shards))
			}
			decRuns = append(decRuns, time.Since(t))
		}
		n := int64(len(data) / stripe * stripe)
		out[fmt.Sprintf("rs_%d_%d", k, m)] = map[string]any{
			"encode":                   summarize(n, wallOnly(encRuns)),
			"reconstruct_m_lost":       summarize(n, wallOnly(decRuns)),
			"note":                     "klauspost/reedsolomon on in-memory 1 MiB pieces; MB/s of blob data; reconstruct recomputes m lost data pieces per stripe",
			"storage_overhead_percent": 100 * m / k,
		}
	}
	// Through the store: shard a committed blob (read, encode, hash and
	// write k+m shard blobs) and rebuild it from k shards in a second store.
	id, _ := store.ParseCID(c.String())
	t := time.Now()
	_, sm, err := s.EncodeShards(id, 6, 4, store.Pinned())
	must(err)
	encEl := time.Since(t)
	dst, err := store.Open(filepath.Join(s.Dir()+"-rebuild"), store.Options{Logger: quiet})
	must(err)
	defer os.RemoveAll(dst.Dir())
	for j, sc := range sm.Shards {
		if j == 0 || j == 3 || j == 7 || j == 9 {
			continue
		}
		r, err := s.Get(sc)
		must(err)
		_, err = dst.Put(r, store.Pinned())
		must(err)
		r.Close()
	}
	t = time.Now()
	info, err := dst.Rebuild(sm, store.Pinned())
	must(err)
	decEl := time.Since(t)
	if info.CID.String() != c.String() {
		must(fmt.Errorf("rebuilt %s, want %s", info.CID, c))
	}
	dst.Close()
	out["store_6_4"] = map[string]any{
		"encode_shards_mb_per_sec":  round(float64(len(data))/encEl.Seconds()/1e6, 1),
		"rebuild_from_6_mb_per_sec": round(float64(len(data))/decEl.Seconds()/1e6, 1),
		"note":                      "store.EncodeShards and store.Rebuild with fsync: includes reading, SHA-256 of every chunk and writing the shard/rebuilt blobs",
	}
	logf("erasure: %v", out)
	return out
}
