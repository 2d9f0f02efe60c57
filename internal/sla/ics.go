package sla

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"helpdesk/internal/apperr"
)

// MaxICSBytes bounds an imported iCalendar file; a year of public holidays
// takes a few kilobytes.
const MaxICSBytes = 2 << 20

// MaxICSLine bounds one unfolded content line of an iCalendar file; real
// feeds stay far below it.
const MaxICSLine = 8 << 10

// MaxICSParams bounds the parameters of one content line (DTSTART;VALUE=DATE
// has one).
const MaxICSParams = 32

// MaxEventDays bounds one all-day event; longer ones are not holidays.
const MaxEventDays = 31

// ImportResult says what an iCalendar import did.
type ImportResult struct {
	// Holidays and Workdays count the dates imported as each.
	Holidays int
	Workdays int
	// Skipped lists the events that were left out, and why.
	Skipped []Skipped
	// Days are the imported days, by date.
	Days []SpecialDay
}

// Skipped is an event an import left out.
type Skipped struct {
	UID     string
	Summary string
	// Reason is a catalog key: sla.skip_not_all_day, sla.skip_recurring …
	Reason string
}

// Reasons for skipping an event (catalog keys).
const (
	SkipNotAllDay = "sla.skip_not_all_day"
	SkipRecurring = "sla.skip_recurring"
	SkipCancelled = "sla.skip_cancelled"
	SkipBadDate   = "sla.skip_bad_date"
	SkipTooLong   = "sla.skip_too_long"
	SkipOutOfYear = "sla.skip_out_of_range"
)

// workdayRE recognises the summary of a make-up workday: 班 (补班, 上班,
// 调休上班 …) or "workday" / "working day" / "work day".
var workdayRE = regexp.MustCompile(`(?i)班|\bwork(ing)?[ -]?days?\b`)

// ParseICS reads the all-day events of an iCalendar file as special days.
// An event becomes a holiday, or a make-up workday when its summary says
// so (补班, 上班, "workday"); DTEND is exclusive, so a range covers each of
// its dates. Timed, recurring and cancelled events are skipped with a
// reason. When one file names a date both ways, the workday wins.
// Malformed input is an sla.ics_invalid error, oversized sla.ics_too_large.
func ParseICS(r io.Reader) (ImportResult, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxICSBytes+1))
	if err != nil {
		return ImportResult{}, apperr.Wrap(apperr.Invalid, "sla.ics_invalid", fmt.Errorf("sla: read ics: %w", err))
	}
	if len(b) > MaxICSBytes {
		return ImportResult{}, apperr.New(apperr.TooLarge, "sla.ics_too_large").With("max_kb", MaxICSBytes>>10)
	}
	cal, err := parseCalendar(b)
	if err != nil {
		return ImportResult{}, apperr.Wrap(apperr.Invalid, "sla.ics_invalid", fmt.Errorf("sla: parse ics: %w", err))
	}
	var res ImportResult
	kinds := map[Date]SpecialDay{}
	for _, ev := range cal.Events() {
		from, to, reason := eventDates(ev)
		summary := strings.TrimSpace(text(ev, ics.ComponentPropertySummary))
		if reason != "" {
			res.Skipped = append(res.Skipped, Skipped{UID: text(ev, ics.ComponentPropertyUniqueId), Summary: summary, Reason: reason})
			continue
		}
		work := workdayRE.MatchString(summary)
		for d := from; d.Compare(to) < 0; d = d.AddDays(1) {
			if prev, ok := kinds[d]; ok && prev.Workday && !work {
				continue
			}
			kinds[d] = SpecialDay{Date: d, Workday: work, Name: truncate(summary, MaxNameLen)}
		}
	}
	for _, d := range kinds {
		res.Days = append(res.Days, d)
		if d.Workday {
			res.Workdays++
		} else {
			res.Holidays++
		}
	}
	slices.SortFunc(res.Days, func(a, b SpecialDay) int { return a.Date.Compare(b.Date) })
	return res, nil
}

// parseCalendar parses b, turning a panic of the parser on hostile input
// into an error.
func parseCalendar(b []byte) (cal *ics.Calendar, err error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("not UTF-8")
	}
	// The parser accepts an empty or truncated file; a calendar must be
	// whole.
	t := bytes.TrimSpace(b)
	if !hasPrefixFold(t, "BEGIN:VCALENDAR") || !hasSuffixFold(t, "END:VCALENDAR") {
		return nil, fmt.Errorf("not an iCalendar file (BEGIN:VCALENDAR … END:VCALENDAR)")
	}
	if err := checkLines(t); err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			cal, err = nil, fmt.Errorf("parser: %v", p)
		}
	}()
	return ics.ParseCalendar(bytes.NewReader(b))
}

// checkLines rejects content lines the parser would take long over: an
// unfolded line longer than MaxICSLine, or with more than MaxICSParams
// parameters (its cost grows with their square).
func checkLines(b []byte) error {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	for _, fold := range []string{"\n ", "\n\t"} {
		b = bytes.ReplaceAll(b, []byte(fold), nil)
	}
	for i, line := range bytes.Split(b, []byte("\n")) {
		if len(line) > MaxICSLine {
			return fmt.Errorf("line %d: longer than %d bytes", i+1, MaxICSLine)
		}
		params, quoted := 0, false
	scan:
		for _, c := range line {
			switch {
			case c == '"':
				quoted = !quoted
			case quoted:
			case c == ';':
				params++
			case c == ':':
				break scan
			}
		}
		if params > MaxICSParams {
			return fmt.Errorf("line %d: more than %d parameters", i+1, MaxICSParams)
		}
	}
	return nil
}

func hasPrefixFold(b []byte, s string) bool {
	return len(b) >= len(s) && strings.EqualFold(string(b[:len(s)]), s)
}

func hasSuffixFold(b []byte, s string) bool {
	return len(b) >= len(s) && strings.EqualFold(string(b[len(b)-len(s):]), s)
}

// eventDates returns the dates [from, to) of an all-day event, or why the
// event is skipped.
func eventDates(ev *ics.VEvent) (from, to Date, reason string) {
	switch {
	case strings.EqualFold(text(ev, ics.ComponentPropertyStatus), "CANCELLED"):
		return from, to, SkipCancelled
	case ev.GetProperty(ics.ComponentPropertyRrule) != nil || ev.GetProperty(ics.ComponentPropertyRdate) != nil:
		return from, to, SkipRecurring
	}
	start := ev.GetProperty(ics.ComponentPropertyDtStart)
	if start == nil {
		return from, to, SkipBadDate
	}
	from, allDay, ok := icsDate(start)
	switch {
	case !ok:
		return from, to, SkipBadDate
	case !allDay:
		return from, to, SkipNotAllDay
	}
	to = from.AddDays(1)
	if end := ev.GetProperty(ics.ComponentPropertyDtEnd); end != nil {
		e, allDay, ok := icsDate(end)
		switch {
		case !ok:
			return from, to, SkipBadDate
		case !allDay:
			return from, to, SkipNotAllDay
		case e.Compare(from) < 0:
			return from, to, SkipBadDate
		case e.Compare(from) > 0: // DTEND equal to DTSTART is read as one day
			to = e
		}
	} else if dur := ev.GetProperty(ics.ComponentPropertyDuration); dur != nil {
		n, ok := icsDays(dur.Value)
		if !ok {
			return from, to, SkipNotAllDay
		}
		to = from.AddDays(max(n, 1))
	}
	switch {
	case from.Year < MinYear || to.AddDays(-1).Year > MaxYear:
		return from, to, SkipOutOfYear
	case to.number()-from.number() > MaxEventDays:
		return from, to, SkipTooLong
	}
	return from, to, ""
}

// icsDate reads a DATE or DATE-TIME property value; allDay is false for a
// date-time.
func icsDate(p *ics.IANAProperty) (d Date, allDay, ok bool) {
	v := strings.TrimSpace(p.Value)
	isDate := len(v) == 8
	if vt := p.ICalParameters["VALUE"]; len(vt) > 0 {
		isDate = strings.EqualFold(vt[0], "DATE")
	}
	if len(v) < 8 || !allDigits(v[:8]) {
		return d, false, false
	}
	if !isDate || len(v) != 8 {
		return d, false, true
	}
	y, _ := strconv.Atoi(v[:4])
	m, _ := strconv.Atoi(v[4:6])
	dd, _ := strconv.Atoi(v[6:8])
	d = Date{y, time.Month(m), dd}
	return d, true, d.Valid()
}

// icsDays reads a DURATION of whole days or weeks (P3D, P1W).
func icsDays(v string) (int, bool) {
	v = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(v)), "+")
	if len(v) < 3 || v[0] != 'P' {
		return 0, false
	}
	n, err := strconv.Atoi(v[1 : len(v)-1])
	if err != nil || n < 0 || n > MaxEventDays {
		return 0, false
	}
	switch v[len(v)-1] {
	case 'D':
		return n, true
	case 'W':
		return 7 * n, true
	}
	return 0, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func text(ev *ics.VEvent, p ics.ComponentProperty) string {
	if v := ev.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
