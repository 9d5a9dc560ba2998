// Package model describes sequential models: the built-in specs (mlp,
// cnn-small, cnn of DESIGN.md section 5), a JSON file format for any
// sequential model of the layers Tangent has, shape inference with errors
// that name the layer, and a canonical hash that identifies an architecture.
//
// # Spec files
//
// A spec file is a JSON object:
//
//	{
//	  "name": "my-cnn",                 // optional, not part of the hash
//	  "input": [1, 28, 28],             // channels, height, width
//	  "classes": 10,
//	  "layers": [
//	    {"type": "conv2d", "out": 6, "kernel": 5},   // "stride" (1), "padding" (0), "in" (checked)
//	    {"type": "relu"},
//	    {"type": "maxpool2d", "kernel": 2},          // "stride" (= kernel)
//	    {"type": "flatten"},
//	    {"type": "dense", "out": 120},               // "in" (checked)
//	    {"type": "dropout", "rate": 0.5},
//	    {"type": "dense", "out": 10}
//	  ]
//	}
//
// Layers are numbered from 1 in error messages ("layer 3 (dense): expects 400
// inputs, previous layer gives 256"). Unknown fields and fields that do not
// belong to a layer's type are errors. The last layer must produce one value
// per class; the loss (softmax cross-entropy) is not a layer.
//
// # Canonical encoding and hash
//
// Canonical returns the spec with defaults filled in, encoded as compact JSON
// with keys in a fixed order and without the name: {"input":[...],
// "classes":N,"layers":[...]} where each layer carries exactly the fields of
// its type (conv2d: type,out,kernel,stride,padding; maxpool2d:
// type,kernel,stride; dense: type,out; dropout: type,rate; relu, flatten:
// type), integers in decimal and the dropout rate in Go's shortest 'g'
// format. Hash is the hex SHA-256 of those bytes. Two specs with the same
// hash build the same network with the same parameter shapes.
package model
