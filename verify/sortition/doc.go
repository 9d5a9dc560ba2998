// Package sortition picks who does the work, from public randomness, with
// integer arithmetic only (DESIGN.md §1.2 step 2, §1.1 step 3).
//
//   - Lowest: a job's solver is the volunteer whose VRF output (package vrf,
//     over an alpha fixed before volunteering closed) is the smallest as a
//     big-endian number; equal outputs (only possible for equal proofs) are
//     broken by the smaller address. Each volunteer can compute its own
//     output but cannot choose it, and everybody can check every output.
//   - Committee: a validator or verifier committee of k members is drawn
//     from a seed and a list of (address, stake) sorted by address, with
//     probability proportional to stake and without replacement: each draw
//     picks a uniform integer r below the remaining total stake (package
//     seedrand, domain "tangent/sortition/committee/v1") and takes the member
//     whose cumulative stake interval, in address order, contains r; that
//     member is then removed.
//
// The package is pure: no I/O, clocks, floats or global randomness.
package sortition
