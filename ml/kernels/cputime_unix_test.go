//go:build unix

package kernels

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user+system) the process has used. On a
// shared machine, work per CPU-second is a steadier figure than work per
// wall-second; benchmarks report both.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
