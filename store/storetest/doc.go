// Package storetest holds test helpers for tangent/store: a filesystem that
// fails on demand (ErrorFS) and deterministic test data.
package storetest
