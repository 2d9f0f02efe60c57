package chart

import (
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden SVG files")

var weekdaysZH = []string{"周一", "周二", "周三", "周四", "周五", "周六", "周日"}

func hours() []string {
	var out []string
	for h := range 24 {
		out = append(out, strings.TrimLeft(string(rune('0'+h/10))+string(rune('0'+h%10)), "")+":00")
	}
	return out
}

// svgDoc is the structure the golden tests check beyond the bytes.
type svgDoc struct {
	XMLName xml.Name `xml:"svg"`
	Role    string   `xml:"role,attr"`
	Labels  string   `xml:"aria-labelledby,attr"`
	Title   struct {
		ID   string `xml:"id,attr"`
		Text string `xml:",chardata"`
	} `xml:"title"`
	Desc struct {
		ID   string `xml:"id,attr"`
		Text string `xml:",chardata"`
	} `xml:"desc"`
	Rects []struct {
		Class string `xml:"class,attr"`
		Title string `xml:"title"`
	} `xml:"rect"`
	Lines []struct {
		Points string `xml:"points,attr"`
	} `xml:"polyline"`
	Texts []string `xml:"text"`
}

func TestGolden(t *testing.T) {
	week := Chart{ID: "vol", Title: "工单量（按天）", Desc: "10 月 5 日至 11 日每天新建与解决的工单数。",
		X:      []string{"10-05", "10-06", "10-07", "10-08", "10-09", "10-10", "10-11"},
		Series: []Series{{Name: "新建", Values: []float64{12, 18, 9, 0, 22, 15, 7}}, {Name: "已解决", Values: []float64{10, 14, 11, 3, 19, 16, 9}}}}
	en := week
	en.ID, en.Title, en.Desc = "vol-en", "Tickets per day", "Tickets created and resolved each day, 5–11 October."
	en.Series = []Series{{Name: "Created <new>", Values: week.Series[0].Values}, {Name: "Resolved", Values: week.Series[1].Values}}
	heat := make([][]float64, 7)
	for d := range heat {
		heat[d] = make([]float64, 24)
		for h := 9; h < 18; h++ {
			heat[d][h] = float64((d + 1) * (h - 8))
		}
	}
	cases := []struct {
		name      string
		svg       string
		rects     int
		lines     int
		wantTitle string
	}{
		{"line_zh", Line(week), 0, 2, "工单量（按天）"},
		{"line_en", Line(en), 0, 2, "Tickets per day"},
		{"bars_zh", Bars(week), 14, 0, "工单量（按天）"},
		{"stacked_en", StackedBars(en), 14, 0, "Tickets per day"},
		{"heatmap_zh", HeatMap("heat", "到达热力图（星期 × 小时）", "每个格子是该星期几、该小时新建的工单数。", weekdaysZH, hours(), heat), 7 * 24, 0, "到达热力图（星期 × 小时）"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var doc svgDoc
			if err := xml.Unmarshal([]byte(c.svg), &doc); err != nil {
				t.Fatalf("not well-formed XML: %v", err)
			}
			if doc.Role != "img" || doc.Title.Text != c.wantTitle || doc.Desc.Text == "" ||
				doc.Labels != doc.Title.ID+" "+doc.Desc.ID {
				t.Errorf("accessibility: role %q, labelledby %q, title %q (id %s), desc %q", doc.Role, doc.Labels, doc.Title.Text, doc.Title.ID, doc.Desc.Text)
			}
			if len(doc.Rects) != c.rects || len(doc.Lines) != c.lines {
				t.Errorf("rects = %d, polylines = %d; want %d, %d", len(doc.Rects), len(doc.Lines), c.rects, c.lines)
			}
			golden := filepath.Join("testdata", c.name+".svg")
			if *update {
				os.WriteFile(golden, []byte(c.svg), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("golden file: %v (run with -update)", err)
			}
			if string(want) != c.svg {
				t.Errorf("SVG differs from %s (run go test -update and review the diff)", golden)
			}
		})
	}
	t.Run("escapes labels", func(t *testing.T) {
		if s := Line(en); !strings.Contains(s, "Created &lt;new&gt;") || strings.Contains(s, "<new>") {
			t.Error("series name not escaped")
		}
	})
	t.Run("data tables", func(t *testing.T) {
		tb := week.Table("日期")
		if len(tb.Rows) != 7 || tb.Headers[1] != "新建" || tb.Rows[4][1] != "22" || tb.Rows[4][2] != "19" || tb.Caption != week.Title {
			t.Errorf("table = %+v", tb)
		}
		ht := HeatTable("到达", "", weekdaysZH, hours(), heat)
		if len(ht.Rows) != 7 || len(ht.Headers) != 25 || ht.Rows[6][18] != "63" {
			t.Errorf("heat table row Sunday = %v", ht.Rows[6])
		}
	})
}

func TestNiceMax(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.3: 0.5, 7: 10, 22: 50, 100: 100, 101: 200} {
		if got := niceMax(in); got != want {
			t.Errorf("niceMax(%v) = %v, want %v", in, got, want)
		}
	}
}
