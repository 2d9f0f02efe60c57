package store

import (
	"encoding/json"
	"fmt"
	"time"

	"helpdesk/internal/sla"
)

// The stored shape of a ticket's SLA clocks (tickets.sla_state). Times are
// UTC microseconds, durations nanoseconds; zero means unset.
type clockJSON struct {
	Target       int64 `json:"target"`
	WarnAfter    int64 `json:"warn_after"`
	Started      int64 `json:"started,omitempty"`
	Elapsed      int64 `json:"elapsed,omitempty"`
	RunningSince int64 `json:"running_since,omitempty"`
	Due          int64 `json:"due,omitempty"`
	WarnAt       int64 `json:"warn_at,omitempty"`
	Met          int64 `json:"met,omitempty"`
	Warned       bool  `json:"warned,omitempty"`
	Breached     bool  `json:"breached,omitempty"`
}

type clocksJSON struct {
	Calendar      string    `json:"calendar"`
	Acknowledge   clockJSON `json:"acknowledge"`
	FirstResponse clockJSON `json:"first_response"`
	Resolution    clockJSON `json:"resolution"`
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

func encodeClock(c sla.Clock) clockJSON {
	return clockJSON{Target: int64(c.Target), WarnAfter: int64(c.WarnAfter), Started: micros(c.Started), Elapsed: int64(c.Elapsed),
		RunningSince: micros(c.RunningSince), Due: micros(c.Due), WarnAt: micros(c.WarnAt), Met: micros(c.Met),
		Warned: c.Warned, Breached: c.Breached}
}

func decodeClock(k sla.Kind, j clockJSON) sla.Clock {
	return sla.Clock{Kind: k, Target: time.Duration(j.Target), WarnAfter: time.Duration(j.WarnAfter), Started: fromMicros(j.Started),
		Elapsed: time.Duration(j.Elapsed), RunningSince: fromMicros(j.RunningSince), Due: fromMicros(j.Due),
		WarnAt: fromMicros(j.WarnAt), Met: fromMicros(j.Met), Warned: j.Warned, Breached: j.Breached}
}

// encodeSLA returns the stored state and the earliest pending threshold
// (NULL when no clock runs), which the "breaching soon" queues index.
func encodeSLA(s sla.Clocks) (string, any) {
	if s.Calendar == "" {
		return "", nil
	}
	b, _ := json.Marshal(clocksJSON{Calendar: s.Calendar, Acknowledge: encodeClock(s.Acknowledge),
		FirstResponse: encodeClock(s.FirstResponse), Resolution: encodeClock(s.Resolution)})
	var next time.Time
	for _, c := range s.All() {
		if c.State() != sla.Running || c.Breached || c.Due.IsZero() {
			continue
		}
		if next.IsZero() || c.Due.Before(next) {
			next = c.Due
		}
	}
	return string(b), us(next)
}

func decodeSLA(s string) (sla.Clocks, error) {
	if s == "" {
		return sla.Clocks{}, nil
	}
	var j clocksJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return sla.Clocks{}, fmt.Errorf("sla state: %w", err)
	}
	return sla.Clocks{Calendar: j.Calendar, Acknowledge: decodeClock(sla.Acknowledge, j.Acknowledge),
		FirstResponse: decodeClock(sla.FirstResponse, j.FirstResponse), Resolution: decodeClock(sla.Resolution, j.Resolution)}, nil
}
