// Package types declares x/bank's messages, state keys, result codes and
// genesis.
package types
