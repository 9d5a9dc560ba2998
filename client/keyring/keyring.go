package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/crypto/argon2"

	"tangent/ledger/chain"
)

// PassphraseEnv names the environment variable holding the passphrase that
// encrypts new keys and decrypts encrypted ones.
const PassphraseEnv = "TANGENT_KEYRING_PASSPHRASE"

// NotFoundError is returned by Load for a name with no key file.
type NotFoundError struct {
	Name string
	Dir  string // the keys directory
}

func (e *NotFoundError) Error() string {
	home := filepath.Dir(e.Dir)
	return fmt.Sprintf("no key named %s in %s; create one with `tangent wallet new %s --home %s`", e.Name, e.Dir, e.Name, home)
}

// ErrExists is returned by New and Import when the name is taken.
var ErrExists = errors.New("a key with this name already exists")

// Key is an account key.
type Key struct {
	Name    string
	Address chain.Address
	PubKey  chain.PubKey
	priv    ed25519.PrivateKey
}

// PrivateKey returns the ed25519 private key (the caller must not keep it
// longer than it needs to sign).
func (k *Key) PrivateKey() ed25519.PrivateKey { return k.priv }

// Sign signs msg with the key.
func (k *Key) Sign(msg []byte) []byte { return ed25519.Sign(k.priv, msg) }

// NewKey wraps a private key (for tests and load generators that hold keys
// in memory).
func NewKey(name string, priv ed25519.PrivateKey) *Key {
	var pub chain.PubKey
	copy(pub[:], priv.Public().(ed25519.PublicKey))
	return &Key{Name: name, Address: pub.Address(), PubKey: pub, priv: priv}
}

// Keyring is a directory of key files.
type Keyring struct {
	dir        string
	passphrase string
}

// Open returns the keyring in dir (HOME/keys); the directory is created on
// the first New. The passphrase comes from TANGENT_KEYRING_PASSPHRASE.
func Open(dir string) *Keyring {
	return &Keyring{dir: dir, passphrase: os.Getenv(PassphraseEnv)}
}

// Dir is the keys directory.
func (kr *Keyring) Dir() string { return kr.dir }

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func checkName(name string) error {
	if !nameRE.MatchString(name) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("key name %q: use 1-64 letters, digits, '_', '-' or '.' (not starting with '.')", name)
	}
	return nil
}

func (kr *Keyring) path(name string) string { return filepath.Join(kr.dir, name+".json") }

// New creates a key from fresh randomness and saves it.
func (kr *Keyring) New(name string) (*Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return kr.Import(name, priv)
}

// Import saves priv under name.
func (kr *Keyring) Import(name string, priv ed25519.PrivateKey) (*Key, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(kr.dir, 0o700); err != nil {
		return nil, err
	}
	k := NewKey(name, priv)
	f := keyFile{Name: name, Address: k.Address.String(), PubKey: k.PubKey.String()}
	if kr.passphrase == "" {
		f.Seed = hex.EncodeToString(priv.Seed())
		f.Warning = "UNENCRYPTED: anyone who reads this file can spend from " + f.Address
	} else {
		enc, err := seal(kr.passphrase, priv.Seed())
		if err != nil {
			return nil, err
		}
		f.Encrypted = enc
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	file, err := os.OpenFile(kr.path(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("key %s in %s: %w", name, kr.dir, ErrExists)
	}
	if err != nil {
		return nil, err
	}
	if _, err := file.Write(append(b, '\n')); err != nil {
		file.Close()
		return nil, err
	}
	if err := file.Sync(); err != nil {
		file.Close()
		return nil, err
	}
	return k, file.Close()
}

// Load reads the key named name.
func (kr *Keyring) Load(name string) (*Key, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(kr.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotFoundError{Name: name, Dir: kr.dir}
	}
	if err != nil {
		return nil, err
	}
	var f keyFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("key file %s is corrupt: %v", kr.path(name), err)
	}
	var seed []byte
	switch {
	case f.Encrypted != nil:
		if kr.passphrase == "" {
			return nil, fmt.Errorf("key %s is encrypted; set %s to its passphrase", name, PassphraseEnv)
		}
		if seed, err = open(kr.passphrase, f.Encrypted); err != nil {
			return nil, fmt.Errorf("key %s: %v (is %s right?)", name, err, PassphraseEnv)
		}
	default:
		if seed, err = hex.DecodeString(f.Seed); err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("key file %s has no valid seed", kr.path(name))
		}
	}
	k := NewKey(name, ed25519.NewKeyFromSeed(seed))
	if f.Address != "" && f.Address != k.Address.String() {
		return nil, fmt.Errorf("key file %s: address %s does not match its key (%s)", kr.path(name), f.Address, k.Address)
	}
	return k, nil
}

// Info is the public part of a key.
type Info struct {
	Name    string        `json:"name"`
	Address chain.Address `json:"address"`
}

// List returns the public part of every key, sorted by name. It reads no
// private key, so it needs no passphrase.
func (kr *Keyring) List() ([]Info, error) {
	entries, err := os.ReadDir(kr.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() || checkName(name) != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(kr.dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var f keyFile
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("key file %s is corrupt: %v", e.Name(), err)
		}
		addr, err := chain.ParseAddress(f.Address)
		if err != nil {
			return nil, fmt.Errorf("key file %s: %v", e.Name(), err)
		}
		out = append(out, Info{Name: name, Address: addr})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

type keyFile struct {
	Name      string     `json:"name"`
	Address   string     `json:"address"`
	PubKey    string     `json:"pub_key"`
	Warning   string     `json:"warning,omitempty"`
	Seed      string     `json:"seed,omitempty"`
	Encrypted *encrypted `json:"encrypted,omitempty"`
}

type encrypted struct {
	KDF        string `json:"kdf"` // "argon2id"
	Salt       string `json:"salt"`
	Nonce      string `json:"nonce"`
	Ciphertext string `json:"ciphertext"`
}

func deriveKey(pass string, salt []byte) []byte {
	return argon2.IDKey([]byte(pass), salt, 1, 64*1024, 2, 32)
}

func seal(pass string, seed []byte) (*encrypted, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(deriveKey(pass, salt))
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return &encrypted{
		KDF: "argon2id", Salt: hex.EncodeToString(salt), Nonce: hex.EncodeToString(nonce),
		Ciphertext: hex.EncodeToString(gcm.Seal(nil, nonce, seed, nil)),
	}, nil
}

func open(pass string, e *encrypted) ([]byte, error) {
	salt, err1 := hex.DecodeString(e.Salt)
	nonce, err2 := hex.DecodeString(e.Nonce)
	ct, err3 := hex.DecodeString(e.Ciphertext)
	if err := errors.Join(err1, err2, err3); err != nil || e.KDF != "argon2id" {
		return nil, errors.New("malformed encrypted key")
	}
	block, err := aes.NewCipher(deriveKey(pass, salt))
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if len(nonce) != gcm.NonceSize() {
		return nil, errors.New("malformed encrypted key")
	}
	seed, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("wrong passphrase")
	}
	return seed, nil
}
