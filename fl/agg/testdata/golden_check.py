# Independent check of two golden hashes in agg_test.go (TestGoldenHashes),
# computed from the formulas in doc.go with plain Python floats (IEEE double)
# and struct-packed float32 rounding. Run: python3 testdata/golden_check.py
import struct, hashlib

def f32(x): return struct.unpack('<f', struct.pack('<f', x))[0]

M = (1 << 64) - 1
class SplitMix:
    def __init__(s, seed): s.x = seed
    def next(s):
        s.x = (s.x + 0x9e3779b97f4a7c15) & M; z = s.x
        z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
        z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
        return z ^ (z >> 31)
    def float(s, scale):
        v = s.next() >> 32
        if v >= 1 << 31: v -= 1 << 32
        v >>= 8
        return f32(f32(f32(v) / (1 << 23)) * scale)

def gen(seed, n, p, scale):
    s = SplitMix(seed)
    return [[s.float(scale) for _ in range(p)] for _ in range(n)]

def vhash(out):
    return hashlib.sha256(b'tangent/fl/vec/v1' + struct.pack('<Q', len(out)) +
                          b''.join(struct.pack('<f', v) for v in out)).hexdigest()

xs = gen(2024, 7, 3000, f32(0.01))
xs[6] = [f32(v * -50) for v in xs[6]]
w = [600, 1200, 50, 7, 999, 4242, 1]
W = float(sum(w))
mean = []
for j in range(3000):
    s = 0.0
    for i in range(7): s = s + float(w[i]) * xs[i][j]
    mean.append(f32(s / W))
print("WeightedMean", vhash(mean))
print("Median      ", vhash([sorted(xs[i][j] for i in range(7))[3] for j in range(3000)]))
