package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/routing"
	"helpdesk/internal/ticket"
)

func (w *Web) registerAdminRules() {
	m := w.mux
	m.HandleFunc("GET /admin/rules", w.adminRules)
	m.HandleFunc("GET /admin/rules/new", w.adminRule)
	m.HandleFunc("GET /admin/rules/dryrun", w.adminDryRun)
	m.HandleFunc("GET /admin/rules/{id}", w.adminRule)
	m.HandleFunc("POST /admin/rules", w.adminSaveRule)
	m.HandleFunc("POST /admin/rules/{id}/delete", w.adminDeleteRule)
	m.HandleFunc("POST /admin/rules/{id}/move", w.adminMoveRule)
}

// ruleChoices are what the rule form and the dry-run form choose from.
type ruleChoices struct {
	Categories []ticket.Category
	Groups     []identity.Group
	Orgs       []identity.Org
	Priorities []ticket.Priority
	Channels   []ticket.Channel
}

func (w *Web) ruleChoices(r *http.Request, by identity.Actor) (ruleChoices, error) {
	ctx := ctxOf(r)
	var c ruleChoices
	var err error
	if c.Categories, err = w.d.Tickets.Categories(ctx, by); err != nil {
		return c, err
	}
	if c.Groups, err = w.d.Identity.Groups(ctx, by); err != nil {
		return c, err
	}
	if c.Orgs, err = w.d.Identity.Orgs(ctx, by); err != nil {
		return c, err
	}
	c.Priorities = []ticket.Priority{ticket.P1, ticket.P2, ticket.P3, ticket.P4}
	c.Channels = ticket.Channels
	return c, nil
}

// rulesData is the rule list.
type rulesData struct {
	Rules []routing.Rule
	ruleChoices
}

func (w *Web) adminRules(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	rules, err := w.d.Routing.Rules(ctxOf(r), by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	ch, err := w.ruleChoices(r, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "admin_rules.html", w.newPage(rw, r, "admin.rules.title", "admin", &rulesData{Rules: rules, ruleChoices: ch}))
}

// ruleData is the rule edit page.
type ruleData struct {
	Rule routing.Rule
	ruleChoices
	// FieldsText and KeywordsText are the conditions as the form shows them.
	FieldsText, KeywordsText string
}

// HasCategory, HasPriority, HasChannel and HasOrg check the condition boxes.
func (d *ruleData) HasCategory(k string) bool {
	return slices.Contains(d.Rule.Conditions.Categories, k)
}

// HasPriority reports whether the rule's conditions name the priority.
func (d *ruleData) HasPriority(p ticket.Priority) bool {
	return slices.Contains(d.Rule.Conditions.Priorities, p)
}

// HasChannel reports whether the rule's conditions name the channel.
func (d *ruleData) HasChannel(c ticket.Channel) bool {
	return slices.Contains(d.Rule.Conditions.Channels, c)
}

// HasOrg reports whether the rule's conditions name the organization.
func (d *ruleData) HasOrg(id int64) bool {
	return slices.ContainsFunc(d.Rule.Conditions.Orgs, func(o routing.OrgRef) bool { return o.ID == id })
}

func (w *Web) adminRule(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	rule := routing.Rule{Enabled: true}
	if s := r.PathValue("id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			w.fail(rw, r, apperr.New(apperr.NotFound, "routing.rule_not_found"))
			return
		}
		if rule, err = w.d.Routing.Rule(ctxOf(r), by, id); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	w.renderRule(rw, r, by, rule, nil)
}

func (w *Web) renderRule(rw http.ResponseWriter, r *http.Request, by identity.Actor, rule routing.Rule, formErr error) {
	ch, err := w.ruleChoices(r, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var lines []string
	for _, f := range rule.Conditions.Fields {
		lines = append(lines, f.Key+"="+strings.Join(f.Values, ","))
	}
	d := &ruleData{Rule: rule, ruleChoices: ch, FieldsText: strings.Join(lines, "\n"), KeywordsText: strings.Join(rule.Conditions.Keywords, ", ")}
	title := "admin.rule.new"
	if rule.ID != 0 {
		title = "admin.rule.edit"
	}
	p := w.newPage(rw, r, title, "admin", d)
	if formErr != nil {
		w.adminInvalid(rw, r, p, "admin_rule.html", formErr, labelsOf(p, map[string]string{"name": "admin.rule.name",
			"group": "admin.rule.group", "agent": "admin.rule.agent", "set_priority": "admin.rule.set_priority",
			"conditions.keywords": "admin.rule.keywords", "conditions.fields": "admin.rule.fields"}))
		return
	}
	w.render(rw, r, http.StatusOK, "admin_rule.html", p)
}

// splitList splits a comma list (also the Chinese 、 and ，, and lines).
func splitList(s string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == '\n' || r == '\r' }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// ruleFromForm reads the rule form.
func ruleFromForm(f url.Values) (routing.Rule, error) {
	id, _ := strconv.ParseInt(f.Get("id"), 10, 64)
	rule := routing.Rule{ID: id, Name: strings.TrimSpace(f.Get("name")), Enabled: f.Get("enabled") != "",
		GroupKey: f.Get("group"), Agent: strings.TrimSpace(f.Get("agent")), SetPriority: ticket.Priority(f.Get("set_priority"))}
	c := &rule.Conditions
	c.Categories = f["categories"]
	for _, p := range f["priorities"] {
		c.Priorities = append(c.Priorities, ticket.Priority(p))
	}
	for _, ch := range f["channels"] {
		c.Channels = append(c.Channels, ticket.Channel(ch))
	}
	for _, o := range f["orgs"] {
		n, err := strconv.ParseInt(o, 10, 64)
		if err != nil {
			return rule, apperr.FieldError("org.not_found", "orgs", map[string]any{"name": o})
		}
		c.Orgs = append(c.Orgs, routing.OrgRef{ID: n})
	}
	c.Keywords = splitList(f.Get("keywords"))
	for _, line := range strings.Split(f.Get("fields"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return rule, apperr.FieldError("admin.rule.fields_syntax", "conditions.fields", map[string]any{"line": line})
		}
		c.Fields = append(c.Fields, routing.FieldMatch{Key: strings.TrimSpace(k), Values: splitList(v)})
	}
	return rule, nil
}

func (w *Web) adminSaveRule(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	rule, err := ruleFromForm(r.PostForm)
	if err == nil {
		_, err = w.d.Routing.SaveRule(ctxOf(r), by, rule)
	}
	if err != nil {
		w.renderRule(rw, r, by, rule, err)
		return
	}
	done(rw, r, "/admin/rules")
}

func ruleID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, apperr.New(apperr.NotFound, "routing.rule_not_found")
	}
	return id, nil
}

func (w *Web) adminDeleteRule(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	id, err := ruleID(r)
	if err == nil {
		err = w.d.Routing.DeleteRule(ctxOf(r), by, id)
	}
	if err != nil {
		flashErr(rw, reqOf(r).Lang, err)
		redirect(rw, r, "/admin/rules")
		return
	}
	setFlash(rw, "ok", "admin.rule.deleted")
	redirect(rw, r, "/admin/rules")
}

// adminMoveRule moves a rule one place up or down: the new order of the
// rules as listed, handed to Reorder (which refuses a stale list).
func (w *Web) adminMoveRule(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	id, err := ruleID(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	ids := make([]int64, 0)
	for _, s := range strings.Split(r.PostFormValue("order"), ",") {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			ids = append(ids, n)
		}
	}
	if i := slices.Index(ids, id); i >= 0 {
		j := i - 1
		if r.PostFormValue("dir") == "down" {
			j = i + 1
		}
		if j >= 0 && j < len(ids) {
			ids[i], ids[j] = ids[j], ids[i]
		}
	}
	if _, err := w.d.Routing.Reorder(ctxOf(r), by, ids); err != nil {
		flashErr(rw, reqOf(r).Lang, err)
		redirect(rw, r, "/admin/rules")
		return
	}
	done(rw, r, "/admin/rules")
}

// dryRunData is the dry-run form and, once tried, what routing decided.
type dryRunData struct {
	ruleChoices
	Tried    bool
	Decision routing.Decision
	// RuleName is the matched rule's name, empty for the category's default group.
	RuleName  string
	GroupName string
}

// adminDryRun shows which rule a sample ticket matches and whom it would
// go to, without creating anything (a GET: it changes nothing).
func (w *Web) adminDryRun(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	ch, err := w.ruleChoices(r, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	q := r.URL.Query()
	d := &dryRunData{ruleChoices: ch}
	p := w.newPage(rw, r, "admin.dryrun.title", "admin", d)
	p.Form = q
	if q.Get("category") == "" && q.Get("try") == "" {
		w.render(rw, r, http.StatusOK, "admin_dryrun.html", p)
		return
	}
	sample := ticket.Ticket{CategoryKey: q.Get("category"), Title: q.Get("title"), Description: q.Get("description"),
		Priority: ticket.Priority(q.Get("priority")), Channel: ticket.Channel(q.Get("channel")), OrgName: q.Get("org")}
	for _, line := range strings.Split(q.Get("fields"), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			if sample.CustomFields == nil {
				sample.CustomFields = map[string]any{}
			}
			sample.CustomFields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	dec, err := w.d.Routing.DryRun(ctxOf(r), by, sample)
	if err != nil {
		if st := statusOf(kindOf(err)); st == http.StatusForbidden || st == http.StatusInternalServerError {
			w.fail(rw, r, err)
			return
		}
		p.Errors = errorsOf(p.Lang, err, labelsOf(p, map[string]string{"category": "admin.dryrun.category",
			"priority": "admin.dryrun.priority", "channel": "admin.dryrun.channel", "org": "admin.dryrun.org"}))
		w.render(rw, r, statusOf(kindOf(err)), "admin_dryrun.html", p)
		return
	}
	d.Tried, d.Decision, d.RuleName = true, dec, dec.Assignment.Rule
	for _, g := range ch.Groups {
		if g.ID == dec.Assignment.GroupID {
			d.GroupName = p.Pick(g.NameZH, g.NameEN)
		}
	}
	w.render(rw, r, http.StatusOK, "admin_dryrun.html", p)
}

// Num is a rule's place for people (from 1).
func (d *rulesData) Num(i int) int { return i + 1 }

// Last reports whether i is the last rule.
func (d *rulesData) Last(i int) bool { return i == len(d.Rules)-1 }

// GroupName is a group's name in lang.
func (d *rulesData) GroupName(lang i18n.Lang, key string) string {
	for _, g := range d.Groups {
		if g.Key == key {
			if lang == i18n.ZH {
				return g.NameZH
			}
			return g.NameEN
		}
	}
	return key
}

// Summary says in a line which tickets a rule applies to.
func (d *rulesData) Summary(lang i18n.Lang, r routing.Rule) string {
	c := r.Conditions
	var parts []string
	add := func(key string, vals []string) {
		if len(vals) > 0 {
			parts = append(parts, i18n.T(lang, key, nil)+": "+strings.Join(vals, ", "))
		}
	}
	var cats, prs, chs, orgs, fields []string
	for _, k := range c.Categories {
		name := k
		for _, x := range d.Categories {
			if x.Key == k {
				name = x.NameEN
				if lang == i18n.ZH {
					name = x.NameZH
				}
			}
		}
		cats = append(cats, name)
	}
	for _, p := range c.Priorities {
		prs = append(prs, string(p))
	}
	for _, ch := range c.Channels {
		chs = append(chs, i18n.T(lang, "web.channel."+string(ch), nil))
	}
	for _, o := range c.Orgs {
		orgs = append(orgs, o.Name)
	}
	for _, f := range c.Fields {
		fields = append(fields, f.Key+"="+strings.Join(f.Values, "/"))
	}
	add("admin.rule.categories", cats)
	add("admin.rule.priorities", prs)
	add("admin.rule.channels", chs)
	add("admin.rule.orgs", orgs)
	add("admin.rule.keywords", c.Keywords)
	add("admin.rule.fields", fields)
	if len(parts) == 0 {
		return i18n.T(lang, "admin.rule.any_ticket", nil)
	}
	return strings.Join(parts, "; ")
}
