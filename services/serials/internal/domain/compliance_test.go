package domain

import (
	"testing"
	"time"

	"github.com/ariesone/ariesone/platform/civil"
)

var setup = civil.Date{Year: 2026, Month: time.January, Day: 10}

// nights returns one reading of minutes for each of the nights at the
// given offsets from setup.
func nights(minutes int, offsets ...int) []NightUsage {
	out := make([]NightUsage, len(offsets))
	for i, o := range offsets {
		out[i] = NightUsage{Night: setup.AddDays(o), Minutes: minutes}
	}
	return out
}

func span(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func TestCompliance(t *testing.T) {
	ninety := setup.AddDays(89)
	tests := []struct {
		name      string
		readings  []NightUsage
		end       civil.Date
		compliant bool
		bestStart civil.Date
		best      int
		recorded  int
	}{
		{name: "21 good nights in the first 30", readings: nights(300, span(0, 20)...), end: ninety,
			compliant: true, bestStart: setup, best: 21, recorded: 21},
		{name: "20 good nights is not enough", readings: nights(300, span(0, 19)...), end: ninety,
			bestStart: setup, best: 20, recorded: 20},
		{name: "exactly four hours counts", readings: nights(240, span(0, 20)...), end: ninety,
			compliant: true, bestStart: setup, best: 21, recorded: 21},
		{name: "a minute short does not", readings: nights(239, span(0, 29)...), end: ninety,
			bestStart: setup, best: 0, recorded: 30},
		{name: "a later run of 30 nights", readings: append(nights(300, span(0, 9)...), nights(300, span(40, 60)...)...), end: ninety,
			compliant: true, bestStart: setup.AddDays(31), best: 21, recorded: 31},
		{name: "good nights spread over more than 30 days", readings: nights(300, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40), end: ninety,
			bestStart: setup, best: 15, recorded: 21},
		{name: "a window shorter than the run has none", readings: nights(480, span(0, 20)...), end: setup.AddDays(20),
			recorded: 21},
		{name: "nights outside the window are ignored", readings: append(nights(300, -5, -4, -3), nights(300, span(0, 19)...)...), end: ninety,
			bestStart: setup, best: 20, recorded: 20},
		{name: "a night reported twice counts at its larger reading", readings: append(nights(300, span(0, 20)...), nights(10, span(0, 20)...)...), end: ninety,
			compliant: true, bestStart: setup, best: 21, recorded: 21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compliance(tt.readings, setup, tt.end, MedicarePAP)
			if err != nil {
				t.Fatal(err)
			}
			if s.Compliant != tt.compliant || s.BestStart != tt.bestStart || s.BestCount != tt.best || s.NightsRecorded != tt.recorded {
				t.Errorf("Compliance = %+v; want compliant %v, best %d from %v, %d recorded", s, tt.compliant, tt.best, tt.bestStart, tt.recorded)
			}
		})
	}
}

func TestComplianceRefusesBadWindows(t *testing.T) {
	for _, w := range []struct{ start, end civil.Date }{
		{setup, setup.AddDays(-1)},
		{civil.Date{Year: 2026, Month: 2, Day: 30}, setup},
		{setup, civil.Date{}},
		{setup, setup.AddDays(400)},
	} {
		if _, err := Compliance(nil, w.start, w.end, MedicarePAP); err == nil {
			t.Errorf("window %v to %v accepted", w.start, w.end)
		}
	}
	if _, err := Compliance(nil, setup, setup, ComplianceRule{MinMinutes: 240, Nights: 30, Required: 31}); err == nil {
		t.Error("a rule asking for more nights than its run accepted")
	}
}

// FuzzCompliance compares Compliance with the rule read literally: for
// every run of 30 consecutive nights inside the window, count the nights
// whose largest reading is at least four hours.
func FuzzCompliance(f *testing.F) {
	f.Add([]byte{250, 250, 0, 250}, uint8(60), uint8(3))
	f.Add([]byte{}, uint8(29), uint8(1))
	f.Add([]byte{255, 1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(90), uint8(7))
	f.Fuzz(func(t *testing.T, pattern []byte, length, stride uint8) {
		end := setup.AddDays(int(length))
		var readings []NightUsage
		for i, b := range pattern {
			night := setup.AddDays(i*int(stride%5+1) - 3)
			readings = append(readings, NightUsage{Night: night, Minutes: int(b) * 2})
		}
		s, err := Compliance(readings, setup, end, MedicarePAP)
		if err != nil {
			t.Fatal(err)
		}
		best, hasRun := 0, false
		for first := 0; first+30 <= int(length)+1; first++ {
			count := 0
			for d := first; d < first+30; d++ {
				most := -1
				for _, r := range readings {
					if r.Night == setup.AddDays(d) {
						most = max(most, r.Minutes)
					}
				}
				if most >= 240 {
					count++
				}
			}
			hasRun = true
			best = max(best, count)
		}
		if s.BestCount != best || s.Compliant != (hasRun && best >= 21) {
			t.Fatalf("Compliance = best %d, compliant %v; the literal rule gives best %d, compliant %v", s.BestCount, s.Compliant, best, hasRun && best >= 21)
		}
	})
}
