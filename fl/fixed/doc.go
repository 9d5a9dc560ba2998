// Package fixed holds the integer arithmetic that fl's ledger-facing rules
// share: parts-per-million ratios, a 128-bit multiply-then-divide, and an
// exact proportional split of an integer amount.
//
// No floating point appears here. Every division rounds down (toward zero)
// and every function that can overflow returns an error instead of wrapping.
// The ledger may call these functions directly: results depend only on the
// integer inputs.
package fixed
