// Package lint holds no code, only a test: lint_test.go fails when a package
// imports across the boundaries of DESIGN.md section 2 (for example ml/...
// reaching any other Tangent package, or ledger/... reaching net, CometBFT or
// ml). Run it with `go test ./internal/lint`.
package lint
