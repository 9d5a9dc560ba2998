package store

import "golang.org/x/sys/unix"

// startWriteback asks the kernel to start writing f's dirty pages to disk
// without waiting for it (sync_file_range SYNC_FILE_RANGE_WRITE), so that
// the fsync at commit finds little left to do. It is only a hint: files
// without a descriptor (fault-injecting test filesystems) are skipped, and
// errors are ignored because the fsync that follows reports any real one.
func startWriteback(f File) {
	if fd, ok := f.(interface{ Fd() uintptr }); ok {
		unix.SyncFileRange(int(fd.Fd()), 0, 0, unix.SYNC_FILE_RANGE_WRITE)
	}
}
