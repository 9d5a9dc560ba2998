package kernels

import (
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"testing"
)

// TestNoImplicitFMA type-checks the package's non-test Go files and fails
// on any floating-point product used directly as an operand of + or -
// (including x += y*z): the Go specification allows the compiler to fuse
// such an expression into one FMA, which it does on arm64 and with
// GOAMD64=v3, so the bits would depend on the build. Products must be
// rounded explicitly (float32(x*y) + z) or go through FMA32.
func TestNoImplicitFMA(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(".", name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil), Error: func(error) {}}
	conf.Check("tangent/ml/kernels", fset, files, info) // errors are tolerated: only float types matter

	isFloatProduct := func(e ast.Expr) bool {
		for {
			p, ok := e.(*ast.ParenExpr)
			if !ok {
				break
			}
			e = p.X
		}
		b, ok := e.(*ast.BinaryExpr)
		if !ok || b.Op != token.MUL {
			return false
		}
		tv, ok := info.Types[b]
		if !ok || tv.Value != nil { // constant products are folded exactly
			return false
		}
		basic, ok := tv.Type.Underlying().(*types.Basic)
		return ok && basic.Info()&types.IsFloat != 0
	}
	checked := 0
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if n.Op == token.ADD || n.Op == token.SUB {
					checked++
					if isFloatProduct(n.X) || isFloatProduct(n.Y) {
						t.Errorf("%s: float product inside + or -: round it explicitly or use FMA32", fset.Position(n.Pos()))
					}
				}
			case *ast.AssignStmt:
				if (n.Tok == token.ADD_ASSIGN || n.Tok == token.SUB_ASSIGN) && isFloatProduct(n.Rhs[0]) {
					t.Errorf("%s: float product in %s: round it explicitly or use FMA32", fset.Position(n.Pos()), n.Tok)
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no expressions checked")
	}

	// The check itself must catch the pattern.
	src := "package p\nfunc f(a, b, c float32) float32 { return a*b + c }\nfunc g(a, b, c float32) float32 { return float32(a*b) + c }\n"
	f, _ := parser.ParseFile(fset, "p.go", src, 0)
	info2 := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	if _, err := (&types.Config{}).Check("p", fset, []*ast.File{f}, info2); err != nil {
		t.Fatal(err)
	}
	info, found := info2, 0
	ast.Inspect(f, func(n ast.Node) bool {
		if b, ok := n.(*ast.BinaryExpr); ok && b.Op == token.ADD && (isFloatProduct(b.X) || isFloatProduct(b.Y)) {
			found++
		}
		return true
	})
	if found != 1 {
		t.Errorf("self-check found %d fusable expressions, want 1", found)
	}
}
