package consensus

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoFloatingPoint keeps the ledger-facing packages integer-only: no
// float32, float64 or complex types and no import of math (math/bits is
// fine) in the non-test sources of fl/consensus and fl/fixed.
func TestNoFloatingPoint(t *testing.T) {
	for _, dir := range []string{".", "../fixed"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, name, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				if imp.Path.Value == `"math"` {
					t.Errorf("%s imports math", name)
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.Ident:
					switch n.Name {
					case "float32", "float64", "complex64", "complex128":
						t.Errorf("%s: %s uses %s", fset.Position(n.Pos()), name, n.Name)
					}
				case *ast.BasicLit:
					if n.Kind == token.FLOAT || n.Kind == token.IMAG {
						t.Errorf("%s: floating-point literal %s", fset.Position(n.Pos()), n.Value)
					}
				}
				return true
			})
		}
	}
}
