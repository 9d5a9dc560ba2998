package train

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fmaChecked are the packages whose float arithmetic this test inspects
// (ml/kernels has its own check).
var fmaChecked = []string{"detmath", "tensor", "data", "model", "optim", "nn", "train", "trace"}

// TestNoImplicitFMA type-checks the ml packages and fails on any float
// product used directly as an operand of + or - (or of += / -=): the Go spec
// lets the compiler fuse such an expression into one FMA (gc does on arm64
// and with GOAMD64=v3), which would make the bits machine-dependent. Write
// float32(a*b) + c to round the product, or use kernels.FMA32 to fuse on
// purpose. Constant expressions are exempt (the compiler evaluates them
// exactly).
func TestNoImplicitFMA(t *testing.T) {
	exports := exportMap(t)
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	for _, p := range fmaChecked {
		dir := filepath.Join("..", p)
		pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, pkg := range pkgs {
			var files []*ast.File
			for _, f := range pkg.Files {
				files = append(files, f)
			}
			info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
			conf := types.Config{Importer: imp}
			if _, err := conf.Check("tangent/ml/"+p, fset, files, info); err != nil {
				t.Fatalf("type-checking ml/%s: %v", p, err)
			}
			isFloatMul := func(e ast.Expr) bool {
				for {
					pe, ok := e.(*ast.ParenExpr)
					if !ok {
						break
					}
					e = pe.X
				}
				b, ok := e.(*ast.BinaryExpr)
				if !ok || b.Op != token.MUL {
					return false
				}
				tv := info.Types[b]
				if tv.Value != nil {
					return false
				}
				bt, ok := tv.Type.Underlying().(*types.Basic)
				return ok && bt.Info()&types.IsFloat != 0
			}
			for _, f := range files {
				ast.Inspect(f, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.BinaryExpr:
						if (n.Op == token.ADD || n.Op == token.SUB) && info.Types[n].Value == nil && (isFloatMul(n.X) || isFloatMul(n.Y)) {
							t.Errorf("%s: float product used in +/- without an explicit rounding: may be fused into an FMA", fset.Position(n.Pos()))
						}
					case *ast.AssignStmt:
						if (n.Tok == token.ADD_ASSIGN || n.Tok == token.SUB_ASSIGN) && len(n.Rhs) == 1 && isFloatMul(n.Rhs[0]) {
							t.Errorf("%s: float product accumulated with %s without an explicit rounding: may be fused into an FMA", fset.Position(n.Pos()), n.Tok)
						}
					}
					return true
				})
			}
		}
	}
}

// exportMap returns import path → export data file for the dependencies of
// the checked packages (go list -export builds them if needed).
func exportMap(t *testing.T) map[string]string {
	t.Helper()
	args := []string{"list", "-export", "-deps", "-f", "{{.ImportPath}} {{.Export}}"}
	for _, p := range fmaChecked {
		args = append(args, "tangent/ml/"+p)
	}
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if path, file, ok := strings.Cut(sc.Text(), " "); ok && file != "" {
			m[path] = file
		}
	}
	return m
}
