// Package optim holds Tangent's optimizers: SGD (momentum, Nesterov, weight
// decay) and Adam / AdamW, with state that checkpoints save and restore.
//
// # Bits
//
// Every update is elementwise and its result is defined by the per-element
// formulas below, evaluated in float32 with each operation rounded on its
// own (every product is wrapped in an explicit float32() conversion, so the
// compiler cannot fuse it into an FMA on arm64 or GOAMD64=v3). Per-step
// scalars (bias corrections) are computed in float64 from integer powers by
// repeated squaring (detmath.PowInt) and math.Sqrt, both exactly specified,
// then rounded to float32. The hyperparameters are float64 in Config and are
// rounded to float32 once (lr32 = float32(LR), ...). The result is therefore
// the same on every platform, for every thread count (elements are
// independent, so any split over goroutines gives the same bits).
//
// SGD (PyTorch's torch.optim.SGD with dampening 0; the buffer b starts at +0):
//
//	g := grad + float32(wd*w)                     // if WeightDecay != 0
//	b  = float32(mom*b) + g                       // if Momentum != 0
//	g  = g + float32(mom*b)  (Nesterov)  or  g = b
//	w  = w - float32(lr*g)
//
// Adam (torch.optim.Adam; AdamW applies decoupled decay first), at step
// t = Step+1 (1-based), with m and v starting at +0:
//
//	w  = w * float32(1 - lr*wd)                   // AdamW: the factor in float64, rounded once
//	g := grad + float32(wd*w)                     // Adam with WeightDecay != 0
//	m  = float32(b1*m) + float32((1-b1)*g)
//	v  = float32(b2*v) + float32(float32((1-b2)*g)*g)
//	d := Sqrt32(v)/bc2 + eps                      // bc2 = float32(sqrt(1 - b2^t))
//	w  = w - float32(step*(m/d))                  // step = float32(lr / (1 - b1^t))
//
// where 1-b1 and 1-b2 are float32(1-Beta1), float32(1-Beta2) and b^t is
// detmath.PowInt(Beta, t) in float64.
//
// lr is the rate of the step, Config.LRAt(Step): LR, or with DecaySteps = T
// a linear decay LR·(T-t)/T computed in float64 (then rounded to float32 as
// above; for Adam the float64 rate enters step and the AdamW factor).
package optim
