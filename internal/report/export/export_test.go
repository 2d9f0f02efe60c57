package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/report"
)

func TestCSVTextCellsAreNotFormulas(t *testing.T) {
	rows := [][]any{
		{"=HYPERLINK(\"http://evil.example\",\"x\")", int64(-3)},
		{"+1+1", -2.5},
		{"-1+1", int64(0)},
		{"@SUM(A1)", int64(1)},
		{"\tcmd", int64(1)},
		{"打印机脱机", int64(2)},
		{"a=b", int64(3)},
	}
	s := Sheet{Headers: []string{"title", "n"}, Label: func(l report.Label) string { return string(l) }, Loc: time.UTC, NoBOM: true,
		Rows: func(emit func([]any) error) error {
			for _, r := range rows {
				if err := emit(r); err != nil {
					return err
				}
			}
			return nil
		}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, s); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"title", "n"}, {"'=HYPERLINK(\"http://evil.example\",\"x\")", "-3"}, {"'+1+1", "-2.5"}, {"'-1+1", "0"},
		{"'@SUM(A1)", "1"}, {"'\tcmd", "1"}, {"打印机脱机", "2"}, {"a=b", "3"}}
	for i := range want {
		for j := range want[i] {
			if i >= len(got) || j >= len(got[i]) || got[i][j] != want[i][j] {
				t.Errorf("row %d col %d: got %q, want %q", i, j, got, want[i][j])
			}
		}
	}
}
