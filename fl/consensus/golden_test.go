package consensus

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestRoundsGolden replays the scenarios in testdata/rounds.txt: each
// "round" lists one validator per line ("name stake: score score …", scores
// as decimals of 1.0) and prints the verdict. Regenerate with
// go test ./fl/consensus -run TestRoundsGolden -rewrite.
func TestRoundsGolden(t *testing.T) {
	datadriven.RunTest(t, "testdata/rounds.txt", func(t *testing.T, d *datadriven.TestData) string {
		if d.Cmd != "round" {
			d.Fatalf(t, "unknown command %q", d.Cmd)
		}
		p := DefaultParams()
		for _, a := range d.CmdArgs {
			v, err := strconv.ParseFloat(a.Vals[0], 64)
			if err != nil {
				d.Fatalf(t, "%s: %v", a.Key, err)
			}
			switch a.Key {
			case "kappa":
				p.Kappa = ppm(v)
			case "accept":
				p.Accept = ppm(v)
			case "mintrust":
				p.MinTrust = ppm(v)
			default:
				d.Fatalf(t, "unknown argument %s", a.Key)
			}
		}
		var names []string
		var stakes []uint64
		var scores [][]uint32
		for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
			head, rest, ok := strings.Cut(line, ":")
			f := strings.Fields(head)
			if !ok || len(f) != 2 {
				d.Fatalf(t, "want \"name stake: scores…\", got %q", line)
			}
			stake, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				d.Fatalf(t, "%v", err)
			}
			var row []uint32
			for _, s := range strings.Fields(rest) {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					d.Fatalf(t, "%v", err)
				}
				row = append(row, ppm(v))
			}
			names, stakes, scores = append(names, f[0]), append(stakes, stake), append(scores, row)
		}
		r, err := ScoreRound(stakes, scores, p)
		if err != nil {
			return "error: " + err.Error() + "\n"
		}
		var b strings.Builder
		b.WriteString("update  consensus  accepted\n")
		for u, c := range r.Consensus {
			fmt.Fprintf(&b, "u%-6d %9s  %v\n", u, dec(c), r.Accepted[u])
		}
		rw, err := Rewards(1_000_000, stakes, r.Trust)
		if err != nil {
			return "error: " + err.Error() + "\n"
		}
		b.WriteString("validator  trust     yuma-trust  deviation  outlier  reward/1e6\n")
		for v, name := range names {
			fmt.Fprintf(&b, "%-10s %-9s %-11s %-10s %-8v %d\n", name, dec(r.Trust[v]), dec(r.YumaTrust[v]), dec(uint32(r.Deviation[v])), r.Outlier[v], rw[v])
		}
		return b.String()
	})
}

func dec(x uint32) string { return fmt.Sprintf("%d.%06d", x/PPM, x%PPM) }
