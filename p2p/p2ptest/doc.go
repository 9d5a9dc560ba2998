// Package p2ptest starts real p2p nodes on 127.0.0.1 for tests, and holds a
// lying block source for adversarial tests.
package p2ptest
