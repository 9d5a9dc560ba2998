package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// workers is the number of goroutines a kernel may use; 0 means
// runtime.GOMAXPROCS(0).
var workers atomic.Int32

// SetWorkers sets how many goroutines the kernels may use at once (the
// trainer's --threads) and returns the previous setting. n ≤ 0 means
// runtime.GOMAXPROCS(0), the default. The setting affects speed only: every
// kernel splits work only over independent outputs and never splits a
// reduction, so results are bit-identical for any n.
func SetWorkers(n int) (prev int) {
	if n < 0 {
		n = 0
	}
	return int(workers.Swap(int32(n)))
}

// Workers returns the number of goroutines the kernels use.
func Workers() int {
	if n := int(workers.Load()); n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// ParallelFor calls fn(i) for every i in [0, n), spreading the calls over up
// to Workers() goroutines, and returns when all calls have returned. Calls
// may run in any order and concurrently: fn must only write outputs that no
// other i writes. Callers outside this package may use it to parallelize
// over independent outputs (for example over the items of a batch).
func ParallelFor(n int, fn func(i int)) {
	parallelRange(n, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i)
		}
	})
}

// chunksPerWorker is how many chunks parallelRange cuts per worker when
// there are enough items: workers take chunks as they finish, so a worker
// that the OS (or a busy host) delays costs a chunk's time, not half the
// call's.
const chunksPerWorker = 4

// parallelRange splits [0, n) into contiguous chunks of at least grain
// items and calls fn(lo, hi) on each, using up to Workers() goroutines
// (the caller's goroutine is one of them), which take the chunks in turn.
func parallelRange(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	w := Workers()
	maxChunks := (n + grain - 1) / grain
	if w > maxChunks {
		w = maxChunks
	}
	if w <= 1 {
		fn(0, n)
		return
	}
	chunks := min(maxChunks, w*chunksPerWorker)
	var next atomic.Int32
	run := func() {
		for {
			c := int(next.Add(1)) - 1
			if c >= chunks {
				return
			}
			fn(c*n/chunks, (c+1)*n/chunks)
		}
	}
	var wg sync.WaitGroup
	wg.Add(w - 1)
	for t := 1; t < w; t++ {
		go func() {
			defer wg.Done()
			run()
		}()
	}
	run()
	wg.Wait()
}
