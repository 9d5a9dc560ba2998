// Package keyring keeps account keys (ed25519) as files under a node home:
// HOME/keys/NAME.json, mode 0600, in a directory of mode 0700.
//
// By default the private key is stored UNENCRYPTED (hex seed in the file):
// anyone who can read the file can spend the account. Set the environment
// variable TANGENT_KEYRING_PASSPHRASE when creating a key to encrypt its
// seed with AES-256-GCM under a key derived by argon2id from the
// passphrase; the same variable must then be set to use the key.
//
// Names are 1-64 characters of [A-Za-z0-9_.-]. A Key's private key never
// leaves the package except through Key.PrivateKey, for signers.
package keyring
