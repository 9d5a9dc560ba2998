package store_test

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"tangent/store"
	"tangent/store/storetest"
)

// TestGoldenShardRepair replays testdata/shards: erasure coding, loss,
// rebuild and repair, with every CID pinned, so that a change to the
// chunking, the manifests or the shard layout shows up as a diff. Run with
// -rewrite to regenerate after a deliberate change.
func TestGoldenShardRepair(t *testing.T) {
	var (
		src, dst *store.Store
		blob     store.Info
		sm       store.ShardManifest
		lost     []int
	)
	datadriven.RunTest(t, "testdata/shards", func(t *testing.T, d *datadriven.TestData) string {
		var b strings.Builder
		switch d.Cmd {
		case "put":
			var seed uint64
			var size int
			d.ScanArgs(t, "seed", &seed)
			d.ScanArgs(t, "size", &size)
			src = openStore(t, t.TempDir(), nil)
			var err error
			blob, err = src.PutBytes(storetest.Bytes(seed, size), store.Pinned())
			if err != nil {
				return "error: " + err.Error()
			}
			fmt.Fprintf(&b, "cid=%s kind=%s size=%d blocks=%d\n", blob.CID, blob.Kind, blob.Size, blob.Blocks)
			if blob.Kind == store.KindChunked {
				m, _ := src.Manifest(blob.CID)
				fmt.Fprintf(&b, "root=%s\n", hex.EncodeToString(m.Root[:]))
			}
		case "encode":
			var k, m int
			d.ScanArgs(t, "k", &k)
			d.ScanArgs(t, "m", &m)
			set, got, err := src.EncodeShards(blob.CID, k, m, store.Pinned())
			if err != nil {
				return "error: " + err.Error()
			}
			sm = got
			fmt.Fprintf(&b, "set=%s\npiece=%d stripes=%d shard_size=%d\n", set, sm.PieceSize, sm.Stripes(), sm.ShardSize())
			for j, c := range sm.Shards {
				fmt.Fprintf(&b, "shard %d %s\n", j, c)
			}
		case "lose":
			lost = nil
			for _, a := range d.CmdArgs[0].Vals {
				var j int
				fmt.Sscan(a, &j)
				lost = append(lost, j)
			}
			sort.Ints(lost)
			dst = openStore(t, t.TempDir(), nil)
			kept := 0
			for j, c := range sm.Shards {
				if sort.SearchInts(lost, j) < len(lost) && lost[sort.SearchInts(lost, j)] == j {
					continue
				}
				r, err := src.Get(c)
				if err != nil {
					return "error: " + err.Error()
				}
				if _, err := dst.Put(r, store.Pinned()); err != nil {
					return "error: " + err.Error()
				}
				r.Close()
				kept++
			}
			fmt.Fprintf(&b, "%d of %d shards left\n", kept, len(sm.Shards))
		case "rebuild":
			info, err := dst.Rebuild(sm, store.Pinned())
			if err != nil {
				return "error: " + err.Error()
			}
			fmt.Fprintf(&b, "cid=%s size=%d same=%v\n", info.CID, info.Size, info.CID == blob.CID)
		case "repair":
			infos, err := dst.RebuildShards(sm, lost, store.Pinned())
			if err != nil {
				return "error: " + err.Error()
			}
			for i, j := range lost {
				fmt.Fprintf(&b, "shard %d %s restored=%v\n", j, infos[i].CID, infos[i].CID == sm.Shards[j])
			}
		default:
			t.Fatalf("unknown command %q", d.Cmd)
		}
		return b.String()
	})
}
