// Package bisect is the pinpoint dispute game of DESIGN.md §1.2 step 6, as a
// pure state machine: a challenger and a defendant (the solver) narrow a
// disputed segment of training down to one step, one operator, one output
// element and, inside a long reduction, one fused multiply-add, which the
// ledger then re-executes from a few values and their Merkle proofs. Its cost
// grows with the logarithm of the model's size, not with the size.
//
// # What is committed (the contract with the ML trace)
//
//   - A tensor of n float32 is committed as Tensor{Root, Len: n}, Root =
//     merkle.RootOfFloat32s(values, 4096): the RFC 6962 tree over 4096-byte
//     chunks of its little-endian bytes (CommitTensor).
//   - The machine state of a step is a fixed list of slots (weights,
//     optimizer state, data cursor, RNG state, and scratch tensors); its
//     StateRoot is the RFC 6962 root over the slots' leaves
//     LeafHash(uint64be(Len) || Root). Unused slots hold EmptyTensor.
//   - A training step is a fixed sequence of operators (Program.Op); each
//     reads some slots and overwrites exactly one. Scratch tensors are
//     emptied by OpFree operators before the step ends, so the state between
//     steps holds only what a checkpoint holds.
//   - The checkpoint hashes a job commits to (package audit) are the state
//     roots at the checkpoints, and state roots between steps are what the
//     step level bisects.
//   - A reduction element is acc = FMA32(a_k, b_k, acc) for k = 0..Terms-1
//     in that order, from +0 or from one input element (a bias); FMA32 is
//     exact (one rounding) and implemented here in pure Go.
//
// # The rules, one sentence each
//
//  1. Opening: the challenger names segment i of the defendant's commitment
//     and proves the defendant's checkpoints c_i and c_{i+1} with one range
//     proof; the game starts at the step level with range [0, K), agreed
//     value c_i at 0 and disputed value c_{i+1} at K.
//  2. Split: while the disputed range [lo, hi) of a chain level (step, op,
//     fma) spans two or more positions, the defendant posts its values at the
//     m-1 interior points lo + floor(j*(hi-lo)/m), m = min(Arity, hi-lo):
//     state roots at the step and op levels, float32 partial sums at the fma
//     level.
//  3. Pick: the challenger then picks one of the m sub-ranges (the one whose
//     left end it agrees with and whose right end it disputes), which becomes
//     the disputed range with the defendant's values at its ends.
//  4. A disputed single step becomes the chain of its operators, with the
//     same two state roots at its ends.
//  5. OpenOp: for a disputed single operator, the defendant opens its input
//     slots in the agreed state and its output slot before and after with a
//     single audit path, proving that the operator changed only that slot.
//  6. The game checks OpFree (output empty) and OpCopy (output equals input)
//     itself; an output of the wrong length loses at once.
//  7. Reveal/Pick: for map and reduce operators the defendant reveals the
//     disputed node of its output's Merkle tree (its descendants
//     log2(Arity) levels down, or at the bottom the chunk itself) and the
//     challenger picks the node, then the element, it disputes; the
//     challenger needs only its own result, not the defendant's data.
//  8. OpenElement: the defendant opens the input elements the disputed
//     element reads; a map element is re-executed by the caller
//     (Program.Eval, the delegated one-step check), a reduction element
//     becomes the chain of its partial sums from the initial accumulator to
//     the defendant's value.
//  9. OpenFMA: for a disputed single multiply-add, the defendant opens its two
//     factors and the game checks FMA32(a, b, acc_k) == acc_{k+1} bit for
//     bit.
//  10. Every final check decides the game: the defendant wins if its claim
//     holds, the challenger otherwise.
//  11. Turns and windows: only the side to move may move, at a height no
//     later than the height that gave it the turn plus Window; Timeout at a
//     later height ends the game against the side to move (silence loses).
//  12. A move that fails its checks (bad proof, wrong count, out-of-range
//     index) is rejected and changes nothing; the side keeps its turn until
//     its deadline.
//
// # Using it
//
// The ledger keeps a Game per dispute: New on the opening transaction,
// Apply for each move transaction (DecodeMove of its payload, the sender's
// Side, the block height), and Timeout(height) once per block; between
// blocks it stores Game.Encode and restores it with Decode. The Program
// it passes is implemented by app with ml. Every move is bounded
// (MaxMoveSize) and the whole dispute by MaxDisputeBytes: at arity 4, at
// most about 25 KB in 32 moves for an operator of 1M parameters and 27 KB in
// 42 moves for one of 1B (most of it the 4 KB chunks that carry the few
// values the final check reads). Package bisecttest has a toy job and players; testdata/scenarios
// replays the rules as golden scenarios (go test -rewrite regenerates them).
//
// The package is pure: no I/O, clocks, goroutines or global randomness; a
// Game is not safe for concurrent use.
package bisect
