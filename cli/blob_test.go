package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tangent/store"
	"tangent/store/storetest"
)

func run(t *testing.T, ctx context.Context, out io.Writer, args ...string) error {
	t.Helper()
	c := NewRootCmd()
	c.SetArgs(args)
	c.SetOut(out)
	c.SetErr(io.Discard)
	return c.ExecuteContext(ctx)
}

func TestBlobPutGetServe(t *testing.T) {
	dir := t.TempDir()
	homeA, homeB := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	hello := filepath.Join(dir, "hello.txt")
	os.WriteFile(hello, []byte("hello world\n"), 0o644)
	big := filepath.Join(dir, "big.bin")
	data := storetest.Bytes(1, 5<<20+3)
	os.WriteFile(big, data, 0o644)
	ctx := context.Background()

	var out bytes.Buffer
	if err := run(t, ctx, &out, "blob", "put", hello, "--home", homeA, "--json"); err != nil {
		t.Fatal(err)
	}
	var r struct {
		CID  string `json:"cid"`
		Size int64  `json:"size"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("put --json printed %q: %v", out.String(), err)
	}
	if r.CID != "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4" || r.Size != 12 {
		t.Fatalf("put hello world: %+v", r)
	}
	out.Reset()
	if err := run(t, ctx, &out, "blob", "put", big, "--home", homeA, "--json"); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(out.Bytes(), &r)
	bigCID := r.CID

	// Local get.
	got := filepath.Join(dir, "got.bin")
	if err := run(t, ctx, io.Discard, "blob", "get", bigCID, "--out", got, "--home", homeA); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, data) {
		t.Fatal("local get wrote different bytes")
	}
	// Not local, no peers: a clear error.
	err := run(t, ctx, io.Discard, "blob", "get", bigCID, "--out", got, "--home", homeB)
	if err == nil || !strings.Contains(err.Error(), "--peer") {
		t.Fatalf("get without peers: %v", err)
	}

	// Serve A, get from B over libp2p.
	sctx, stop := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(t, sctx, pw, "blob", "serve", "--home", homeA, "--json"); pw.Close() }()
	line, err := bufio.NewReader(pr).ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	var srv struct {
		PeerID string   `json:"peer_id"`
		Addrs  []string `json:"addrs"`
	}
	if err := json.Unmarshal(line, &srv); err != nil || len(srv.Addrs) == 0 {
		t.Fatalf("serve printed %q: %v", line, err)
	}
	out.Reset()
	got2 := filepath.Join(dir, "got2.bin")
	if err := run(t, ctx, &out, "blob", "get", bigCID, "--out", got2, "--home", homeB, "--peer", srv.Addrs[0], "--json"); err != nil {
		t.Fatal(err)
	}
	var gr struct {
		CID    string `json:"cid"`
		Size   int64  `json:"size"`
		Source string `json:"source"`
	}
	json.Unmarshal(out.Bytes(), &gr)
	if gr.CID != bigCID || gr.Size != int64(len(data)) || gr.Source != "peers" {
		t.Fatalf("get --json: %s", out.String())
	}
	if b, _ := os.ReadFile(got2); !bytes.Equal(b, data) {
		t.Fatal("fetched file differs")
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	out.Reset()
	if err := run(t, ctx, &out, "blob", "ls", "--home", homeB); err != nil || !strings.Contains(out.String(), bigCID) {
		t.Fatalf("ls: %v %s", err, out.String())
	}

	// Shard on B, then get the shard set: rebuilt locally, same bytes.
	out.Reset()
	if err := run(t, ctx, &out, "blob", "shard", bigCID, "--k", "3", "--m", "2", "--home", homeB, "--json"); err != nil {
		t.Fatal(err)
	}
	var sh struct {
		Set    string   `json:"set"`
		Shards []string `json:"shards"`
	}
	if err := json.Unmarshal(out.Bytes(), &sh); err != nil || len(sh.Shards) != 5 {
		t.Fatalf("shard --json: %s", out.String())
	}
	got3 := filepath.Join(dir, "got3.bin")
	if err := run(t, ctx, io.Discard, "blob", "get", sh.Set, "--out", got3, "--home", homeB); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(got3); !bytes.Equal(b, data) {
		t.Fatal("get of the shard set wrote different bytes")
	}
}

// TestBlobCommandErrors: mistakes are reported before any transfer, with
// what to do; gc and ls print one JSON object.
func TestBlobCommandErrors(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	file := filepath.Join(dir, "f.bin")
	os.WriteFile(file, storetest.Bytes(2, 3<<20), 0o644)
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(t, ctx, &out, "blob", "put", file, "--home", home, "--json"); err != nil {
		t.Fatal(err)
	}
	var r struct{ CID string }
	json.Unmarshal(out.Bytes(), &r)
	// A peer that does not exist: the --out checks must fail first.
	bogus := "/ip4/127.0.0.1/tcp/9/p2p/12D3KooWEgiYMjMYjRi352pDsdNTCmDf4GKGjttnzcaCQM6Zxy3G"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"blob", "get", r.CID, "--out", dir, "--home", filepath.Join(dir, "other"), "--peer", bogus}, "is a directory"},
		{[]string{"blob", "get", r.CID, "--out", filepath.Join(dir, "no", "x"), "--home", filepath.Join(dir, "other"), "--peer", bogus}, "does not exist"},
		{[]string{"blob", "get", "bafy-not-a-cid", "--out", filepath.Join(dir, "x"), "--home", home}, "not a CID"},
		{[]string{"blob", "gc", "--home", home}, "--height"},
	} {
		out.Reset()
		err := run(t, ctx, &out, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || out.Len() != 0 {
			t.Errorf("%v: %v (stdout %q), want an error about %q", tc.args, err, out.String(), tc.want)
		}
	}
	// The store is held by another process (here: this one).
	held, err := store.Open(filepath.Join(home, blobStoreDir), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = run(t, ctx, io.Discard, "blob", "put", file, "--home", home)
	held.Close()
	if err == nil || !strings.Contains(err.Error(), "in use by another tangent process") {
		t.Fatalf("put into a held store: %v", err)
	}
	for _, args := range [][]string{{"blob", "gc", "--height", "10"}, {"blob", "ls"}} {
		out.Reset()
		if err := run(t, ctx, &out, append(args, "--home", home, "--json")...); err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		dec := json.NewDecoder(&out)
		if err := dec.Decode(&v); err != nil || dec.More() {
			t.Fatalf("%v --json: not one JSON object: %v", args, err)
		}
		if args[1] == "ls" {
			if _, ok := v["partial"]; !ok || len(v["blobs"].([]any)) != 1 {
				t.Fatalf("ls --json: %v", v)
			}
		}
	}
}

// TestBlobStdinStdout: put - reads standard input, get --out - writes the
// blob alone to standard output.
func TestBlobStdinStdout(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	data := storetest.Bytes(3, 2<<20+7)
	c := NewRootCmd()
	var out bytes.Buffer
	c.SetArgs([]string{"blob", "put", "-", "--home", home, "--json"})
	c.SetIn(bytes.NewReader(data))
	c.SetOut(&out)
	c.SetErr(io.Discard)
	if err := c.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	var r struct {
		CID  string
		Size int64
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.Size != int64(len(data)) {
		t.Fatalf("put - --json: %q %v", out.String(), err)
	}
	out.Reset()
	if err := run(t, context.Background(), &out, "blob", "get", r.CID, "--out", "-", "--home", home); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatalf("get --out - wrote %d bytes, want exactly the blob's %d", out.Len(), len(data))
	}
	if err := run(t, context.Background(), io.Discard, "blob", "get", r.CID, "--out", "-", "--home", home, "--json"); err == nil {
		t.Fatal("--out - with --json accepted")
	}
}
