// Package cli holds the constructors of tangent's commands. Each command is
// built by a function (newTrainCmd, newBlobCmd, ...) and wired into the root
// by NewRootCmd; there are no package globals and no init() registration.
//
// The CLI contract (DESIGN.md section 5): with --json a command prints exactly
// one JSON object on stdout; progress bars and logs go to stderr.
package cli
