// Package keeper implements x/staking: stakes per role, delayed unbonding,
// slashing into escrow or burn, and the consensus validator set.
//
// Contract:
//   - A stake is per (account, role). Bond moves coins from the balance of
//     the account itself (the tx signer; nobody can bond another's coins).
//   - Unbond moves coins into a pending unbonding that pays out at EndBlock
//     of height + unbonding_blocks; until then Slash and SlashAmount reach
//     it exactly like bonded stake.
//   - Slash takes floor(fraction × stake) plus floor(fraction × each
//     pending unbonding) of (account, role) and nothing from anyone else;
//     SlashAmount takes a fixed amount, stake first, then unbondings oldest
//     first. Slashed coins are burned (supply shrinks) or held in a penalty
//     escrow (id, owner) until ReleaseEscrow or BurnEscrow.
//   - Consensus misbehavior (BeginBlock evidence) burns double_sign_slash
//     of the validator stake and its unbondings and jails the validator for
//     good (it may still unbond).
//   - EndBlock returns the changes of the active validator set (unjailed,
//     stake >= min_validator_stake, top max_validators by power), sorted by
//     consensus key; it never returns an empty set.
//
// The Keeper remembers one thing between calls: whether validator stakes
// changed in the current block. Re-executing a block rebuilds it, so it is
// never persisted. See ../README.md.
package keeper
