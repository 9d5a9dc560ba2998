// Package types declares x/staking's roles, messages, state keys, result
// codes, parameters, genesis and the keeper interfaces it expects and
// offers.
package types
