package report

import (
	"math"
	"time"
)

// ErlangC is the probability that a request waits (all agents busy) with
// n agents and a traffic intensity of a Erlangs (arrivals per unit time ×
// average handling time). It is 1 when n ≤ a: the queue grows without end.
func ErlangC(n int, a float64) float64 {
	if a <= 0 {
		return 0
	}
	if float64(n) <= a {
		return 1
	}
	// Sum a^k/k! for k < n by recurrence, in the same scale as the last term.
	term, sum := 1.0, 0.0
	for k := 0; k < n; k++ {
		sum += term
		term *= a / float64(k+1)
	}
	top := term * float64(n) / (float64(n) - a) // a^n/n! × n/(n−a)
	return top / (sum + top)
}

// ServiceLevel is the share of requests answered within wait with n
// agents, a Erlangs and average handling time aht (Erlang C).
func ServiceLevel(n int, a float64, aht, wait time.Duration) float64 {
	if a <= 0 {
		return 1
	}
	if float64(n) <= a {
		return 0
	}
	return 1 - ErlangC(n, a)*math.Exp(-(float64(n)-a)*wait.Seconds()/aht.Seconds())
}

// MaxAgents bounds the search for a staffing level.
const MaxAgents = 1000

// AgentsNeeded is the smallest number of agents that answers at least
// share of requests within wait, for arrivals per hour and handling time
// aht; 0 when there are no arrivals.
func AgentsNeeded(perHour float64, aht, wait time.Duration, share float64) int {
	a := perHour * aht.Hours()
	if a <= 0 {
		return 0
	}
	for n := max(1, int(math.Floor(a))+1); n <= MaxAgents; n++ {
		if ServiceLevel(n, a, aht, wait) >= share {
			return n
		}
	}
	return MaxAgents
}
