//go:build !linux

package store

// startWriteback is a no-op where sync_file_range does not exist: the fsync
// at commit does all the work.
func startWriteback(File) {}
