package store

import (
	"fmt"
	"strconv"
	"strings"

	"helpdesk/internal/report"
	"helpdesk/internal/sla"
)

// Report cells are stored sparsely as text: the non-zero counters as
// "index=value" (report.Cell.Counters order), then each non-empty
// histogram as ";h:bucket=count,…". A ticket's parts are "day@cell"
// joined by "/". Compact (a ticket's fact is a few dozen bytes) and the
// same on both engines.

func encodeCell(b *strings.Builder, c *report.Cell) {
	first := true
	for i, p := range c.Counters() {
		if *p == 0 {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(strconv.Itoa(i))
		b.WriteByte('=')
		b.WriteString(strconv.FormatInt(*p, 10))
	}
	for k, h := range c.Hists() {
		if len(*h) == 0 {
			continue
		}
		b.WriteByte(';')
		b.WriteString(strconv.Itoa(k))
		b.WriteByte(':')
		n := 0
		for bucket, cnt := range *h {
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			b.WriteString(strconv.Itoa(bucket))
			b.WriteByte('=')
			b.WriteString(strconv.FormatInt(cnt, 10))
		}
	}
}

func cellText(c *report.Cell) string {
	var b strings.Builder
	encodeCell(&b, c)
	return b.String()
}

// decodeCell adds the encoded cell s to c.
func decodeCell(s string, c *report.Cell) error {
	counters, hists, _ := strings.Cut(s, ";")
	ps := c.Counters()
	if err := eachPair(counters, func(i int, v int64) error {
		if i < 0 || i >= len(ps) {
			return fmt.Errorf("counter %d out of range", i)
		}
		*ps[i] += v
		return nil
	}); err != nil {
		return err
	}
	if hists == "" {
		return nil
	}
	hs := c.Hists()
	for _, part := range strings.Split(hists, ";") {
		ks, body, ok := strings.Cut(part, ":")
		k, err := strconv.Atoi(ks)
		if !ok || err != nil || k < 0 || k >= len(hs) {
			return fmt.Errorf("bad histogram %q", part)
		}
		if *hs[k] == nil {
			*hs[k] = report.Hist{}
		}
		h := *hs[k]
		if err := eachPair(body, func(b int, v int64) error {
			if n := h[b] + v; n == 0 {
				delete(h, b)
			} else {
				h[b] = n
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

func eachPair(s string, fn func(int, int64) error) error {
	for len(s) > 0 {
		var item string
		item, s, _ = strings.Cut(s, ",")
		ks, vs, ok := strings.Cut(item, "=")
		k, err1 := strconv.Atoi(ks)
		v, err2 := strconv.ParseInt(vs, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("bad pair %q", item)
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

func encodeParts(parts []report.Part) string {
	var b strings.Builder
	for i := range parts {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(strconv.Itoa(int(parts[i].Day)))
		b.WriteByte('@')
		encodeCell(&b, &parts[i].Cell)
	}
	return b.String()
}

// eachPart decodes the stored parts, calling fn for each.
func eachPart(s string, fn func(day int32, c *report.Cell)) error {
	for len(s) > 0 {
		var item string
		item, s, _ = strings.Cut(s, "/")
		ds, cs, ok := strings.Cut(item, "@")
		d, err := strconv.Atoi(ds)
		if !ok || err != nil {
			return fmt.Errorf("store: report part %q", item)
		}
		var c report.Cell
		if err := decodeCell(cs, &c); err != nil {
			return fmt.Errorf("store: report part: %w", err)
		}
		fn(int32(d), &c)
	}
	return nil
}

func encodeBreaches(bs []report.Breach) string {
	var b strings.Builder
	for i, x := range bs {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, "%s,%d,%s", x.Kind, micros(x.At), x.Cause)
	}
	return b.String()
}

func decodeBreaches(s string) []report.Breach {
	var out []report.Breach
	for _, item := range strings.Split(s, ";") {
		f := strings.Split(item, ",")
		if len(f) != 3 {
			continue
		}
		at, _ := strconv.ParseInt(f[1], 10, 64)
		out = append(out, report.Breach{Kind: sla.Kind(f[0]), At: fromMicros(at), Cause: f[2]})
	}
	return out
}
