package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tangent/ml/data"
)

// runCLI runs tangent with args and returns stdout, stderr and the error.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := NewRootCmd()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errb.String(), err
}

func TestTrainJSONAndResume(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.safetensors")
	common := []string{"train", "--model", "cnn-small", "--batch", "32", "--lr", "0.05", "--seed", "3", "--threads", "2", "--quiet", "--no-eval"}
	tracePath := filepath.Join(dir, "trace.json")
	stdout, _, err := runCLI(t, append(common, "--steps", "12", "--json", "--out", full, "--trace", tracePath)...)
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		Step int64
		Root string
		Ops  []struct{ Kind string }
	}
	if b, err := os.ReadFile(tracePath); err != nil || json.Unmarshal(b, &tr) != nil || tr.Step != 11 || len(tr.Ops) < 20 || len(tr.Root) != 64 {
		t.Fatalf("trace file: %v %+v", err, tr)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("stdout is not one JSON object: %q", stdout)
	}
	for _, k := range []string{"steps", "final_loss", "test_accuracy", "samples_per_sec", "checkpoint_hash"} {
		if _, ok := res[k]; !ok {
			t.Errorf("JSON lacks %s: %s", k, stdout)
		}
	}
	b, _ := os.ReadFile(full)
	sum := sha256.Sum256(b)
	if res["checkpoint_hash"] != hex.EncodeToString(sum[:]) || res["steps"].(float64) != 12 {
		t.Fatalf("checkpoint_hash %v is not the file's sha256 %x", res["checkpoint_hash"], sum)
	}
	// 7 steps, then 5 more from the checkpoint: the same file.
	half := filepath.Join(dir, "half.safetensors")
	if _, _, err := runCLI(t, append(common, "--steps", "7", "--out", half)...); err != nil {
		t.Fatal(err)
	}
	resumed := filepath.Join(dir, "resumed.safetensors")
	stdout, _, err = runCLI(t, "train", "--resume", half, "--steps", "5", "--threads", "1", "--quiet", "--no-eval", "--json", "--out", resumed)
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(stdout), &res)
	if res["checkpoint_hash"] != hex.EncodeToString(sum[:]) {
		t.Fatalf("resumed run hash %v, continuous %x", res["checkpoint_hash"], sum)
	}
}

func TestTrainErrors(t *testing.T) {
	dir := t.TempDir()
	// A dataset directory with a truncated file.
	bad := filepath.Join(dir, "bad")
	os.Mkdir(bad, 0o755)
	for _, n := range []string{data.Files.TrainImages, data.Files.TrainLabels, data.Files.TestImages, data.Files.TestLabels} {
		b, err := os.ReadFile(filepath.Join(data.DefaultDir, n+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		if n == data.Files.TestImages {
			b = b[:len(b)/2]
		}
		os.WriteFile(filepath.Join(bad, n+".gz"), b, 0o644)
	}
	spec := filepath.Join(dir, "spec.json")
	os.WriteFile(spec, []byte(`{"input":[1,28,28],"classes":10,"layers":[{"type":"conv2d","out":16,"kernel":5},{"type":"maxpool2d","kernel":2},{"type":"flatten"},{"type":"dense","out":10,"in":400}]}`), 0o644)
	ck := filepath.Join(dir, "mlp.safetensors")
	if _, _, err := runCLI(t, "train", "--model", "mlp", "--steps", "1", "--quiet", "--no-eval", "--out", ck); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--data", filepath.Join(dir, "none")}, []string{"does not exist"}},
		{[]string{"--data", dir}, []string{"train-images-idx3-ubyte(.gz) not found in " + dir}},
		{[]string{"--data", bad}, []string{filepath.Join(bad, data.Files.TestImages+".gz"), "reinstall"}},
		{[]string{"--model", spec}, []string{spec, "layer 4 (dense): expects 400 inputs, previous layer gives 2304"}},
		{[]string{"--model", "resnet"}, []string{"neither a built-in model"}},
		{[]string{"--model", "cnn-small", "--resume", ck}, []string{"written for model mlp", "--model mlp"}},
		{[]string{"--model", "mlp", "--lr", "1e30"}, []string{"loss is", "lower the learning rate"}},
		{[]string{"--resume", spec}, []string{spec, "not a safetensors file"}},
		{[]string{"--optimizer", "rmsprop"}, []string{"use sgd, adam or adamw"}},
	}
	for _, c := range cases {
		args := append([]string{"train", "--steps", "30", "--quiet", "--no-eval"}, c.args...)
		_, _, err := runCLI(t, args...)
		if err == nil {
			t.Errorf("%v: no error", c.args)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", c.args, err, w)
			}
		}
	}
}
