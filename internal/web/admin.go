package web

import (
	"net/http"
	"strconv"

	"helpdesk/internal/identity"
)

// registerAdmin registers the admin console's pages (users, groups,
// organizations, categories and custom fields, rules with dry-run, SLA
// policies and calendars, attachment limits, site settings). Its pages use
// templates named admin_*.html. Every page and form is for admins only
// (w.admin); each form calls one domain service method.
func (w *Web) registerAdmin() {
	m := w.mux
	m.HandleFunc("GET /admin", w.adminHome)
	w.registerAdminUsers()
	w.registerAdminCategories()
	w.registerAdminRules()
	w.registerAdminSLA()
	w.registerAdminSettings()
}

// adminSection is one card of the console's home page.
type adminSection struct {
	Href, Title, Hint string
	// Count is what the section holds ("" when not counted).
	Count string
}

// adminHome shows a card per section, with how many things each holds.
func (w *Web) adminHome(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	ctx := ctxOf(r)
	users, err := w.d.Identity.Users(ctx, by, identity.UserFilter{Limit: maxListed})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	groups, err := w.d.Identity.Groups(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	orgs, err := w.d.Identity.Orgs(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	cats, err := w.d.Tickets.Categories(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rules, err := w.d.Routing.Rules(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	cals, err := w.d.SLA.Calendars(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(rw, r, "admin.home.title", "admin", nil)
	sections := []adminSection{
		{"/admin/users", p.T("admin.users.title"), p.T("admin.home.users_hint"), countText(len(users), maxListed)},
		{"/admin/groups", p.T("admin.groups.title"), p.T("admin.home.groups_hint"), countText(len(groups), 0)},
		{"/admin/orgs", p.T("admin.orgs.title"), p.T("admin.home.orgs_hint"), countText(len(orgs), 0)},
		{"/admin/categories", p.T("admin.categories.title"), p.T("admin.home.categories_hint"), countText(len(cats), 0)},
		{"/admin/rules", p.T("admin.rules.title"), p.T("admin.home.rules_hint"), countText(len(rules), 0)},
		{"/admin/sla", p.T("admin.sla.title"), p.T("admin.home.sla_hint"), countText(len(cals), 0)},
		{"/admin/settings", p.T("admin.settings.title"), p.T("admin.home.settings_hint"), ""},
	}
	if w.d.KB != nil {
		sections = append(sections,
			adminSection{"/admin/macros", p.T("web.macro.admin_title"), p.T("web.macro.home_hint"), ""},
			adminSection{"/admin/assist", p.T("web.assist.admin_title"), p.T("web.assist.home_hint"), ""})
	}
	if w.d.Alerts != nil {
		sections = append(sections, adminSection{"/admin/alerts", p.T("web.alert.title"), p.T("web.alert.home_hint"), ""})
	}
	if w.d.Audit != nil {
		sections = append(sections, adminSection{"/admin/audit", p.T("web.audit.title"), p.T("web.audit.home_hint"), ""})
	}
	p.Data = sections
	w.render(rw, r, http.StatusOK, "admin_home.html", p)
}

// maxListed is how many users a listing shows (the service's own cap).
const maxListed = 500

func countText(n, limit int) string {
	if limit > 0 && n >= limit {
		return strconv.Itoa(limit) + "+"
	}
	return strconv.Itoa(n)
}

// labelsOf translates a field → catalog key map into field → label, for
// the {field} of error messages.
func labelsOf(p *page, keys map[string]string) map[string]string {
	out := make(map[string]string, len(keys))
	for f, k := range keys {
		out[f] = p.T(k)
	}
	return out
}

// adminInvalid re-renders a console form after the service refused it:
// the errors beside their fields (labels names the fields in messages) and
// at the top, with the status the error's kind calls for. Errors that are
// not about the input (forbidden, internal) get the error page instead.
func (w *Web) adminInvalid(rw http.ResponseWriter, r *http.Request, p *page, tpl string, err error, labels map[string]string) {
	if st := statusOf(kindOf(err)); st == http.StatusForbidden || st == http.StatusInternalServerError || st == http.StatusUnauthorized {
		w.fail(rw, r, err)
		return
	}
	p.Form = r.PostForm
	p.Errors = errorsOf(p.Lang, err, labels)
	w.render(rw, r, statusOf(kindOf(err)), tpl, p)
}

// done answers a successful console form: a flash and a redirect.
func done(rw http.ResponseWriter, r *http.Request, to string) {
	setFlash(rw, "ok", "admin.saved")
	redirect(rw, r, to)
}
