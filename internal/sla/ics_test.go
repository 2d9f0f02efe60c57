package sla_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"helpdesk/internal/apperr"
	"helpdesk/internal/sla"
)

func TestParseICSFixture(t *testing.T) {
	f, err := os.Open("testdata/cn-holidays-2026.ics")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := sla.ParseICS(f)
	if err != nil {
		t.Fatal(err)
	}
	if res.Holidays != 33 || res.Workdays != 6 {
		t.Errorf("got %d holidays and %d workdays, want 33 and 6", res.Holidays, res.Workdays)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].Reason != sla.SkipNotAllDay || !strings.Contains(res.Skipped[0].Summary, "国务院") {
		t.Errorf("skipped = %+v, want the timed notice", res.Skipped)
	}
	var work []string
	for _, d := range res.Days {
		if d.Workday {
			work = append(work, d.Date.String())
		}
	}
	if want := "2026-01-04 2026-02-14 2026-02-28 2026-05-09 2026-09-20 2026-10-10"; strings.Join(work, " ") != want {
		t.Errorf("workdays = %v, want %s", work, want)
	}
	cal := office()
	cal.Days = res.Days
	cal = compile(t, cal)
	for _, tc := range []struct {
		date, name string
		workday    bool
		found      bool
	}{
		{"2026-01-01", "元旦", false, true},
		{"2026-01-03", "元旦", false, true},
		{"2026-01-04", "元旦补班", true, true},
		{"2026-02-14", "春节补班（上班）", true, true},
		{"2026-02-15", "春节", false, true},
		{"2026-02-23", "春节", false, true},
		{"2026-02-24", "", false, false}, // DTEND is exclusive
		{"2026-05-09", "劳动节调休上班", true, true},
		{"2026-10-07", "国庆节", false, true},
		{"2026-10-08", "", false, false},
	} {
		d, ok := cal.SpecialDay(date(tc.date))
		if ok != tc.found || d.Name != tc.name || d.Workday != tc.workday {
			t.Errorf("%s: got %+v (%v), want %q workday=%v", tc.date, d, ok, tc.name, tc.workday)
		}
	}
	// Saturday 14 February is worked with Monday's hours; the festival is not.
	if !cal.Working(at(shanghai, "2026-02-14 10:00")) || cal.Working(at(shanghai, "2026-02-16 10:00")) {
		t.Errorf("Working on 2026-02-14 / 2026-02-16 = %v / %v, want true / false",
			cal.Working(at(shanghai, "2026-02-14 10:00")), cal.Working(at(shanghai, "2026-02-16 10:00")))
	}
}

// ics wraps events in a calendar.
func ics(events ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n")
	for i, e := range events {
		b.WriteString("BEGIN:VEVENT\r\nUID:e" + string(rune('a'+i)) + "\r\nDTSTAMP:20260101T000000Z\r\n")
		b.WriteString(strings.ReplaceAll(strings.TrimSpace(e), "\n", "\r\n") + "\r\n")
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

func TestParseICSEvents(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in       string
		days     string // date:h|w …
		skipped  string // reasons
		holidays int
	}{
		{"no DTEND is one day", ics("DTSTART;VALUE=DATE:20261225\nSUMMARY:Christmas"), "2026-12-25:h", "", 1},
		{"a date without VALUE=DATE", ics("DTSTART:20261225\nDTEND:20261226\nSUMMARY:Christmas"), "2026-12-25:h", "", 1},
		{"DTEND equal to DTSTART", ics("DTSTART;VALUE=DATE:20261225\nDTEND;VALUE=DATE:20261225\nSUMMARY:X"), "2026-12-25:h", "", 1},
		{"DURATION in days", ics("DTSTART;VALUE=DATE:20261224\nDURATION:P2D\nSUMMARY:Xmas"), "2026-12-24:h 2026-12-25:h", "", 2},
		{"across year end", ics("DTSTART;VALUE=DATE:20261231\nDTEND;VALUE=DATE:20270102\nSUMMARY:New year"), "2026-12-31:h 2027-01-01:h", "", 2},
		{"English workday", ics("DTSTART;VALUE=DATE:20260207\nSUMMARY:Make-up Working Day"), "2026-02-07:w", "", 0},
		{"workday wins over an overlapping holiday", ics(
			"DTSTART;VALUE=DATE:20261001\nDTEND;VALUE=DATE:20261004\nSUMMARY:国庆节",
			"DTSTART;VALUE=DATE:20261002\nSUMMARY:上班",
			"DTSTART;VALUE=DATE:20261003\nDTEND;VALUE=DATE:20261004\nSUMMARY:国庆节"),
			"2026-10-01:h 2026-10-02:w 2026-10-03:h", "", 2},
		{"escaped and folded summary", ics("DTSTART;VALUE=DATE:20260101\nSUMMARY:New Year\\, 元\n 旦"), "2026-01-01:h", "", 1},
		{"skips", ics(
			"DTSTART;TZID=Asia/Shanghai:20260101T090000\nDTEND;TZID=Asia/Shanghai:20260101T100000\nSUMMARY:Meeting",
			"DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=YEARLY\nSUMMARY:元旦",
			"DTSTART;VALUE=DATE:20260102\nSTATUS:CANCELLED\nSUMMARY:X",
			"DTSTART;VALUE=DATE:20260301\nDTEND;VALUE=DATE:20260501\nSUMMARY:Spring",
			"DTSTART;VALUE=DATE:19000101\nSUMMARY:Old",
			"DTSTART;VALUE=DATE:20260230\nSUMMARY:No such day",
			"DTSTART;VALUE=DATE:20260305\nDTEND;VALUE=DATE:20260301\nSUMMARY:Backwards",
			"SUMMARY:No start",
			"DTSTART;VALUE=DATE:20260101\nDTEND:20260102T000000Z\nSUMMARY:Mixed"),
			"", "not_all_day recurring cancelled too_long out_of_range bad_date bad_date bad_date not_all_day", 0},
		{"no events", ics(), "", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := sla.ParseICS(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var days, skipped []string
			for _, d := range res.Days {
				k := "h"
				if d.Workday {
					k = "w"
				}
				days = append(days, d.Date.String()+":"+k)
			}
			for _, s := range res.Skipped {
				skipped = append(skipped, strings.TrimPrefix(s.Reason, "sla.skip_"))
			}
			if got := strings.Join(days, " "); got != tc.days {
				t.Errorf("days = %q, want %q", got, tc.days)
			}
			if got := strings.Join(skipped, " "); got != tc.skipped {
				t.Errorf("skipped = %q, want %q", got, tc.skipped)
			}
			if res.Holidays != tc.holidays {
				t.Errorf("holidays = %d, want %d", res.Holidays, tc.holidays)
			}
		})
	}
	res, _ := sla.ParseICS(strings.NewReader(ics("DTSTART;VALUE=DATE:20260101\nSUMMARY:New Year\\, 元\n 旦")))
	if len(res.Days) != 1 || res.Days[0].Name != "New Year, 元旦" {
		t.Errorf("name = %+v, want New Year, 元旦", res.Days)
	}
}

func TestParseICSMalformed(t *testing.T) {
	whole := ics("DTSTART;VALUE=DATE:20261225\nSUMMARY:Christmas")
	for _, tc := range []struct {
		name string
		in   string
		code string
	}{
		{"empty", "", "sla.ics_invalid"},
		{"not a calendar", "hello, world\n", "sla.ics_invalid"},
		{"HTML", "<html><body>404</body></html>", "sla.ics_invalid"},
		{"truncated calendar", strings.TrimSuffix(whole, "END:VCALENDAR\r\n"), "sla.ics_invalid"},
		{"truncated event", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nEND:VCALENDAR\r\n", "sla.ics_invalid"},
		{"unbalanced END", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", "sla.ics_invalid"},
		{"line without a colon", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "sla.ics_invalid"},
		{"bad parameter", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "sla.ics_invalid"},
		{"not UTF-8", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:\xff\xfe\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "sla.ics_invalid"},
		{"line too long", "BEGIN:VCALENDAR\r\nX-A:" + strings.Repeat("x\r\n ", sla.MaxICSLine+1) + "\r\nEND:VCALENDAR\r\n", "sla.ics_invalid"},
		{"too many parameters", "BEGIN:VCALENDAR\r\nX-A" + strings.Repeat(";A=\"b;c:d\"", sla.MaxICSParams+1) + ":x\r\nEND:VCALENDAR\r\n", "sla.ics_invalid"},
		{"too large", "BEGIN:VCALENDAR\r\n" + strings.Repeat("X-PAD:"+strings.Repeat("x", 70)+"\r\n", sla.MaxICSBytes/78+1) + "END:VCALENDAR\r\n", "sla.ics_too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sla.ParseICS(strings.NewReader(tc.in))
			if !apperr.Is(err, tc.code) {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.TooLarge {
				t.Errorf("kind = %v, want invalid or too_large", k)
			}
		})
	}
}

// FuzzParseICS checks that no input makes the import panic, and that what
// it accepts are valid, sorted, distinct days.
func FuzzParseICS(f *testing.F) {
	fixture, err := os.ReadFile("testdata/cn-holidays-2026.ics")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte(ics("DTSTART;VALUE=DATE:20261225\nDURATION:P1W\nSUMMARY:补班")))
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;X=\"a\\\r\nEND:VEVENT\r\nEND:VCALENDAR"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := sla.ParseICS(bytes.NewReader(b))
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("error %v is not an apperr", err)
			}
			return
		}
		for i, d := range res.Days {
			if !d.Date.Valid() || (i > 0 && d.Date.Compare(res.Days[i-1].Date) <= 0) {
				t.Fatalf("days not valid, sorted and distinct: %+v", res.Days)
			}
		}
	})
}
