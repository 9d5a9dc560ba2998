package keyring

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewLoadList(t *testing.T) {
	t.Setenv(PassphraseEnv, "")
	home := t.TempDir()
	kr := Open(filepath.Join(home, "keys"))
	a, err := kr.New("alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.New("alice"); !errors.Is(err, ErrExists) {
		t.Fatalf("second New: %v", err)
	}
	st, err := os.Stat(filepath.Join(home, "keys", "alice.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode(), err)
	}
	got, err := kr.Load("alice")
	if err != nil || got.Address != a.Address {
		t.Fatalf("Load = %v, %v", got, err)
	}
	_, err = kr.Load("bob")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "tangent wallet new bob --home "+home) {
		t.Fatalf("Load(bob) = %v", err)
	}
	if _, err := kr.New("../evil"); err == nil {
		t.Fatal("path-like name accepted")
	}
	list, err := kr.List()
	if err != nil || len(list) != 1 || list[0].Name != "alice" || list[0].Address != a.Address {
		t.Fatalf("List = %v, %v", list, err)
	}
}

func TestEncrypted(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(PassphraseEnv, "correct horse")
	k, err := Open(dir).New("v")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "v.json"))
	if strings.Contains(string(b), "seed") {
		t.Fatalf("encrypted key file holds a seed: %s", b)
	}
	if got, err := Open(dir).Load("v"); err != nil || got.Address != k.Address {
		t.Fatalf("Load = %v, %v", got, err)
	}
	t.Setenv(PassphraseEnv, "wrong")
	if _, err := Open(dir).Load("v"); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("wrong passphrase: %v", err)
	}
	t.Setenv(PassphraseEnv, "")
	if _, err := Open(dir).Load("v"); err == nil || !strings.Contains(err.Error(), PassphraseEnv) {
		t.Fatalf("no passphrase: %v", err)
	}
}
