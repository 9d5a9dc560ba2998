//go:build amd64 && !purego

package kernels

import "fmt"

func init() {
	if hasAVX512 {
		transposeBlock = transposeAVX512
		copyBlock = copyAVX512
		gatherBlock = gatherAVX512
		maxPool2x2Plane = maxPool2x2AVX512
	}
}

// transposeAVX512 is transposeBlock with the transpose16 assembly.
func transposeAVX512(dst []float32, dstride, lanes int, src []float32, lds, rows, kc int) {
	if kc <= 0 || lanes <= 0 {
		return
	}
	if rows < 0 || rows > lanes || lanes > 16 || dstride < lanes ||
		len(dst) < (kc-1)*dstride+lanes || rows > 0 && len(src) < (rows-1)*lds+kc {
		panic(fmt.Sprintf("kernels: transposeAVX512: bad block dst=%d dstride=%d lanes=%d src=%d lds=%d rows=%d kc=%d",
			len(dst), dstride, lanes, len(src), lds, rows, kc))
	}
	sp := &dst[0] // any valid pointer when no rows are read
	if rows > 0 {
		sp = &src[0]
	}
	transpose16(&dst[0], dstride, lanes, sp, lds, rows, kc)
}

// copyAVX512 is copyBlock with the copy16 assembly.
func copyAVX512(dst []float32, dstride, lanes int, src []float32, lds, cols, kc int) {
	if kc <= 0 || lanes <= 0 {
		return
	}
	if cols < 0 || cols > lanes || lanes > 16 || dstride < lanes ||
		len(dst) < (kc-1)*dstride+lanes || cols > 0 && len(src) < (kc-1)*lds+cols {
		panic(fmt.Sprintf("kernels: copyAVX512: bad block dst=%d dstride=%d lanes=%d src=%d lds=%d cols=%d kc=%d",
			len(dst), dstride, lanes, len(src), lds, cols, kc))
	}
	sp := &dst[0]
	if cols > 0 {
		sp = &src[0]
	}
	copy16(&dst[0], dstride, lanes, sp, lds, cols, kc)
}

// gatherAVX512 is gatherBlock with the gather32 assembly.
func gatherAVX512(dst []float32, dstride, lanes int, src []float32, pIdx, lIdx []int32) {
	kc := len(pIdx)
	if kc == 0 || lanes == 0 {
		return
	}
	if len(lIdx) > lanes || lanes > 32 || dstride < lanes || len(dst) < (kc-1)*dstride+lanes || len(src) == 0 {
		panic(fmt.Sprintf("kernels: gatherAVX512: bad block dst=%d dstride=%d lanes=%d lIdx=%d", len(dst), dstride, lanes, len(lIdx)))
	}
	li := &pIdx[0] // any valid pointer when no lane is valid
	if len(lIdx) > 0 {
		li = &lIdx[0]
	}
	// Lanes in a few contiguous runs: masked vector loads beat gathers.
	var segs [32][2]int32
	ns := [2]int{}
	for h := 0; h < 2; h++ {
		for l := 16 * h; l < min(len(lIdx), 16*h+16); {
			e := l + 1
			for e < min(len(lIdx), 16*h+16) && lIdx[e] == lIdx[e-1]+1 {
				e++
			}
			segs[ns[0]+ns[1]] = [2]int32{lIdx[l] - int32(l-16*h), int32((uint32(1)<<(e-16*h) - 1) &^ (uint32(1)<<(l-16*h) - 1))}
			ns[h]++
			l = e
		}
	}
	if ns[0]+ns[1] <= 8 {
		runs32(&dst[0], dstride, uint64(1)<<lanes-1, &src[0], &pIdx[0], kc, &segs[0][0], ns[0], ns[1])
		return
	}
	gather32(&dst[0], dstride, uint64(1)<<lanes-1, &src[0], &pIdx[0], kc, li, uint64(1)<<len(lIdx)-1)
}

// maxPool2x2AVX512 checks the plane's bounds and runs maxPool2x2.
func maxPool2x2AVX512(in, out []float32, arg []int32, w, oh, ow int) {
	if oh < 1 || ow < 1 || 2*ow > w || len(in) < 2*oh*w || len(out) < oh*ow || len(arg) < oh*ow {
		panic("kernels: maxPool2x2AVX512: bad plane")
	}
	maxPool2x2(&out[0], &arg[0], &in[0], w, oh, ow)
}
