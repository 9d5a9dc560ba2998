// Package chain holds the vocabulary every ledger module shares: addresses
// (bech32 "tgt1…"), public keys, the block Header (the ledger's only
// source of time), the Context a keeper executes in, messages, events,
// registered result codes, and overflow-checked integer arithmetic.
//
// Contract:
//   - Amounts are uint64 base units (utgt); fractions are integer parts per
//     million (PPM) applied with 128-bit MulDiv, rounding down. No floats.
//   - A result code is a (codespace, code) pair registered once at package
//     initialization (Register panics on a duplicate); codes are consensus
//     data and never change meaning. ABCIInfo maps any error to its code,
//     unregistered errors to ErrInternal.
//   - Events have attributes sorted by key, so their encoding never depends
//     on the order a keeper wrote them in.
package chain
