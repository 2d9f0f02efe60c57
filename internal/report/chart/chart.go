// Package chart draws report charts as server-side SVG: lines, bars,
// stacked bars and a weekday × hour heat map. Every chart carries a
// <title> and a <desc> (aria-labelledby), readable labels in the language
// the caller translated them into, and a data table (Table) to show beside
// it for people who cannot see the chart. No scripts, no external fonts.
package chart

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Series is one named line or bar stack layer.
type Series struct {
	Name   string
	Values []float64
}

// Chart is what to draw. Labels and names are already translated.
type Chart struct {
	// ID prefixes the element ids (unique per page).
	ID, Title, Desc string
	// X labels the categories (dates, hours, agents).
	X      []string
	Series []Series
	// Unit follows values in the data table ("%", "min"); may be empty.
	Unit string
	// Width and Height in px (defaults 640 × 320).
	Width, Height int
}

// palette is readable on white and distinct for common colour blindness
// (Okabe–Ito).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"}

const (
	padL, padR, padT, padB = 56, 16, 40, 56
)

func esc(s string) string { return html.EscapeString(s) }

func (c *Chart) size() (int, int) {
	w, h := c.Width, c.Height
	if w <= 0 {
		w = 640
	}
	if h <= 0 {
		h = 320
	}
	return w, h
}

// niceMax rounds the axis top up to 1, 2 or 5 × 10^k.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// num formats a value or an axis tick: whole numbers bare, else with up
// to two decimals (a quarter tick of an axis topped at 1 reads 0.25, not 0.2).
func num(v float64) string {
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

func px(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// open writes the svg element with its title and description.
func (c *Chart) open(b *strings.Builder, w, h int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc" font-family="system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif" font-size="12">`,
		w, h, w, h, c.ID, c.ID)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, c.ID, esc(c.Title), c.ID, esc(c.Desc))
	fmt.Fprintf(b, `<text x="%d" y="20" font-size="14" font-weight="600" fill="#222">%s</text>`, padL, esc(c.Title))
}

// axes draws the value grid and the category labels (every n-th when crowded).
func (c *Chart) axes(b *strings.Builder, w, h int, top float64, slot float64) {
	ph := float64(h - padT - padB)
	b.WriteString(`<g class="grid" stroke="#ddd" fill="#555">`)
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		y := float64(h-padB) - ph*float64(i)/4
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%s" y2="%s"/><text x="%d" y="%s" text-anchor="end" stroke="none">%s</text>`,
			padL, w-padR, px(y), px(y), padL-6, px(y+4), num(v))
	}
	b.WriteString(`</g><g class="x" fill="#555">`)
	step := int(math.Ceil(float64(len(c.X)) / 12))
	// A long series shows every n-th label: wide ones (dates with hours)
	// need a larger n so that no two overlap.
	if len(c.X) > 12 && slot > 0 {
		widest := 0
		for _, l := range c.X {
			widest = max(widest, textWidth(l))
		}
		step = max(step, int(math.Ceil(float64(widest+8)/slot)))
	}
	for i, l := range c.X {
		if i%max(step, 1) != 0 {
			continue
		}
		x := float64(padL) + slot*(float64(i)+0.5)
		fmt.Fprintf(b, `<text x="%s" y="%d" text-anchor="middle">%s</text>`, px(x), h-padB+16, esc(l))
	}
	b.WriteString(`</g>`)
}

// legend names the series below the chart.
func (c *Chart) legend(b *strings.Builder, h int) {
	b.WriteString(`<g class="legend">`)
	x := padL
	for i, s := range c.Series {
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" fill="#222">%s</text>`,
			x, h-20, palette[i%len(palette)], x+14, h-11, esc(s.Name))
		x += 24 + textWidth(s.Name)
	}
	b.WriteString(`</g>`)
}

// textWidth estimates a label's width in px at 12 px: CJK characters are
// about a full em, Latin ones a little over half.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x2E80 {
			n += 12
		} else {
			n += 7
		}
	}
	return n
}

func (c *Chart) maxValue(stacked bool) float64 {
	var m float64
	for i := range c.X {
		var sum float64
		for _, s := range c.Series {
			if i < len(s.Values) {
				if stacked {
					sum += s.Values[i]
				} else {
					m = max(m, s.Values[i])
				}
			}
		}
		m = max(m, sum)
	}
	return m
}

// Line draws one line per series.
func Line(c Chart) string {
	w, h := c.size()
	var b strings.Builder
	c.open(&b, w, h)
	top := niceMax(c.maxValue(false))
	slot := float64(w-padL-padR) / float64(max(len(c.X), 1))
	c.axes(&b, w, h, top, slot)
	ph := float64(h - padT - padB)
	for i, s := range c.Series {
		pts := make([]string, 0, len(s.Values))
		for j, v := range s.Values {
			pts = append(pts, px(float64(padL)+slot*(float64(j)+0.5))+","+px(float64(h-padB)-ph*v/top))
		}
		fmt.Fprintf(&b, `<polyline class="series" fill="none" stroke="%s" stroke-width="2" points="%s"><title>%s</title></polyline>`,
			palette[i%len(palette)], strings.Join(pts, " "), esc(s.Name))
	}
	c.legend(&b, h)
	b.WriteString(`</svg>`)
	return b.String()
}

// Bars draws grouped bars, one per series in each category.
func Bars(c Chart) string { return bars(c, false) }

// StackedBars draws the series stacked in each category.
func StackedBars(c Chart) string { return bars(c, true) }

func bars(c Chart, stacked bool) string {
	w, h := c.size()
	var b strings.Builder
	c.open(&b, w, h)
	top := niceMax(c.maxValue(stacked))
	slot := float64(w-padL-padR) / float64(max(len(c.X), 1))
	c.axes(&b, w, h, top, slot)
	ph := float64(h - padT - padB)
	n := max(len(c.Series), 1)
	for j, label := range c.X {
		base := float64(h - padB)
		for i, s := range c.Series {
			if j >= len(s.Values) {
				continue
			}
			v := s.Values[j]
			bh := ph * v / top
			x, bw := float64(padL)+slot*float64(j)+slot*0.15, slot*0.7
			y := base - bh
			if stacked {
				base = y
			} else {
				bw = slot * 0.7 / float64(n)
				x += bw * float64(i)
				y = float64(h-padB) - bh
			}
			fmt.Fprintf(&b, `<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s · %s: %s%s</title></rect>`,
				px(x), px(y), px(bw), px(bh), palette[i%len(palette)], esc(label), esc(s.Name), num(v), esc(c.Unit))
		}
	}
	c.legend(&b, h)
	b.WriteString(`</svg>`)
	return b.String()
}

// HeatMap draws rows × columns of counts (weekdays × hours of arrivals):
// darker is more. rows and cols label the axes.
func HeatMap(id, title, desc string, rows, cols []string, v [][]float64) string {
	const cell, left, topPad = 22, 64, 40
	w, h := left+cell*len(cols)+16, topPad+cell*len(rows)+40
	var b strings.Builder
	c := Chart{ID: id, Title: title, Desc: desc}
	c.open(&b, w, h)
	var m float64
	for _, r := range v {
		for _, x := range r {
			m = max(m, x)
		}
	}
	for i, r := range rows {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#555">%s</text>`, left-6, topPad+cell*i+15, esc(r))
		for j := range cols {
			var x float64
			if i < len(v) && j < len(v[i]) {
				x = v[i][j]
			}
			shade := 0.0
			if m > 0 {
				shade = x / m
			}
			// From light to dark blue; the value is also in the tooltip and the table.
			fmt.Fprintf(&b, `<rect class="cell" x="%d" y="%d" width="%d" height="%d" fill="rgb(%d,%d,%d)"><title>%s %s: %s</title></rect>`,
				left+cell*j, topPad+cell*i, cell-2, cell-2, 240-int(240*shade), 245-int(130*shade), 255-int(77*shade), esc(r), esc(cols[j]), num(x))
		}
	}
	for j, cl := range cols {
		if j%3 == 0 {
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#555">%s</text>`, left+cell*j+cell/2-1, topPad+cell*len(rows)+14, esc(cl))
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// Table is a chart's data as a table: a caption, column headers and rows.
type Table struct {
	Caption string
	Headers []string
	Rows    [][]string
}

// Table returns the chart's data table: one row per category, one column
// per series; xHeader names the category column.
func (c Chart) Table(xHeader string) Table {
	t := Table{Caption: c.Title, Headers: []string{xHeader}}
	for _, s := range c.Series {
		t.Headers = append(t.Headers, s.Name)
	}
	for j, x := range c.X {
		row := []string{x}
		for _, s := range c.Series {
			v := ""
			if j < len(s.Values) {
				v = num(s.Values[j]) + c.Unit
			}
			row = append(row, v)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// HeatTable returns a heat map's data as a table.
func HeatTable(caption, corner string, rows, cols []string, v [][]float64) Table {
	t := Table{Caption: caption, Headers: append([]string{corner}, cols...)}
	for i, r := range rows {
		row := []string{r}
		for j := range cols {
			x := 0.0
			if i < len(v) && j < len(v[i]) {
				x = v[i][j]
			}
			row = append(row, num(x))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
