package model

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// builtins are the models of DESIGN.md section 5, on 1×28×28 inputs with 10
// classes. Each dense and conv layer is followed by a ReLU except the last.
var builtins = map[string]func() *Spec{
	// 784-200-200-10.
	"mlp": func() *Spec {
		return &Spec{Name: "mlp", Input: []int{1, 28, 28}, Classes: 10, Layers: []Layer{
			{Type: Flatten},
			{Type: Dense, Out: 200}, {Type: ReLU},
			{Type: Dense, Out: 200}, {Type: ReLU},
			{Type: Dense, Out: 10},
		}}
	},
	// The NIID-Bench CNN: conv 6@5×5, pool, conv 16@5×5, pool, fc 120, fc 84, fc 10.
	"cnn-small": func() *Spec {
		return &Spec{Name: "cnn-small", Input: []int{1, 28, 28}, Classes: 10, Layers: []Layer{
			{Type: Conv2D, Out: 6, Kernel: 5, Stride: 1}, {Type: ReLU}, {Type: MaxPool2D, Kernel: 2, Stride: 2},
			{Type: Conv2D, Out: 16, Kernel: 5, Stride: 1}, {Type: ReLU}, {Type: MaxPool2D, Kernel: 2, Stride: 2},
			{Type: Flatten},
			{Type: Dense, Out: 120}, {Type: ReLU},
			{Type: Dense, Out: 84}, {Type: ReLU},
			{Type: Dense, Out: 10},
		}}
	},
	// conv 32@3×3, conv 64@3×3, pool, fc 128, fc 10.
	"cnn": func() *Spec {
		return &Spec{Name: "cnn", Input: []int{1, 28, 28}, Classes: 10, Layers: []Layer{
			{Type: Conv2D, Out: 32, Kernel: 3, Stride: 1}, {Type: ReLU},
			{Type: Conv2D, Out: 64, Kernel: 3, Stride: 1}, {Type: ReLU},
			{Type: MaxPool2D, Kernel: 2, Stride: 2},
			{Type: Flatten},
			{Type: Dense, Out: 128}, {Type: ReLU},
			{Type: Dense, Out: 10},
		}}
	},
}

// Names lists the built-in model names, sorted.
func Names() []string {
	var n []string
	for k := range builtins {
		n = append(n, k)
	}
	slices.Sort(n)
	return n
}

// Builtin returns a fresh copy of the named built-in spec.
func Builtin(name string) (*Spec, bool) {
	f, ok := builtins[name]
	if !ok {
		return nil, false
	}
	return f(), true
}

// Resolve returns the built-in spec called nameOrFile, or else the spec in
// the file of that name.
func Resolve(nameOrFile string) (*Spec, error) {
	if s, ok := Builtin(nameOrFile); ok {
		return s, nil
	}
	if _, err := os.Stat(nameOrFile); err != nil {
		return nil, fmt.Errorf("--model %q is neither a built-in model (%s) nor a spec file", nameOrFile, strings.Join(Names(), ", "))
	}
	return Load(nameOrFile)
}
