package kernels

import (
	"testing"

	"tangent/ml/kernels/kernelstest"
)

func BenchmarkPack(b *testing.B) {
	r := kernelstest.Rand(1)
	const n = 1024
	a := kernelstest.Slice(r, n*n)
	dst := make([]float32, 256*n+32*256)
	for _, tr := range []bool{false, true} {
		name := "N"
		if tr {
			name = "T"
		}
		b.Run("A"+name, func(b *testing.B) {
			for b.Loop() {
				matrix{tr, a, n}.packA(dst, 14, 0, n, 0, 256)
			}
			b.ReportMetric(float64(n*256)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
		b.Run("B"+name, func(b *testing.B) {
			for b.Loop() {
				matrix{tr, a, n}.packB(dst, 32, 0, 256, 0, n)
			}
			b.ReportMetric(float64(n*256)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
}

func TestTransposeBlock(t *testing.T) {
	r := kernelstest.Rand(5)
	for it := 0; it < 500; it++ {
		lanes := 1 + r.IntN(16)
		rows := r.IntN(lanes + 1)
		kc := 1 + r.IntN(70)
		lds := kc + r.IntN(5)
		dstride := lanes + r.IntN(20)
		src := kernelstest.Slice(r, max(0, (rows-1)*lds+kc))
		want := kernelstest.Slice(r, (kc-1)*dstride+lanes)
		got := append([]float32(nil), want...)
		transposeGo(want, dstride, lanes, src, lds, rows, kc)
		transposeBlock(got, dstride, lanes, src, lds, rows, kc)
		if d := kernelstest.Diff(got, want); d != "" {
			t.Fatalf("lanes=%d rows=%d kc=%d lds=%d dstride=%d: %s", lanes, rows, kc, lds, dstride, d)
		}
	}
}

func TestCopyBlock(t *testing.T) {
	r := kernelstest.Rand(6)
	for it := 0; it < 500; it++ {
		lanes := 1 + r.IntN(16)
		cols := r.IntN(lanes + 1)
		kc := 1 + r.IntN(70)
		lds := cols + r.IntN(5)
		dstride := lanes + r.IntN(20)
		src := kernelstest.Slice(r, max(0, (kc-1)*lds+cols))
		want := kernelstest.Slice(r, (kc-1)*dstride+lanes)
		got := append([]float32(nil), want...)
		copyGo(want, dstride, lanes, src, lds, cols, kc)
		copyBlock(got, dstride, lanes, src, lds, cols, kc)
		if d := kernelstest.Diff(got, want); d != "" {
			t.Fatalf("lanes=%d cols=%d kc=%d lds=%d dstride=%d: %s", lanes, cols, kc, lds, dstride, d)
		}
	}
}

func TestGatherBlock(t *testing.T) {
	r := kernelstest.Rand(7)
	for it := 0; it < 500; it++ {
		lanes := 1 + r.IntN(32)
		nl := r.IntN(lanes + 1)
		kc := 1 + r.IntN(40)
		dstride := lanes + r.IntN(9)
		src := kernelstest.Slice(r, 1+r.IntN(3000))
		pIdx := make([]int32, kc)
		for i := range pIdx {
			pIdx[i] = int32(r.IntN(len(src)/2 + 1))
		}
		lIdx := make([]int32, nl)
		run := r.IntN(3) == 0 // mostly contiguous runs
		for i := range lIdx {
			lIdx[i] = int32(r.IntN(len(src) - len(src)/2))
			if run && i > 0 && r.IntN(6) > 0 && int(lIdx[i-1])+1 < len(src)-len(src)/2 {
				lIdx[i] = lIdx[i-1] + 1
			}
		}
		want := kernelstest.Slice(r, (kc-1)*dstride+lanes)
		got := append([]float32(nil), want...)
		gatherGo(want, dstride, lanes, src, pIdx, lIdx)
		gatherBlock(got, dstride, lanes, src, pIdx, lIdx)
		if d := kernelstest.Diff(got, want); d != "" {
			t.Fatalf("lanes=%d nl=%d kc=%d dstride=%d: %s", lanes, nl, kc, dstride, d)
		}
	}
}
