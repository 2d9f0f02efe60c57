package demo

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

// The history's size: about historyTickets settled tickets filed over the
// historyDays days before seeding.
const (
	historyDays    = 90
	historyTickets = 400
	historySeed    = 20261207
)

// historyUsers join the cast when the demo has a history: a second hardware
// agent and customers of a fourth organization, so reports by agent and by
// organization have something to compare.
func historyUsers() (orgs []string, users []identity.NewUser) {
	const yuanhang = "远航物流"
	return []string{yuanhang}, []identity.NewUser{
		{Login: "zhouqiang", Name: "周强", Role: identity.RoleAgent, GroupKeys: []string{"hardware"}, Lang: "zh-CN"},
		{Login: "zhoumin", Name: "周敏", Role: identity.RoleCustomer, OrgName: yuanhang,
			Email: "zhoumin@yuanhang-logistics.example.com", Lang: "zh-CN"},
		{Login: "chenhao", Name: "陈浩", Role: identity.RoleCustomer, OrgName: yuanhang, Phone: "13700002222", Lang: "zh-CN"},
		{Login: "david", Name: "David Brown", Role: identity.RoleCustomer, OrgName: "Northwind Traders",
			Email: "david.brown@northwind.example.com", Lang: "en"},
	}
}

// cast is who files and who works the history's tickets.
var (
	historyCustomers = map[string][]string{
		"zh": {"zhangsan", "liming", "wangfang", "liuyang", "zhoumin", "chenhao", "zhangsan", "wangfang"},
		"en": {"john", "sarah", "david"},
	}
	// historyAgents per category and language; the first is the busiest.
	historyAgents = map[string]map[string][]string{
		"software":     {"zh": {"wangwei", "wangwei", "lina"}, "en": {"emily"}},
		"hardware":     {"zh": {"qianjun", "zhouqiang"}, "en": {"qianjun", "zhouqiang"}},
		"network":      {"zh": {"zhaolei"}, "en": {"emily", "zhaolei"}},
		"consultation": {"zh": {"lina", "chenjing"}, "en": {"chenjing", "lina"}},
		"complaint":    {"zh": {"chenjing"}, "en": {"chenjing"}},
	}
	// historySupervisor of each category's group.
	historySupervisor = map[string]string{"software": markerLogin, "network": markerLogin,
		"hardware": "super2", "consultation": "super2", "complaint": "super2"}
	categoryWeights = map[string]float64{"software": 35, "hardware": 25, "network": 20, "consultation": 12, "complaint": 8}
	// priorityWeights per category: P1, P2, P3, P4.
	priorityWeights = map[string][4]float64{
		"software":     {3, 28, 57, 12},
		"hardware":     {3, 22, 63, 12},
		"network":      {7, 40, 45, 8},
		"consultation": {0, 4, 28, 68},
		"complaint":    {0, 35, 60, 5},
	}
	// arrivals by local hour: office hours busy, nights quiet.
	arrivals = [24]float64{0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 1, 4, 9, 10, 9, 5, 7, 9, 9, 8, 6, 3, 2, 1.5, 1, 0.6, 0.3}
	// resolveMean is the typical time from first answer to a solution.
	resolveMean = map[ticket.Priority]time.Duration{ticket.P1: 2 * hour, ticket.P2: 6 * hour, ticket.P3: 20 * hour, ticket.P4: 30 * hour}
	// late is how long after filing a neglected ticket first hears back:
	// past its first-response target on any calendar.
	late = map[ticket.Priority]time.Duration{ticket.P1: 3 * hour, ticket.P2: 6 * hour, ticket.P3: 50 * hour, ticket.P4: 30 * hour}
	// resolveLate is past the resolution target.
	resolveLate = map[ticket.Priority]time.Duration{ticket.P1: 10 * hour, ticket.P2: 30 * hour, ticket.P3: 6 * day, ticket.P4: 4 * day}
)

// historian draws the history's tickets.
type historian struct {
	rnd      *rand.Rand
	now, end time.Time
	loc      *time.Location
	topics   map[string][]topic
}

// history returns the settled tickets of the demo's past, oldest first:
// filed over the historyDays days before now, every one resolved or
// closed by now, with answers, reopenings, escalations, breached SLAs and
// ratings as a desk sees them. The same now gives the same history.
func history(now time.Time, loc *time.Location) []script {
	h := &historian{rnd: rand.New(rand.NewPCG(historySeed, historySeed^0x5bd1e995)), now: now,
		end: now.Add(-2 * time.Minute), loc: loc, topics: map[string][]topic{}}
	for _, tp := range topics() {
		h.topics[tp.cat] = append(h.topics[tp.cat], tp)
	}
	today := startOfDay(now, loc)
	var out []script
	for range historyTickets {
		for try := 0; try < 20; try++ {
			if sc, ok := h.ticket(today); ok {
				out = append(out, sc)
				break
			}
		}
	}
	return out
}

// ticket draws one ticket; false when its story would not be over by now.
func (h *historian) ticket(today time.Time) (script, bool) {
	r := h.rnd
	// A day in the window, weekends quiet.
	var date time.Time
	for {
		date = today.AddDate(0, 0, -1-r.IntN(historyDays))
		if wd := date.Weekday(); (wd != time.Saturday && wd != time.Sunday) || r.Float64() < 0.2 {
			break
		}
	}
	filed := date.Add(time.Duration(pick(r, arrivals[:]))*hour + time.Duration(r.IntN(60))*minute)

	cat := pickKey(r, categoryWeights)
	pw := priorityWeights[cat]
	pri := ticket.Priorities[pick(r, pw[:])]
	lang := "zh"
	if r.Float64() < 0.3 {
		lang = "en"
	}
	// One in ten customers describes something another category's group
	// usually handles (a printer driver filed as hardware, a VPN question
	// as a how-to): the label stays, so the models are not perfect either.
	from := cat
	if r.Float64() < 0.1 {
		from = pickKey(r, categoryWeights)
	}
	tp := h.topics[from][r.IntN(len(h.topics[from]))]
	w := tp.zh
	if lang == "en" {
		w = tp.en
	}
	x := one(r, w.slots)
	u := ""
	if r.Float64() < 0.9 {
		u = one(r, urgency[pri][lang])
	} else {
		u = one(r, urgency[ticket.P3][lang])
	}
	fill := func(s string) string {
		return strings.TrimSpace(strings.NewReplacer("{x}", x, "{p}", one(r, places[lang]), "{u}", u).Replace(s))
	}
	sc := script{cat: cat, pri: pri, ch: web, by: one(r, historyCustomers[lang]),
		title: fill(one(r, w.titles)), body: fill(one(r, w.bodies)), fields: h.fields(cat)}
	if tag, ok := titleTags[pri]; ok && r.Float64() < tag.share {
		sc.title = tag.text[lang] + sc.title
	}
	agent := one(r, historyAgents[cat][lang])

	// The story, as absolute times; steps are made relative at the end.
	var story []timed
	t := filed
	add := func(d time.Duration, s step) {
		t = t.Add(max(d, minute))
		story = append(story, timed{t, s})
	}
	staff := func(d time.Duration, s step) {
		t = h.office(t.Add(max(d, minute)), pri)
		story = append(story, timed{t, s})
	}

	switch c := r.Float64(); {
	case c < 0.15 && cat != "complaint":
		sc.ch, sc.via = phone, agent
		add(time.Duration(1+r.IntN(3))*minute, claim(0, agent))
	case c < 0.45:
		sc.ch = email
	}
	if r.Float64() < 0.03 && sc.via == "" {
		// Withdrawn before anyone picked it up.
		add(exp(r, 40*minute), move(0, sc.by, closed, one(r, map[string][]string{
			"zh": {"重启后好了，这张撤回。", "同事已经报过同一个问题了，撤回。"},
			"en": {"It works after a restart, withdrawing this.", "A colleague already reported it."}}[lang])))
		sc.want = closed
		return h.finish(sc, filed, story, t)
	}
	slow := r.Float64() < 0.12
	if sc.via == "" {
		if cat == "complaint" {
			staff(exp(r, 40*minute), assign(0, historySupervisor[cat], agent, "投诉由专人跟进 / a named agent follows up complaints"))
		} else {
			staff(exp(r, 30*minute), claim(0, agent))
		}
	}
	if slow {
		// Neglected: the first answer comes after its target, the SLA job
		// records the breach first, and sometimes the customer escalates.
		t = later(t, filed.Add(late[pri]+exp(r, 2*hour)))
		if r.Float64() < 0.4 {
			add(0, escalate(0, sc.by, one(r, escalations[lang])))
		}
		add(0, tick(0))
	}
	asked := r.Float64() < 0.5
	if asked {
		staff(exp(r, 20*minute), reply(0, agent, one(r, agentQuestions[lang])))
		add(exp(r, 45*minute), reply(0, sc.by, one(r, customerReplies[lang])))
		if r.Float64() < 0.3 {
			staff(exp(r, 30*minute), note(0, agent, "已复现，正在处理 / reproduced, working on it"))
		}
	}
	solve := func(slowFix bool) {
		d := exp(r, resolveMean[pri])
		if !asked {
			// Answered at once: the fix is the first response.
			d, asked = exp(r, min(resolveMean[pri], 2*hour)), true
		}
		if slowFix {
			t = later(t, filed.Add(resolveLate[pri]+exp(r, 4*hour)))
			add(0, tick(0))
			d = minute
		}
		staff(d, reply(0, agent, fill(one(r, w.fixes))))
		add(time.Duration(1+r.IntN(5))*minute, move(0, agent, awaiting, ""))
		if r.Float64() < 0.75 {
			add(exp(r, 3*hour), move(0, sc.by, resolved, ""))
		} else {
			add(72*hour, autoConfirm())
		}
	}
	solve(slow && r.Float64() < 0.5 || r.Float64() < 0.03)
	reopened := r.Float64() < 0.07
	if reopened {
		add(exp(r, 20*hour), move(0, sc.by, followUp, one(r, reopenReasons[lang])))
		solve(false)
	}
	resolvedAt := t
	sc.want = resolved
	if r.Float64() < 0.65 {
		weights := []float64{50, 32, 12, 6}
		if slow || reopened {
			weights = []float64{15, 35, 30, 20}
		}
		score := ticket.Scores[pick(r, weights)]
		comment := ""
		if r.Float64() < 0.3 || score.Poor() && r.Float64() < 0.7 {
			comment = one(r, ratingComments[score][lang])
		}
		add(exp(r, 2*hour), rate(sc.by, score, comment))
		if score.Poor() {
			// Most supervisors call back within the day; some miss the
			// deadline, and the follow-up's timer reports it first.
			if r.Float64() < 0.85 {
				staff(exp(r, 4*hour), followupDone(historySupervisor[cat], one(r, followupNotes)))
			} else {
				add(ticket.FollowupDue+minute, followupOverdue())
				staff(exp(r, 6*hour), followupDone(historySupervisor[cat], one(r, followupNotes)))
			}
		}
	}
	if closeAt := resolvedAt.Add(7 * day); closeAt.Before(h.end) {
		if r.Float64() < 0.25 {
			add(exp(r, 20*hour), move(0, sc.by, closed, ""))
		} else {
			t = later(t, closeAt.Add(time.Duration(r.IntN(10))*minute))
			add(0, autoClose())
		}
		sc.want = closed
	}
	return h.finish(sc, filed, story, t)
}

// timed is a step at its absolute time.
type timed struct {
	t time.Time
	s step
}

// finish turns the story's times into the script's day, time and steps;
// false when it would not be over by now.
func (h *historian) finish(sc script, filed time.Time, story []timed, last time.Time) (script, bool) {
	if !last.Before(h.end) {
		return script{}, false
	}
	day0 := startOfDay(filed, h.loc)
	sc.day = int(math.Round(startOfDay(h.now, h.loc).Sub(day0).Hours() / 24))
	sc.at = filed.Sub(day0)
	prev := filed
	for _, a := range story {
		a.s.after = a.t.Sub(prev)
		prev = a.t
		sc.steps = append(sc.steps, a.s)
	}
	return sc, true
}

// office moves a staff action into working hours (08:30–18:30 on
// weekdays), except for P1s, which are worked around the clock.
func (h *historian) office(t time.Time, pri ticket.Priority) time.Time {
	if pri == ticket.P1 {
		return t
	}
	l := t.In(h.loc)
	start := startOfDay(l, h.loc)
	open, shut := start.Add(8*hour+30*minute), start.Add(18*hour+30*minute)
	switch {
	case l.Before(open):
		l = open.Add(time.Duration(h.rnd.IntN(40)) * minute)
	case !l.Before(shut):
		l = open.AddDate(0, 0, 1).Add(time.Duration(h.rnd.IntN(40)) * minute)
	}
	for wd := l.Weekday(); wd == time.Saturday || wd == time.Sunday; wd = l.Weekday() {
		l = l.AddDate(0, 0, 1)
	}
	return l
}

// fields fills a category's custom fields.
func (h *historian) fields(cat string) map[string]any {
	r := h.rnd
	switch cat {
	case "software":
		return sw(one(r, []string{"ERP 8.2.1", "Outlook 2021", "Microsoft 365 Apps 2409", "CRM 3.4.0", ""}),
			one(r, []string{"Windows", "Windows", "macOS", "Android"}), one(r, []string{"有线 Wired", "无线 Wi-Fi", "VPN", ""}))
	case "hardware":
		return hw(one(r, []string{"HP LaserJet Pro M404dn", "Brother HL-L5100DN", "ThinkPad T14 Gen 2", "MateBook 14 2023",
			"Dell P2419H", "Epson CB-X49"}), "")
	}
	return nil
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func one(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

func exp(r *rand.Rand, mean time.Duration) time.Duration {
	return time.Duration(r.ExpFloat64() * float64(mean)).Round(time.Minute)
}

// pick returns an index drawn by weight.
func pick(r *rand.Rand, weights []float64) int {
	var total float64
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x -= w; x < 0 {
			return i
		}
	}
	return len(weights) - 1
}

// pickKey draws a key by weight, in a fixed order so the draw is repeatable.
func pickKey(r *rand.Rand, weights map[string]float64) string {
	keys := []string{"software", "hardware", "network", "consultation", "complaint"}
	ws := make([]float64, len(keys))
	for i, k := range keys {
		ws[i] = weights[k]
	}
	return keys[pick(r, ws)]
}
