package types

import "fmt"

// Role is what a stake backs. A single account may stake under several
// roles; each (account, role) stake is bonded, unbonded and slashed on its
// own.
type Role uint8

const (
	// RoleValidator stakes give consensus voting power (and validate
	// federated updates).
	RoleValidator Role = 1
	// RoleTrainer stakes back federated-learning updates.
	RoleTrainer Role = 2
	// RoleSolver stakes back compute jobs.
	RoleSolver Role = 3
	// RoleVerifier stakes back audits of compute jobs.
	RoleVerifier Role = 4
	// RoleStorage stakes back storage availability.
	RoleStorage Role = 5
)

// Roles lists every role in order.
var Roles = []Role{RoleValidator, RoleTrainer, RoleSolver, RoleVerifier, RoleStorage}

var roleNames = map[Role]string{
	RoleValidator: "validator",
	RoleTrainer:   "trainer",
	RoleSolver:    "solver",
	RoleVerifier:  "verifier",
	RoleStorage:   "storage",
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleNames[r]; return ok }

func (r Role) String() string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// ParseRole parses a role name ("validator", "trainer", "solver",
// "verifier", "storage").
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if roleNames[r] == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown role %q; roles are validator, trainer, solver, verifier, storage", s)
}

// MarshalText writes the role name.
func (r Role) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("invalid role %d", uint8(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText parses a role name.
func (r *Role) UnmarshalText(b []byte) error {
	p, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = p
	return nil
}
