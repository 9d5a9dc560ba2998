package types

// x/bank calls no other module.
