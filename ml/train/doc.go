// Package train is Tangent's trainer: a pure state machine over a model, an
// optimizer, a data loader and a dropout RNG, with Step, Evaluate, Checkpoint
// and Restore. It does no I/O: the caller loads the data and writes the
// checkpoint bytes (cli/train.go is the shell).
//
// # Determinism
//
// Given the same spec, dataset, optimizer configuration, batch size and seed,
// every step produces the same bits on every run, for every thread count
// (kernels.SetWorkers) and GOMAXPROCS, and on every platform. This holds
// because every numeric routine underneath is defined bit for bit (ml/kernels,
// ml/nn, ml/optim; see their package comments for how FMA contraction is
// prevented) and every random choice comes from Philox streams of the seed
// (ml/tensor): initialization (StreamInit), data order (StreamShuffle, one
// permutation per epoch) and dropout masks (StreamDropout, whose counter is
// state). TestGolden pins the checkpoint hash after a few steps; the
// determinism tests compare thread counts, GOMAXPROCS, repeated runs and a
// run resumed from a checkpoint with a continuous one, and rebuild the test
// with GOAMD64=v1 and v3 and the purego tag.
//
// # Traces
//
// StepTrace runs a step while recording every operator (ml/trace): first
// "data.batch" (attributes seed, epoch, pos, batch, data_hash; outputs the
// batch x and its labels), then the forward ops, the loss, the backward ops
// (ml/nn) and one "optim.update" per parameter. Replay re-executes any one of
// them alone from its committed inputs (data.batch from the dataset) and
// checks its output roots; the ops chain by root from the batch to the new
// weights.
//
// # Checkpoints
//
// A checkpoint is a safetensors file (https://github.com/huggingface/safetensors):
// an 8-byte little-endian header length, a JSON header, then the raw
// little-endian float32 data. Tangent writes it canonically:
//
//   - tensors "layers.<i>.weight" / "layers.<i>.bias" (PyTorch's
//     nn.Sequential state-dict names under "layers.", in the spec's layer
//     numbering from 0) and the optimizer slots "optim.<param>.<slot>"
//     (momentum; exp_avg and exp_avg_sq), all dtype F32;
//   - the header is compact JSON: "__metadata__" first with its keys sorted,
//     then the tensors sorted by name (byte order), each as
//     {"dtype":"F32","shape":[...],"data_offsets":[begin,end]}, with the data
//     laid out in the same order, without gaps; the header is padded with
//     spaces to a multiple of 8 bytes;
//   - metadata (all strings): format ("tangent.checkpoint/1"), spec (the
//     canonical spec JSON), spec_hash, step, seed, batch, data_epoch and
//     data_pos (the loader's cursor), data_hash (SHA-256 of the training
//     images then labels), dropout_counter (the dropout stream's counter),
//     optimizer (optim.Config.Encode) and optim_step.
//
// The checkpoint hash is the hex SHA-256 of this canonical encoding; for a
// file Tangent wrote it is simply `sha256sum FILE`. Nothing that may vary
// between equivalent runs (thread count, time, paths) is in the file.
package train
