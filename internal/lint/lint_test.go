package lint

import (
	"bufio"
	"bytes"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "tangent"

// allowed lists, for each top-level package of the module, the other
// top-level Tangent packages it may import (DESIGN.md section 2: arrows point
// down only). A package missing from this map fails the test: add it here
// and to DESIGN.md's package map together.
var allowed = map[string][]string{
	"cmd":      {"cli"},
	"cli":      {"node", "devnet", "agent", "client", "app", "ledger", "verify", "fl", "ml", "store", "p2p", "web"},
	"node":     {"agent", "client", "app", "ledger", "verify", "fl", "ml", "store", "p2p", "web"},
	"devnet":   {"node", "agent", "client", "app", "ledger", "verify", "fl", "ml", "store", "p2p", "web"},
	"agent":    {"client", "ledger", "verify", "fl", "ml", "store", "p2p"},
	"client":   {"ledger", "verify"},
	"app":      {"ledger", "verify", "ml", "store"},
	"ledger":   {"verify"},
	"verify":   {},
	"fl":       {"ml", "verify"},
	"ml":       {},
	"store":    {"verify"},
	"p2p":      {"store", "verify"},
	"web":      {},
	"bench":    {"node", "devnet", "agent", "client", "app", "ledger", "verify", "fl", "ml", "store", "p2p", "web"},
	"internal": {},
}

// forbiddenDeps lists, per top-level package, import-path prefixes that must
// not appear anywhere in its transitive dependencies (test files excluded).
var forbiddenDeps = map[string][]string{
	// The ledger is a deterministic state machine: no network, no consensus
	// engine, no ML engine, no process or OS access.
	"ledger": {"net", "os/exec", "github.com/cometbft/", "tangent/ml", "tangent/app", "github.com/libp2p/"},
	// verify and ml stand alone.
	"verify": {"net", "github.com/cometbft/", "github.com/libp2p/"},
	"ml":     {"net", "github.com/cometbft/", "github.com/libp2p/"},
	"fl":     {"net", "github.com/cometbft/", "github.com/libp2p/"},
}

// forbiddenDirect lists standard-library packages a top-level package may
// not import directly: the deterministic cores read no clock, global RNG or
// files (time and randomness are inputs, STYLE.md point 2).
var forbiddenDirect = map[string][]string{
	"ledger": {"time", "math/rand", "math/rand/v2", "os", "io/fs", "net", "net/http", "runtime"},
	"verify": {"time", "math/rand", "math/rand/v2", "os", "net", "net/http"},
	"fl":     {"time", "math/rand", "math/rand/v2", "os", "net", "net/http"},
}

type pkg struct {
	path    string
	imports []string
	deps    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}|{{join .Deps \" \"}}", module+"/...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "|", 3)
		if len(parts) != 3 {
			continue
		}
		pkgs = append(pkgs, pkg{path: parts[0], imports: strings.Fields(parts[1]), deps: strings.Fields(parts[2])})
	}
	return pkgs
}

// top returns the top-level Tangent package of an import path ("ledger" for
// "tangent/ledger/x/bank"), or "" for a path outside the module.
func top(path string) string {
	if path == module {
		return "."
	}
	rest, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	first, _, _ := strings.Cut(rest, "/")
	return first
}

func hasPrefixPath(path, prefix string) bool {
	if strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(path, prefix)
	}
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func TestImportBoundaries(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	var problems []string
	for _, p := range pkgs {
		from := top(p.path)
		ok, known := allowed[from]
		if !known {
			problems = append(problems, p.path+": top-level package "+from+" is not in DESIGN.md's package map (add it to internal/lint's allowed map)")
			continue
		}
		for _, imp := range p.imports {
			to := top(imp)
			if to == "" || to == from {
				continue
			}
			permitted := false
			for _, a := range ok {
				if a == to {
					permitted = true
				}
			}
			if !permitted {
				problems = append(problems, p.path+" imports "+imp+": "+from+"/ may not import "+to+"/ (DESIGN.md section 2)")
			}
		}
		for _, imp := range p.imports {
			for _, f := range forbiddenDirect[from] {
				if imp == f {
					problems = append(problems, p.path+" imports "+imp+" directly: not allowed in "+from+"/ (time and randomness are inputs)")
				}
			}
		}
		for _, dep := range p.deps {
			for _, f := range forbiddenDeps[from] {
				if hasPrefixPath(dep, f) {
					problems = append(problems, p.path+" depends on "+dep+": "+from+"/ must not reach "+f)
				}
			}
		}
	}
	sort.Strings(problems)
	for _, pr := range problems {
		t.Error(pr)
	}
}

// TestRulesCatchViolations proves the checks above can fail: it feeds them
// import lists that break each rule.
func TestRulesCatchViolations(t *testing.T) {
	if top("tangent/ml/tensor") != "ml" || top("github.com/x/y") != "" {
		t.Fatal("top() is wrong")
	}
	if !hasPrefixPath("net/http", "net") || hasPrefixPath("network", "net") {
		t.Fatal("hasPrefixPath is wrong")
	}
	if !hasPrefixPath("github.com/cometbft/cometbft/abci", "github.com/cometbft/") {
		t.Fatal("hasPrefixPath with trailing slash is wrong")
	}
	for _, a := range allowed["ml"] {
		t.Fatalf("ml may import %s; it must import nothing of Tangent", a)
	}
	if len(allowed["ledger"]) != 1 || allowed["ledger"][0] != "verify" {
		t.Fatalf("ledger may import only verify, got %v", allowed["ledger"])
	}
}
