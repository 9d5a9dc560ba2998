package store_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tangent/store"
	"tangent/store/storetest"
)

// checkStore opens dir with the real filesystem and checks the store's
// promise: every committed blob reads back as bytes whose CID is the blob's
// CID, or fails with an error; no temporary files survive recovery. It
// returns how many blobs it read.
func checkStore(t *testing.T, dir string, wantComplete bool) int {
	t.Helper()
	s, err := store.Open(dir, store.Options{ChunkSize: testChunk, Logger: quiet})
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	defer s.Close()
	if tmps, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(tmps) != 0 {
		t.Fatalf("%d temporary files survived recovery", len(tmps))
	}
	n := 0
	for _, info := range s.List() {
		r, err := s.Get(info.CID)
		if err != nil {
			if wantComplete {
				t.Fatalf("committed blob %s unreadable after a crash: %v", info.CID, err)
			}
			continue
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			if wantComplete {
				t.Fatalf("committed blob %s unreadable after a crash: %v", info.CID, err)
			}
			continue
		}
		if c, _ := store.CIDOfBlob(data, testChunk); c != info.CID {
			t.Fatalf("store returned bytes for %s that hash to %s", info.CID, c)
		}
		n++
	}
	return n
}

// TestCrashChild is the writer TestKill9DuringWrites runs as a subprocess;
// it does nothing in a normal test run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("TANGENT_STORE_CRASH_DIR")
	if dir == "" {
		t.Skip("only run as TestKill9DuringWrites's subprocess")
	}
	seed, _ := strconv.ParseUint(os.Getenv("TANGENT_STORE_CRASH_SEED"), 10, 64)
	s, err := store.Open(dir, store.Options{ChunkSize: testChunk, Logger: quiet})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	fmt.Println("ready")
	for i := uint64(0); ; i++ {
		n := rng.IntN(40 * testChunk)
		ret := store.Until(i)
		if i%5 == 0 {
			ret = store.Pinned()
		}
		info, err := s.PutBytes(storetest.Bytes(seed<<32|i, n), ret)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		if ret.Pinned {
			fmt.Println("pinned", info.CID) // acknowledged: must survive the kill
		} else {
			fmt.Println("committed", info.CID)
		}
		if i%7 == 6 {
			if _, err := s.GC(i - 3); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(4)
			}
		}
	}
}

// TestKill9DuringWrites runs a subprocess that writes and garbage-collects
// blobs in a loop, SIGKILLs it at a random moment, reopens the store and
// checks that every committed blob reads back intact; five times over the
// same directory.
func TestKill9DuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns subprocesses")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	seed := rng.Uint64() >> 40
	t.Logf("seed %d", seed)
	total, pinned := 0, 0
	for round := range 5 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), "TANGENT_STORE_CRASH_DIR="+dir, fmt.Sprintf("TANGENT_STORE_CRASH_SEED=%d", seed+uint64(round)))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1000)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		if l := <-lines; l != "ready" {
			t.Fatalf("child did not start: %q %s", l, stderr.String())
		}
		// Let it commit a couple of blobs (however slow the machine), then
		// kill it at a random moment while it keeps writing.
		var acked []string
		deadline := time.After(time.Minute)
		for commits := 0; commits < 2; {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("child exited early: %s", stderr.String())
				}
				commits++
				if c, ok := strings.CutPrefix(l, "pinned "); ok {
					acked = append(acked, c)
				}
			case <-deadline:
				t.Fatal("child committed nothing in a minute")
			}
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("child ended by %v before the kill: %s", err, stderr.String())
		}
		for l := range lines {
			if c, ok := strings.CutPrefix(l, "pinned "); ok {
				acked = append(acked, c)
			}
		}
		n := checkStore(t, dir, true)
		total += n
		s, err := store.Open(dir, store.Options{ChunkSize: testChunk, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range acked {
			c, _ := store.ParseCID(a)
			if !s.Has(c) {
				t.Fatalf("round %d: pinned blob %s acknowledged before the kill is gone", round, a)
			}
		}
		s.Close()
		pinned += len(acked)
		t.Logf("round %d: %d committed blobs intact after kill -9, %d acknowledged pinned blobs present", round, n, len(acked))
	}
	if total == 0 {
		t.Fatal("the child never committed a blob: the test proves nothing")
	}
}

// TestFaultInjection cuts a Put (and a GC) short at every mutating
// filesystem operation, with a disk that stays dead afterwards, and checks
// that the store either committed the blob intact or did not commit it, and
// that a reopened store is consistent.
func TestFaultInjection(t *testing.T) {
	data := storetest.Bytes(42, 6*testChunk+17)
	want, _ := store.CIDOfBlob(data, testChunk)
	old := storetest.Bytes(43, 3*testChunk)
	// Count the operations a clean run takes.
	probe := &storetest.ErrorFS{FS: store.OSFS{}}
	{
		s, err := store.Open(t.TempDir(), store.Options{ChunkSize: testChunk, FS: probe, Workers: 1, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutBytes(data, store.Pinned()); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	ops := probe.Count()
	if ops < 20 {
		t.Fatalf("a Put took only %d mutating operations", ops)
	}
	for failAt := 1; failAt <= ops+2; failAt++ {
		dir := t.TempDir()
		// A committed blob from before, expired, that GC will drop.
		s0, err := store.Open(dir, store.Options{ChunkSize: testChunk, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		oldInfo, err := s0.PutBytes(old, store.Until(1))
		if err != nil {
			t.Fatal(err)
		}
		s0.Close()

		efs := &storetest.ErrorFS{FS: store.OSFS{}, FailAt: failAt, Sticky: true}
		s, err := store.Open(dir, store.Options{ChunkSize: testChunk, FS: efs, Workers: 1, Logger: quiet})
		if err != nil {
			if !efs.Failed() {
				t.Fatalf("failAt %d: open failed without an injected fault: %v", failAt, err)
			}
			checkStore(t, dir, true)
			continue
		}
		info, perr := s.PutBytes(data, store.Pinned())
		_, gerr := s.GC(5)
		s.Close()
		if perr == nil && info.CID != want {
			t.Fatalf("failAt %d: Put returned CID %s, want %s", failAt, info.CID, want)
		}
		if (perr != nil || gerr != nil) && !efs.Failed() {
			t.Fatalf("failAt %d: errors without an injected fault: %v %v", failAt, perr, gerr)
		}
		checkStore(t, dir, true)
		s2, err := store.Open(dir, store.Options{ChunkSize: testChunk, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		if perr == nil && !s2.Has(want) {
			t.Fatalf("failAt %d: Put reported success but the blob is gone after reopen", failAt)
		}
		if gerr == nil && perr == nil && s2.Has(oldInfo.CID) {
			t.Fatalf("failAt %d: GC reported success but the expired blob is still there", failAt)
		}
		// The store is usable and reclaims whatever the failure left.
		if _, err := s2.PutBytes(data, store.Pinned()); err != nil {
			t.Fatalf("failAt %d: Put after recovery: %v", failAt, err)
		}
		if _, err := s2.GC(5); err != nil {
			t.Fatal(err)
		}
		s2.Close()
		if n := checkStore(t, dir, true); n != 1 {
			t.Fatalf("failAt %d: %d blobs after recovery and GC, want 1", failAt, n)
		}
	}
}
