package ticket

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"helpdesk/internal/apperr"
)

// FieldType is the kind of value a custom field holds.
type FieldType string

// The custom field types.
const (
	FieldText   FieldType = "text"
	FieldNumber FieldType = "number"
	FieldSelect FieldType = "select"
	FieldBool   FieldType = "bool"
)

// FieldDef defines one custom field of a category (e.g. 软件版本 for 软件故障).
type FieldDef struct {
	Key      string
	LabelZH  string
	LabelEN  string
	Type     FieldType
	Required bool
	// Options are the allowed values of a select field.
	Options []string
	// MaxLen caps a text field, in characters; zero means DefaultFieldLen.
	MaxLen int
}

// Category is what a ticket is about; it decides the default group and the
// custom fields the form asks for.
type Category struct {
	ID       int64
	Key      string
	NameZH   string
	NameEN   string
	GroupID  int64
	GroupKey string
	Fields   []FieldDef
	// Guide tells customers what to include (version, OS, steps tried).
	GuideZH string
	GuideEN string
	Active  bool
	Sort    int
}

// Limits on custom fields.
const (
	DefaultFieldLen = 200
	MaxFieldLen     = 2000
	MaxFields       = 30
	MaxOptions      = 100
)

var fieldKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// validate checks the category definition itself.
func (c Category) validate() error {
	var m apperr.Multi
	if !fieldKeyRE.MatchString(c.Key) {
		m.Add(apperr.FieldError("field.key_invalid", "key", nil))
	}
	for _, f := range []struct{ name, v string }{{"name_zh", c.NameZH}, {"name_en", c.NameEN}} {
		if e := checkText(f.name, f.v, 100, true); e != nil {
			m.Add(e)
		}
	}
	for _, f := range []struct{ name, v string }{{"guide_zh", c.GuideZH}, {"guide_en", c.GuideEN}} {
		if e := checkText(f.name, f.v, 2000, false); e != nil {
			m.Add(e)
		}
	}
	if len(c.Fields) > MaxFields {
		m.Add(apperr.FieldError("category.too_many_fields", "fields", map[string]any{"max": MaxFields}))
	}
	seen := map[string]bool{}
	for i, f := range c.Fields {
		name := fmt.Sprintf("fields[%d]", i)
		switch {
		case !fieldKeyRE.MatchString(f.Key):
			m.Add(apperr.FieldError("field.key_invalid", name+".key", nil))
		case seen[f.Key]:
			m.Add(apperr.FieldError("category.field_duplicate", name+".key", map[string]any{"key": f.Key}))
		}
		seen[f.Key] = true
		if e := checkText(name+".label_zh", f.LabelZH, 100, true); e != nil {
			m.Add(e)
		}
		if e := checkText(name+".label_en", f.LabelEN, 100, true); e != nil {
			m.Add(e)
		}
		switch f.Type {
		case FieldText, FieldNumber, FieldBool:
		case FieldSelect:
			if len(f.Options) == 0 || len(f.Options) > MaxOptions {
				m.Add(apperr.FieldError("category.options_invalid", name+".options", map[string]any{"max": MaxOptions}))
			}
			for _, o := range f.Options {
				if e := checkText(name+".options", o, 100, true); e != nil {
					m.Add(e)
				}
			}
		default:
			m.Add(apperr.FieldError("category.field_type_invalid", name+".type", nil))
		}
		if f.MaxLen < 0 || f.MaxLen > MaxFieldLen {
			m.Add(apperr.FieldError("field.out_of_range", name+".max_len", map[string]any{"min": 0, "max": MaxFieldLen}))
		}
	}
	return m.Err()
}

// Field returns the definition of a custom field by key.
func (c Category) Field(key string) (FieldDef, bool) {
	i := slices.IndexFunc(c.Fields, func(f FieldDef) bool { return f.Key == key })
	if i < 0 {
		return FieldDef{}, false
	}
	return c.Fields[i], true
}

// CheckFields validates custom field values against the category and returns
// them normalized (numbers as float64, text trimmed). Unknown keys are refused
// so that a typo is not silently dropped.
func (c Category) CheckFields(values map[string]any) (map[string]any, error) {
	var m apperr.Multi
	out := make(map[string]any, len(values))
	failed := map[string]bool{} // an invalid value is not also reported as missing
	for k, v := range values {
		f, ok := c.Field(k)
		if !ok {
			m.Add(apperr.FieldError("custom_field.unknown", "custom_fields."+k, map[string]any{"key": k}))
			continue
		}
		nv, err := f.check(v)
		if err != nil {
			m.Add(err)
			failed[k] = true
			continue
		}
		if nv != nil {
			out[k] = nv
		}
	}
	for _, f := range c.Fields {
		if _, ok := out[f.Key]; f.Required && !ok && !failed[f.Key] {
			m.Add(apperr.FieldError("field.required", "custom_fields."+f.Key, nil))
		}
	}
	if err := m.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// check validates one value; nil (or an empty string) means "not given".
func (f FieldDef) check(v any) (any, *apperr.Error) {
	name := "custom_fields." + f.Key
	if v == nil {
		return nil, nil
	}
	switch f.Type {
	case FieldText:
		s, ok := v.(string)
		if !ok {
			return nil, apperr.FieldError("custom_field.type", name, map[string]any{"type": string(f.Type)})
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, nil
		}
		max := f.MaxLen
		if max == 0 {
			max = DefaultFieldLen
		}
		if e := checkText(name, s, max, false); e != nil {
			return nil, e
		}
		return s, nil
	case FieldSelect:
		s, ok := v.(string)
		if !ok {
			return nil, apperr.FieldError("custom_field.type", name, map[string]any{"type": string(f.Type)})
		}
		if s == "" {
			return nil, nil
		}
		if !slices.Contains(f.Options, s) {
			return nil, apperr.FieldError("custom_field.option", name, map[string]any{"options": strings.Join(f.Options, ", ")})
		}
		return s, nil
	case FieldNumber:
		n, ok := v.(float64)
		if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, apperr.FieldError("custom_field.type", name, map[string]any{"type": string(f.Type)})
		}
		return n, nil
	case FieldBool:
		b, ok := v.(bool)
		if !ok {
			return nil, apperr.FieldError("custom_field.type", name, map[string]any{"type": string(f.Type)})
		}
		return b, nil
	}
	return nil, apperr.FieldError("custom_field.type", name, map[string]any{"type": string(f.Type)})
}

// checkText validates a text input: valid UTF-8, no control characters other
// than line breaks and tabs, within max characters, present when required.
func checkText(field, s string, max int, required bool) *apperr.Error {
	if !utf8.ValidString(s) {
		return apperr.FieldError("field.invalid_utf8", field, nil)
	}
	if required && strings.TrimSpace(s) == "" {
		return apperr.FieldError("field.required", field, nil)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return apperr.FieldError("field.too_long", field, map[string]any{"max": max, "len": n})
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f {
			return apperr.FieldError("field.control_char", field, nil)
		}
	}
	return nil
}
