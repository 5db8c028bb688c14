package bench

import (
	"math"
	"slices"
	"time"
)

// Dist summarises a sample of latencies, in milliseconds.
type Dist struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	Min  float64 `json:"min_ms"`
	Max  float64 `json:"max_ms"`
	Mean float64 `json:"mean_ms"`
}

// Summarize computes nearest-rank percentiles (with fewer than 100 samples
// p99 is the maximum).
func Summarize(d []time.Duration) Dist {
	if len(d) == 0 {
		return Dist{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	var sum time.Duration
	for _, v := range s {
		sum += v
	}
	return Dist{
		N: len(s), P50: ms(Percentile(s, 50)), P90: ms(Percentile(s, 90)), P99: ms(Percentile(s, 99)),
		Min: ms(s[0]), Max: ms(s[len(s)-1]), Mean: ms(sum / time.Duration(len(s))),
	}
}

// Percentile is the nearest-rank percentile p of sorted.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// Median of float samples (the middle value, or the mean of the two middle ones).
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// ratio is a/b rounded, 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return round2(a / b)
}
