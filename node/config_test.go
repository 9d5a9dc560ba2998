package node

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestConfigRoundTrip(t *testing.T) {
	home := t.TempDir()
	c := DefaultConfig(home, TimingTest)
	c.P2P.PersistentPeers = "abc@127.0.0.1:1,def@127.0.0.1:2"
	c.RPC.CORSAllowedOrigins = []string{"http://a", "http://b"}
	if err := SaveConfig(home, c); err != nil {
		t.Fatal(err)
	}
	got, err := LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	if got.Consensus.TimeoutCommit != 80*time.Millisecond || got.P2P.PersistentPeers != c.P2P.PersistentPeers ||
		got.Mempool.Size != c.Mempool.Size || got.TxIndex.Indexer != "kv" || got.RootDir != home ||
		strings.Join(got.RPC.CORSAllowedOrigins, ",") != "http://a,http://b" || got.P2P.AllowDuplicateIP != true {
		t.Fatalf("config did not round-trip: %+v %+v", got.Consensus, got.P2P)
	}
}

func TestConfigErrorsNameTheLine(t *testing.T) {
	home := t.TempDir()
	if _, err := LoadConfig(home); err == nil || !strings.Contains(err.Error(), "tangent init") {
		t.Fatalf("missing home: %v", err)
	}
	if err := SaveConfig(home, DefaultConfig(home, TimingDefault)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(Home(home).ConfigFile())
	for _, tc := range []struct{ edit, want string }{
		{"\n[consensus]\ntimeout_comit = \"1s\"\n", `unknown setting "consensus.timeout_comit"`},
		{"\n[mempool]\nsize = \"big\"\n", "mempool.size: want an integer"},
		{"\n[consensus]\ntimeout_commit = 5\n", ""}, // bare number = ns, as viper
	} {
		// Append a duplicate table: later keys override, as the decoder reads them.
		if err := os.WriteFile(Home(home).ConfigFile(), append(append([]byte{}, b...), tc.edit...), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadConfig(home)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.edit, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "line ") {
			t.Errorf("%q: error %v, want %q with a line number", tc.edit, err, tc.want)
		}
	}
}

// FuzzConfigTOML feeds arbitrary text to the config.toml reader: it must
// return an error or a config, never panic, and a file it wrote itself
// must read back.
func FuzzConfigTOML(f *testing.F) {
	f.Add("[consensus]\ntimeout_commit = \"1s\"\n")
	f.Add("moniker = 'x' # comment\n[p2p]\npersistent_peers = \"a@b:1,c@d:2\"\n")
	f.Add("[rpc]\ncors_allowed_origins = [\"a\", 'b',]\n")
	f.Add("[storage.pruning]\ninterval = \"10s\"\n[[x]]\n")
	f.Add("a = \"unterminated\n= 1\n[")
	f.Fuzz(func(t *testing.T, text string) {
		doc, err := parseTOML(strings.NewReader(text))
		if err != nil {
			return
		}
		c := DefaultConfig(t.TempDir(), TimingTest)
		_ = decodeInto(doc, c)
	})
}
