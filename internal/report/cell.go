package report

// Hist counts durations in buckets (see Bucket): one minute wide up to two
// hours, five minutes up to a day, an hour up to 30 days, a day beyond.
// Medians and p90s read from it are exact for whole-minute durations under
// two hours and otherwise within the width of one bucket.
type Hist map[int]int64

// Bucket returns the bucket of a duration in seconds.
func Bucket(secs int64) int {
	m := max(secs, 0) / 60
	switch {
	case m < 120:
		return int(m)
	case m < 24*60:
		return 120 + int((m-120)/5)
	case m < 30*24*60:
		return 120 + 264 + int((m-24*60)/60)
	default:
		return min(120+264+696+int((m-30*24*60)/1440), 120+264+696+335)
	}
}

// BucketStart is the smallest duration in seconds in bucket b.
func BucketStart(b int) int64 {
	switch {
	case b < 120:
		return int64(b) * 60
	case b < 384:
		return (120 + int64(b-120)*5) * 60
	case b < 1080:
		return (24*60 + int64(b-384)*60) * 60
	default:
		return (30*24*60 + int64(b-1080)*1440) * 60
	}
}

func (h *Hist) add(o Hist, sign int64) {
	if len(o) == 0 {
		return
	}
	if *h == nil {
		*h = Hist{}
	}
	for b, n := range o {
		v := (*h)[b] + sign*n
		if v == 0 {
			delete(*h, b)
		} else {
			(*h)[b] = v
		}
	}
}

// Quantile returns the duration in seconds at quantile q (0 < q ≤ 1) by
// the nearest-rank method (the smallest value with at least q of the values
// at or below it), as the start of its bucket; ok is false when empty.
func (h Hist) Quantile(q float64) (secs int64, ok bool) {
	var n int64
	maxB := 0
	for b, c := range h {
		n += c
		maxB = max(maxB, b)
	}
	if n <= 0 {
		return 0, false
	}
	rank := int64(q*float64(n) + 0.999999999)
	rank = min(max(rank, 1), n)
	var seen int64
	for b := 0; b <= maxB; b++ {
		seen += h[b]
		if seen >= rank {
			return BucketStart(b), true
		}
	}
	return BucketStart(maxB), true
}

// Durations sums measured durations (seconds): count, total, histogram.
type Durations struct {
	N, Sum int64
	Hist   Hist
}

// Observe adds one duration.
func (d *Durations) Observe(secs int64) {
	d.N++
	d.Sum += secs
	if d.Hist == nil {
		d.Hist = Hist{}
	}
	d.Hist[Bucket(secs)]++
}

func (d *Durations) add(o Durations, sign int64) {
	d.N += sign * o.N
	d.Sum += sign * o.Sum
	d.Hist.add(o.Hist, sign)
}

// Clock counts the outcome of one SLA target over tickets.
type Clock struct {
	// Met counts clocks met in time, Breached those that breached (or were
	// met late), Pending those still running or not started.
	Met, Breached, Pending int64
}

// Cell is what the tickets of one local day contribute to the figures.
// Volume counts are by the hour of the day the event happened; the cohort
// figures (Tickets … SLA) belong to the day the ticket was created;
// ratings to the day they were given; follow-ups to the day they fell due.
type Cell struct {
	Created, Resolved, Closed, Reopened [24]int64
	// Net is the change of the backlog (open tickets) by hour: +1 for a
	// ticket created or reopened, −1 for one resolved or closed while open.
	Net [24]int64

	Tickets                             int64 // tickets created that day
	ResolvedTickets                     int64 // … of which resolved or closed by now
	FirstContact                        int64 // … resolved with at most one reply, never reopened
	ReopenedTickets                     int64 // … reopened at least once
	EscalatedTickets                    int64 // … escalated at least once
	FirstResponseCal, FirstResponseWork Durations
	ResolutionCal, ResolutionWork       Durations
	Acknowledge, FirstResponse, Resolve Clock

	// Ratings counts ratings by score: 非常满意, 满意, 一般, 不满意.
	Ratings [4]int64
	// Resolutions counts resolutions that day (each may be rated once).
	Resolutions int64
	// FollowupsDue counts follow-up tasks due that day, FollowupsOnTime
	// those done by their due time, FollowupsLate done after it.
	FollowupsDue, FollowupsOnTime, FollowupsLate int64
}

// Add adds o to c (sign +1) or takes it away (sign −1).
func (c *Cell) Add(o *Cell, sign int64) {
	for h := range 24 {
		c.Created[h] += sign * o.Created[h]
		c.Resolved[h] += sign * o.Resolved[h]
		c.Closed[h] += sign * o.Closed[h]
		c.Reopened[h] += sign * o.Reopened[h]
		c.Net[h] += sign * o.Net[h]
	}
	c.Tickets += sign * o.Tickets
	c.ResolvedTickets += sign * o.ResolvedTickets
	c.FirstContact += sign * o.FirstContact
	c.ReopenedTickets += sign * o.ReopenedTickets
	c.EscalatedTickets += sign * o.EscalatedTickets
	c.FirstResponseCal.add(o.FirstResponseCal, sign)
	c.FirstResponseWork.add(o.FirstResponseWork, sign)
	c.ResolutionCal.add(o.ResolutionCal, sign)
	c.ResolutionWork.add(o.ResolutionWork, sign)
	for _, p := range [][2]*Clock{{&c.Acknowledge, &o.Acknowledge}, {&c.FirstResponse, &o.FirstResponse}, {&c.Resolve, &o.Resolve}} {
		p[0].Met += sign * p[1].Met
		p[0].Breached += sign * p[1].Breached
		p[0].Pending += sign * p[1].Pending
	}
	for i := range c.Ratings {
		c.Ratings[i] += sign * o.Ratings[i]
	}
	c.Resolutions += sign * o.Resolutions
	c.FollowupsDue += sign * o.FollowupsDue
	c.FollowupsOnTime += sign * o.FollowupsOnTime
	c.FollowupsLate += sign * o.FollowupsLate
}

// Empty reports whether the cell counts nothing (a rollup row to delete).
func (c *Cell) Empty() bool {
	for _, p := range c.Counters() {
		if *p != 0 {
			return false
		}
	}
	for _, h := range c.Hists() {
		if len(*h) != 0 {
			return false
		}
	}
	return true
}

// NetDay is the day's change of the backlog.
func (c *Cell) NetDay() int64 { return sum(c.Net) }

func sum(a [24]int64) int64 {
	var n int64
	for _, v := range a {
		n += v
	}
	return n
}

// Part is a ticket's contribution to one local day.
type Part struct {
	Day  int32
	Cell Cell
}

// Counters lists every counter of the cell in a fixed order, for storage
// codecs. New counters are only ever appended.
func (c *Cell) Counters() []*int64 {
	out := make([]*int64, 0, 160)
	for _, a := range []*[24]int64{&c.Created, &c.Resolved, &c.Closed, &c.Reopened, &c.Net} {
		for h := range a {
			out = append(out, &a[h])
		}
	}
	out = append(out, &c.Tickets, &c.ResolvedTickets, &c.FirstContact, &c.ReopenedTickets, &c.EscalatedTickets)
	for _, d := range []*Durations{&c.FirstResponseCal, &c.FirstResponseWork, &c.ResolutionCal, &c.ResolutionWork} {
		out = append(out, &d.N, &d.Sum)
	}
	for _, k := range []*Clock{&c.Acknowledge, &c.FirstResponse, &c.Resolve} {
		out = append(out, &k.Met, &k.Breached, &k.Pending)
	}
	for i := range c.Ratings {
		out = append(out, &c.Ratings[i])
	}
	return append(out, &c.Resolutions, &c.FollowupsDue, &c.FollowupsOnTime, &c.FollowupsLate)
}

// Hists lists the cell's histograms in a fixed order, for storage codecs.
func (c *Cell) Hists() []*Hist {
	return []*Hist{&c.FirstResponseCal.Hist, &c.FirstResponseWork.Hist, &c.ResolutionCal.Hist, &c.ResolutionWork.Hist}
}

// NumCounters is how many counters Counters lists.
const NumCounters = 150

// Counter returns counter i of Counters without building the list, for
// storage codecs decoding many cells; nil when i is out of range.
func (c *Cell) Counter(i int) *int64 {
	switch {
	case i < 0:
		return nil
	case i < 24:
		return &c.Created[i]
	case i < 48:
		return &c.Resolved[i-24]
	case i < 72:
		return &c.Closed[i-48]
	case i < 96:
		return &c.Reopened[i-72]
	case i < 120:
		return &c.Net[i-96]
	case i >= 142 && i < 146:
		return &c.Ratings[i-142]
	}
	switch i {
	case 120:
		return &c.Tickets
	case 121:
		return &c.ResolvedTickets
	case 122:
		return &c.FirstContact
	case 123:
		return &c.ReopenedTickets
	case 124:
		return &c.EscalatedTickets
	case 125:
		return &c.FirstResponseCal.N
	case 126:
		return &c.FirstResponseCal.Sum
	case 127:
		return &c.FirstResponseWork.N
	case 128:
		return &c.FirstResponseWork.Sum
	case 129:
		return &c.ResolutionCal.N
	case 130:
		return &c.ResolutionCal.Sum
	case 131:
		return &c.ResolutionWork.N
	case 132:
		return &c.ResolutionWork.Sum
	case 133:
		return &c.Acknowledge.Met
	case 134:
		return &c.Acknowledge.Breached
	case 135:
		return &c.Acknowledge.Pending
	case 136:
		return &c.FirstResponse.Met
	case 137:
		return &c.FirstResponse.Breached
	case 138:
		return &c.FirstResponse.Pending
	case 139:
		return &c.Resolve.Met
	case 140:
		return &c.Resolve.Breached
	case 141:
		return &c.Resolve.Pending
	case 146:
		return &c.Resolutions
	case 147:
		return &c.FollowupsDue
	case 148:
		return &c.FollowupsOnTime
	case 149:
		return &c.FollowupsLate
	}
	return nil
}

// Hist returns histogram k of Hists without building the list; nil when k
// is out of range.
func (c *Cell) Hist(k int) *Hist {
	switch k {
	case 0:
		return &c.FirstResponseCal.Hist
	case 1:
		return &c.FirstResponseWork.Hist
	case 2:
		return &c.ResolutionCal.Hist
	case 3:
		return &c.ResolutionWork.Hist
	}
	return nil
}
