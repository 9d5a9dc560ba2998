//go:build amd64 && !purego

package kernels

import "fmt"

func init() {
	if hasAVX512 {
		transposeBlock = transposeAVX512
		copyBlock = copyAVX512
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
