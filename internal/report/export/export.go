// Package export writes tables as CSV (UTF-8 with a byte-order mark, so
// Excel opens Chinese text correctly) and XLSX (excelize's stream writer,
// so a sheet of a hundred thousand rows never sits in memory whole).
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"helpdesk/internal/report"
)

// Format is an export file format.
type Format string

// The formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return f == CSV || f == XLSX }

// ContentType is the media type of the format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Sheet is a table to write: translated headers, column kinds, and the
// rows, produced one at a time by Rows.
type Sheet struct {
	Name    string
	Headers []string
	Kinds   []report.Kind
	// Rows calls emit for every row, in order, and stops at its first error.
	Rows func(emit func(row []any) error) error
	// Label translates Labels in cells; Loc is the zone times are shown in.
	Label func(report.Label) string
	Loc   *time.Location
	// NoBOM leaves the byte-order mark out (a CSV section after the first).
	NoBOM bool
}

// FromTable makes a sheet of a report table, translating with label.
func FromTable(t report.Table, label func(report.Label) string, loc *time.Location) Sheet {
	s := Sheet{Name: label(t.Title), Label: label, Loc: loc}
	for _, c := range t.Columns {
		s.Headers = append(s.Headers, label(c.Label))
		s.Kinds = append(s.Kinds, c.Kind)
	}
	s.Rows = func(emit func([]any) error) error {
		for _, r := range t.Rows {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	}
	return s
}

// text renders one cell for CSV.
func (s Sheet) text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case report.Label:
		return s.Label(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.In(s.Loc).Format("2006-01-02 15:04:05")
	}
	return fmt.Sprint(v)
}

// WriteCSV writes the sheet as CSV with a UTF-8 byte-order mark.
func WriteCSV(w io.Writer, s Sheet) error {
	if !s.NoBOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(s.Headers); err != nil {
		return err
	}
	rec := make([]string, len(s.Headers))
	err := s.Rows(func(row []any) error {
		for i := range rec {
			rec[i] = ""
			if i < len(row) {
				rec[i] = s.text(row[i])
				if _, ok := row[i].(string); ok {
					rec[i] = csvSafe(rec[i])
				}
			}
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a text cell (a ticket title, a typed login) from being read
// as a formula when the CSV is opened in a spreadsheet (CSV injection): a
// cell that starts with =, +, -, @, a tab or a carriage return gets a
// leading apostrophe. Numbers are not text cells and stay as they are; XLSX
// cells are typed, so the XLSX writer needs no such guard.
func csvSafe(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// WriteXLSX writes the sheet as an XLSX workbook through excelize's stream
// writer: rows go to a temporary file as they come, not into memory.
func WriteXLSX(w io.Writer, s Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	name := sheetName(s.Name)
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	head := make([]any, len(s.Headers))
	for i, h := range s.Headers {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{}); err != nil {
		return err
	}
	n := 1
	cells := make([]any, len(s.Headers))
	err = s.Rows(func(row []any) error {
		n++
		for i := range cells {
			var v any
			if i < len(row) {
				v = row[i]
			}
			switch x := v.(type) {
			case int64, float64, int:
				cells[i] = x
			default:
				cells[i] = s.text(v)
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, cells)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// Write writes the sheet in format f.
func Write(w io.Writer, f Format, s Sheet) error {
	if f == XLSX {
		return WriteXLSX(w, s)
	}
	return WriteCSV(w, s)
}

// sheetName makes a valid sheet name: at most 31 characters, none of : \ / ? * [ ].
func sheetName(s string) string {
	out := []rune{}
	for _, r := range s {
		switch r {
		case ':', '\\', '/', '?', '*', '[', ']':
			r = ' '
		}
		out = append(out, r)
		if len(out) == 31 {
			break
		}
	}
	if len(out) == 0 {
		return "Sheet1"
	}
	return string(out)
}
