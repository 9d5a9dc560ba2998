package vec

import (
	"encoding/hex"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// refDot is the definition of Dot: one loop, four lanes by index mod 4.
func refDot(x, y []float32) float64 {
	var s [4]float64
	for i := range x {
		s[i%4] = s[i%4] + float64(float64(x[i])*float64(y[i]))
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

func refDist2(x, y []float32) float64 {
	var s [4]float64
	for i := range x {
		d := float64(x[i]) - float64(y[i])
		s[i%4] = s[i%4] + float64(d*d)
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

func randVec(r *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale * math.Exp(2*r.NormFloat64()))
	}
	return x
}

func TestDotMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 1000, 1001, 1002, 1003} {
		for trial := 0; trial < 20; trial++ {
			x, y := randVec(r, n, 1), randVec(r, n, 3)
			if got, want := Dot(x, y), refDot(x, y); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("n=%d: Dot=%v want %v", n, got, want)
			}
			if got, want := Dist2(x, y), refDist2(x, y); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("n=%d: Dist2=%v want %v", n, got, want)
			}
		}
	}
}

func TestFiniteness(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	cases := []struct {
		x    []float32
		want int
	}{
		{nil, -1},
		{[]float32{0, 1, -2, math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32}, -1},
		{[]float32{0, nan}, 1},
		{[]float32{-inf, 0}, 0},
		{[]float32{1, 2, inf}, 2},
	}
	for _, c := range cases {
		if got := FirstNonFinite(c.x); got != c.want {
			t.Errorf("FirstNonFinite(%v) = %d, want %d", c.x, got, c.want)
		}
	}
}

func TestOrderKeyIsTotalOrder(t *testing.T) {
	vals := []float32{float32(math.Inf(-1)), -math.MaxFloat32, -1, -math.SmallestNonzeroFloat32,
		float32(math.Copysign(0, -1)), 0, math.SmallestNonzeroFloat32, 1, math.MaxFloat32, float32(math.Inf(1))}
	for i := 1; i < len(vals); i++ {
		if OrderKey(vals[i-1]) >= OrderKey(vals[i]) {
			t.Fatalf("OrderKey(%v) >= OrderKey(%v)", vals[i-1], vals[i])
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		v := math.Float32frombits(r.Uint32())
		if math.Float32bits(FromOrderKey(OrderKey(v))) != math.Float32bits(v) {
			t.Fatalf("round trip of %x", math.Float32bits(v))
		}
	}
	shuffled := slices.Clone(vals)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	slices.SortFunc(shuffled, func(a, b float32) int { return int(int64(OrderKey(a)) - int64(OrderKey(b))) })
	for i := range vals {
		if math.Float32bits(shuffled[i]) != math.Float32bits(vals[i]) {
			t.Fatalf("sorted[%d] = %v, want %v", i, shuffled[i], vals[i])
		}
	}
}

func TestHashGolden(t *testing.T) {
	x := []float32{1, -2.5, 0, float32(math.Copysign(0, -1))}
	got := Hash(x)
	// Pinned, and checked independently with Python:
	// sha256(b"tangent/fl/vec/v1" + pack("<Q", 4) + pack("<4f", 1, -2.5, 0, -0.0)).
	const want = "6bde3b168bd13246bf59adcb2655268b730bd3581054a4e76a330a02998165a9"
	if hex.EncodeToString(got[:]) != want {
		t.Errorf("Hash = %x, want %s", got, want)
	}
	if Hash(x[:3]) == Hash(x[:4]) {
		t.Error("length not bound into the hash")
	}
	if Hash([]float32{0}) == Hash([]float32{float32(math.Copysign(0, -1))}) {
		t.Error("+0 and -0 hash equal")
	}
	long := make([]float32, 5000)
	long[4999] = 1
	if Hash(long) == Hash(make([]float32, 5000)) {
		t.Error("element past the first buffer not hashed")
	}
}
