package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

func (w *Web) registerAdminCategories() {
	m := w.mux
	m.HandleFunc("GET /admin/categories", w.adminCategories)
	m.HandleFunc("GET /admin/categories/new", w.adminCategory)
	m.HandleFunc("GET /admin/categories/{key}", w.adminCategory)
	m.HandleFunc("POST /admin/categories", w.adminSaveCategory)
}

// blankFieldRows is how many empty custom field rows the form offers for
// new fields: two for a category without fields, one otherwise (save to
// get another).
const blankFieldRows = 2

// fieldTypes are the custom field types the ticket package supports.
var fieldTypes = []ticket.FieldType{ticket.FieldText, ticket.FieldNumber, ticket.FieldSelect, ticket.FieldBool}

// categoryData is the category edit page.
type categoryData struct {
	Cat    ticket.Category
	IsNew  bool
	Groups []identity.Group
	// Rows are the custom field rows: the category's fields and blank ones.
	Rows  []ticket.FieldDef
	Types []ticket.FieldType
}

// Options joins a select field's options, one per line, for the textarea.
func (categoryData) Options(f ticket.FieldDef) string { return strings.Join(f.Options, "\n") }

// Num is a row's number for people (from 1).
func (categoryData) Num(i int) int { return i + 1 }

// FieldErr names the error key of custom field row i's property.
func (categoryData) FieldErr(i int, prop string) string { return fmt.Sprintf("fields[%d].%s", i, prop) }

func (w *Web) adminCategories(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	ctx := ctxOf(r)
	cats, err := w.d.Tickets.Categories(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	groups, err := w.d.Identity.Groups(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	names := map[string]string{}
	p := w.newPage(rw, r, "admin.categories.title", "admin", nil)
	for _, g := range groups {
		names[g.Key] = p.Pick(g.NameZH, g.NameEN)
	}
	p.Data = map[string]any{"Categories": cats, "GroupNames": names}
	w.render(rw, r, http.StatusOK, "admin_categories.html", p)
}

func (w *Web) adminCategory(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	key := r.PathValue("key")
	c := ticket.Category{Active: true}
	if key != "" {
		cats, err := w.d.Tickets.Categories(ctxOf(r), by)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		found := false
		for _, x := range cats {
			if x.Key == key {
				c, found = x, true
			}
		}
		if !found {
			w.fail(rw, r, apperr.New(apperr.NotFound, "category.not_found").With("key", key))
			return
		}
	}
	w.renderCategory(rw, r, by, c, key == "", nil)
}

func (w *Web) renderCategory(rw http.ResponseWriter, r *http.Request, by identity.Actor, c ticket.Category, isNew bool, formErr error) {
	groups, err := w.d.Identity.Groups(ctxOf(r), by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rows := append([]ticket.FieldDef{}, c.Fields...)
	blanks := blankFieldRows
	if len(c.Fields) > 0 {
		blanks = 1
	}
	for range blanks {
		rows = append(rows, ticket.FieldDef{Type: ticket.FieldText})
	}
	d := &categoryData{Cat: c, IsNew: isNew, Groups: groups, Rows: rows, Types: fieldTypes}
	title := "admin.category.edit"
	if isNew {
		title = "admin.category.new"
	}
	p := w.newPage(rw, r, title, "admin", d)
	if !isNew {
		p.Title = p.T(title, "name", p.Pick(c.NameZH, c.NameEN))
	}
	if formErr != nil {
		labels := labelsOf(p, map[string]string{"key": "admin.category.key", "name_zh": "admin.name_zh", "name_en": "admin.name_en",
			"group": "admin.category.group", "guide_zh": "admin.category.guide_zh", "guide_en": "admin.category.guide_en",
			"fields": "admin.category.fields", "sort": "admin.category.sort"})
		for i := range rows {
			n := i + 1
			for prop, k := range map[string]string{"key": "admin.field.key", "label_zh": "admin.field.label_zh", "label_en": "admin.field.label_en",
				"type": "admin.field.type", "options": "admin.field.options", "max_len": "admin.field.max_len"} {
				labels[d.FieldErr(i, prop)] = p.T("admin.field.row", "n", n, "what", p.T(k))
			}
		}
		w.adminInvalid(rw, r, p, "admin_category.html", formErr, labels)
		return
	}
	w.render(rw, r, http.StatusOK, "admin_category.html", p)
}

// adminSaveCategory creates or updates a category with its custom fields.
func (w *Web) adminSaveCategory(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	c, decodeErr := categoryFromForm(r.PostForm)
	isNew := r.PostFormValue("new") != ""
	if decodeErr != nil {
		w.renderCategory(rw, r, by, c, isNew, decodeErr)
		return
	}
	saved, err := w.d.Tickets.SaveCategory(ctxOf(r), by, c)
	if err != nil {
		w.renderCategory(rw, r, by, c, isNew, err)
		return
	}
	done(rw, r, "/admin/categories/"+url.PathEscape(saved.Key))
}

// categoryFromForm reads the category form. Custom field rows are named
// f.<n>.<prop>; a row with neither key nor labels is left out, as is one
// marked for removal. Only what cannot be read as typed (a number that is
// not one) is refused here; the rules are the ticket service's.
func categoryFromForm(f url.Values) (ticket.Category, error) {
	c := ticket.Category{Key: strings.TrimSpace(f.Get("key")), NameZH: strings.TrimSpace(f.Get("name_zh")),
		NameEN: strings.TrimSpace(f.Get("name_en")), GroupKey: f.Get("group"), GuideZH: strings.TrimSpace(f.Get("guide_zh")),
		GuideEN: strings.TrimSpace(f.Get("guide_en")), Active: f.Get("active") != ""}
	var m apperr.Multi
	if s := strings.TrimSpace(f.Get("sort")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			m.Add(apperr.FieldError("admin.not_a_number", "sort", nil))
		}
		c.Sort = n
	}
	rows, _ := strconv.Atoi(f.Get("rows"))
	rows = min(max(rows, 0), ticket.MaxFields+blankFieldRows)
	for i := range rows {
		get := func(prop string) string { return strings.TrimSpace(f.Get(fmt.Sprintf("f.%d.%s", i, prop))) }
		if get("remove") != "" || (get("key") == "" && get("label_zh") == "" && get("label_en") == "") {
			continue
		}
		fd := ticket.FieldDef{Key: get("key"), LabelZH: get("label_zh"), LabelEN: get("label_en"),
			Type: ticket.FieldType(get("type")), Required: get("required") != ""}
		if fd.Type == ticket.FieldSelect {
			for _, o := range strings.FieldsFunc(get("options"), func(r rune) bool { return r == '\n' || r == '\r' }) {
				if o = strings.TrimSpace(o); o != "" {
					fd.Options = append(fd.Options, o)
				}
			}
		}
		if s := get("max_len"); s != "" && fd.Type == ticket.FieldText {
			n, err := strconv.Atoi(s)
			if err != nil {
				m.Add(apperr.FieldError("admin.not_a_number", fmt.Sprintf("fields[%d].max_len", len(c.Fields)), nil))
			}
			fd.MaxLen = n
		}
		c.Fields = append(c.Fields, fd)
	}
	return c, m.Err()
}
