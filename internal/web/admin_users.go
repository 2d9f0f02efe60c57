package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/routing"
)

func (w *Web) registerAdminUsers() {
	m := w.mux
	m.HandleFunc("GET /admin/users", w.adminUsers)
	m.HandleFunc("POST /admin/users", w.adminCreateUser)
	m.HandleFunc("GET /admin/users/{login}", w.adminUser)
	m.HandleFunc("POST /admin/users/{login}", w.adminUpdateUser)
	m.HandleFunc("POST /admin/users/{login}/password", w.adminResetPassword)
	m.HandleFunc("GET /admin/groups", w.adminGroups)
	m.HandleFunc("POST /admin/groups", w.adminSaveGroup)
	m.HandleFunc("GET /admin/groups/{key}", w.adminGroup)
	m.HandleFunc("POST /admin/groups/{key}/strategy", w.adminGroupStrategy)
	m.HandleFunc("GET /admin/orgs", w.adminOrgs)
	m.HandleFunc("POST /admin/orgs", w.adminCreateOrg)
	m.HandleFunc("GET /admin/orgs/{id}", w.adminOrg)
	m.HandleFunc("POST /admin/orgs/{id}", w.adminRenameOrg)
}

// userLabels name the user form's fields in error messages.
var userLabels = map[string]string{"login": "admin.user.login", "password": "admin.user.password", "name": "admin.user.name",
	"role": "admin.user.role", "groups": "admin.user.groups", "org": "admin.user.org", "lang": "admin.user.lang",
	"email": "admin.user.email", "phone": "admin.user.phone"}

// usersData is the users page: the filter, the matching users and what
// the filter and the create form choose from.
type usersData struct {
	Users  []identity.User
	Groups []identity.Group
	Orgs   []identity.Org
	Roles  []identity.Role
	Filter url.Values
	// Capped says the list stopped at maxListed.
	Capped bool
}

// GroupNames names a user's groups in lang ("—" for none).
func (d *usersData) GroupNames(lang i18n.Lang, keys []string) string {
	var names []string
	for _, k := range keys {
		name := k
		for _, g := range d.Groups {
			if g.Key == k {
				name = g.NameEN
				if lang == i18n.ZH {
					name = g.NameZH
				}
			}
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		return "—"
	}
	return strings.Join(names, "、")
}

func (w *Web) usersPage(rw http.ResponseWriter, r *http.Request, by identity.Actor) (*page, error) {
	ctx := ctxOf(r)
	q := r.URL.Query()
	f := identity.UserFilter{Query: strings.TrimSpace(q.Get("q")), Role: identity.Role(q.Get("role")), Limit: maxListed}
	groups, err := w.d.Identity.Groups(ctx, by)
	if err != nil {
		return nil, err
	}
	orgs, err := w.d.Identity.Orgs(ctx, by)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if g.Key == q.Get("group") {
			f.GroupID = g.ID
		}
	}
	if id, err := strconv.ParseInt(q.Get("org"), 10, 64); err == nil {
		f.OrgID = id
	}
	users, err := w.d.Identity.Users(ctx, by, f)
	if err != nil {
		return nil, err
	}
	d := &usersData{Users: users, Groups: groups, Orgs: orgs, Roles: identity.Roles, Filter: q, Capped: len(users) >= maxListed}
	return w.newPage(rw, r, "admin.users.title", "admin", d), nil
}

func (w *Web) adminUsers(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	p, err := w.usersPage(rw, r, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "admin_users.html", p)
}

func (w *Web) adminCreateUser(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	f := r.PostForm
	u, err := w.d.Identity.CreateUser(ctxOf(r), by, identity.NewUser{Login: f.Get("login"), Password: f.Get("password"),
		Name: strings.TrimSpace(f.Get("name")), Email: strings.TrimSpace(f.Get("email")), Phone: strings.TrimSpace(f.Get("phone")),
		Role: identity.Role(f.Get("role")), GroupKeys: f["groups"], OrgName: f.Get("org"), OrgVisible: f.Get("org_visible") != "",
		Lang: f.Get("lang")})
	if err != nil {
		p, perr := w.usersPage(rw, r, by)
		if perr != nil {
			w.fail(rw, r, perr)
			return
		}
		w.adminInvalid(rw, r, p, "admin_users.html", err, labelsOf(p, userLabels))
		return
	}
	setFlashParams(rw, "ok", "admin.user.created", map[string]any{"login": u.Login})
	redirect(rw, r, "/admin/users/"+url.PathEscape(u.Login))
}

// userData is the user edit page.
type userData struct {
	User   identity.User
	Groups []identity.Group
	Orgs   []identity.Org
	Roles  []identity.Role
}

// InGroup reports whether the user belongs to the group (for checkboxes).
func (d *userData) InGroup(key string) bool {
	for _, k := range d.User.GroupKeys {
		if k == key {
			return true
		}
	}
	return false
}

func (w *Web) userPage(rw http.ResponseWriter, r *http.Request, by identity.Actor) (*page, error) {
	ctx := ctxOf(r)
	u, err := w.d.Identity.UserByLogin(ctx, by, r.PathValue("login"))
	if err != nil {
		return nil, err
	}
	groups, err := w.d.Identity.Groups(ctx, by)
	if err != nil {
		return nil, err
	}
	orgs, err := w.d.Identity.Orgs(ctx, by)
	if err != nil {
		return nil, err
	}
	p := w.newPage(rw, r, "admin.user.title", "admin", &userData{User: u, Groups: groups, Orgs: orgs, Roles: identity.Roles})
	p.Title = p.T("admin.user.title", "login", u.Login)
	return p, nil
}

func (w *Web) adminUser(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	p, err := w.userPage(rw, r, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "admin_user.html", p)
}

func (w *Web) adminUpdateUser(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	f := r.PostForm
	str := func(k string) *string { v := strings.TrimSpace(f.Get(k)); return &v }
	role := identity.Role(f.Get("role"))
	groups := f["groups"]
	if groups == nil {
		groups = []string{}
	}
	active, orgVisible := f.Get("active") != "", f.Get("org_visible") != ""
	login := r.PathValue("login")
	_, err := w.d.Identity.UpdateUser(ctxOf(r), by, login, identity.UserPatch{Name: str("name"), Email: str("email"),
		Phone: str("phone"), Role: &role, GroupKeys: &groups, OrgName: str("org"), OrgVisible: &orgVisible,
		Lang: str("lang"), Active: &active})
	w.afterUserChange(rw, r, by, login, err)
}

func (w *Web) adminResetPassword(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	pw := r.PostFormValue("password")
	login := r.PathValue("login")
	_, err := w.d.Identity.UpdateUser(ctxOf(r), by, login, identity.UserPatch{Password: &pw})
	w.afterUserChange(rw, r, by, login, err)
}

func (w *Web) afterUserChange(rw http.ResponseWriter, r *http.Request, by identity.Actor, login string, err error) {
	if err == nil {
		done(rw, r, "/admin/users/"+url.PathEscape(login))
		return
	}
	p, perr := w.userPage(rw, r, by)
	if perr != nil {
		w.fail(rw, r, perr)
		return
	}
	w.adminInvalid(rw, r, p, "admin_user.html", err, labelsOf(p, userLabels))
}

// groupRow is a group with its routing strategy and member count.
type groupRow struct {
	identity.Group
	Strategy routing.Strategy
	Members  int
}

var groupLabels = map[string]string{"key": "admin.group.key", "name_zh": "admin.name_zh", "name_en": "admin.name_en",
	"email": "admin.group.email", "strategy": "admin.group.strategy"}

func (w *Web) groupRows(r *http.Request, by identity.Actor) ([]groupRow, error) {
	ctx := ctxOf(r)
	groups, err := w.d.Identity.Groups(ctx, by)
	if err != nil {
		return nil, err
	}
	rows := make([]groupRow, 0, len(groups))
	for _, g := range groups {
		st, err := w.d.Routing.GroupSetting(ctx, by, g.Key)
		if err != nil {
			return nil, err
		}
		members, err := w.d.Identity.Users(ctx, by, identity.UserFilter{GroupID: g.ID, Limit: maxListed})
		if err != nil {
			return nil, err
		}
		rows = append(rows, groupRow{Group: g, Strategy: st.Strategy, Members: len(members)})
	}
	return rows, nil
}

// groupsData is the groups page.
type groupsData struct {
	Groups     []groupRow
	Strategies []routing.Strategy
}

func (w *Web) adminGroups(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	w.renderGroups(rw, r, by, nil)
}

func (w *Web) renderGroups(rw http.ResponseWriter, r *http.Request, by identity.Actor, formErr error) {
	rows, err := w.groupRows(r, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(rw, r, "admin.groups.title", "admin", &groupsData{Groups: rows, Strategies: routing.Strategies})
	if formErr != nil {
		w.adminInvalid(rw, r, p, "admin_groups.html", formErr, labelsOf(p, groupLabels))
		return
	}
	w.render(rw, r, http.StatusOK, "admin_groups.html", p)
}

func (w *Web) adminSaveGroup(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	f := r.PostForm
	g, err := w.d.Identity.SaveGroup(ctxOf(r), by, identity.Group{Key: strings.TrimSpace(f.Get("key")),
		NameZH: strings.TrimSpace(f.Get("name_zh")), NameEN: strings.TrimSpace(f.Get("name_en")), Email: strings.TrimSpace(f.Get("email"))})
	if err != nil {
		if f.Get("from") == "group" {
			w.renderGroup(rw, r, by, f.Get("key"), err)
			return
		}
		w.renderGroups(rw, r, by, err)
		return
	}
	done(rw, r, "/admin/groups/"+url.PathEscape(g.Key))
}

// groupData is one group's page: its details, strategy and members.
type groupData struct {
	Group      identity.Group
	Setting    routing.GroupSetting
	Agents     []routing.Agent
	Members    []identity.User
	Strategies []routing.Strategy
}

func (w *Web) adminGroup(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	w.renderGroup(rw, r, by, r.PathValue("key"), nil)
}

func (w *Web) renderGroup(rw http.ResponseWriter, r *http.Request, by identity.Actor, key string, formErr error) {
	ctx := ctxOf(r)
	g, err := w.d.Identity.GroupByKey(ctx, key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	st, err := w.d.Routing.GroupSetting(ctx, by, key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	agents, err := w.d.Routing.GroupAgents(ctx, by, key)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	members, err := w.d.Identity.Users(ctx, by, identity.UserFilter{GroupID: g.ID, Limit: maxListed})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(rw, r, "admin.group.title", "admin", &groupData{Group: g, Setting: st, Agents: agents, Members: members, Strategies: routing.Strategies})
	p.Title = p.T("admin.group.title", "name", p.Pick(g.NameZH, g.NameEN))
	if formErr != nil {
		w.adminInvalid(rw, r, p, "admin_group.html", formErr, labelsOf(p, groupLabels))
		return
	}
	w.render(rw, r, http.StatusOK, "admin_group.html", p)
}

func (w *Web) adminGroupStrategy(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	key := r.PathValue("key")
	if _, err := w.d.Routing.SetGroupStrategy(ctxOf(r), by, key, routing.Strategy(r.PostFormValue("strategy"))); err != nil {
		w.renderGroup(rw, r, by, key, err)
		return
	}
	done(rw, r, "/admin/groups/"+url.PathEscape(key))
}

// orgRow is an organization with its member count.
type orgRow struct {
	identity.Org
	Members int
}

var orgLabels = map[string]string{"name": "admin.org.name"}

func (w *Web) adminOrgs(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	w.renderOrgs(rw, r, by, nil)
}

func (w *Web) renderOrgs(rw http.ResponseWriter, r *http.Request, by identity.Actor, formErr error) {
	ctx := ctxOf(r)
	orgs, err := w.d.Identity.Orgs(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	rows := make([]orgRow, 0, len(orgs))
	for _, o := range orgs {
		members, err := w.d.Identity.Users(ctx, by, identity.UserFilter{OrgID: o.ID, Limit: maxListed})
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		rows = append(rows, orgRow{Org: o, Members: len(members)})
	}
	p := w.newPage(rw, r, "admin.orgs.title", "admin", rows)
	if formErr != nil {
		w.adminInvalid(rw, r, p, "admin_orgs.html", formErr, labelsOf(p, orgLabels))
		return
	}
	w.render(rw, r, http.StatusOK, "admin_orgs.html", p)
}

func (w *Web) adminCreateOrg(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	o, err := w.d.Identity.CreateOrg(ctxOf(r), by, r.PostFormValue("name"))
	if err != nil {
		w.renderOrgs(rw, r, by, err)
		return
	}
	done(rw, r, "/admin/orgs/"+strconv.FormatInt(o.ID, 10))
}

// orgData is one organization's page.
type orgData struct {
	Org     identity.Org
	Members []identity.User
}

func orgID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "org.not_found").With("name", r.PathValue("id"))
	}
	return id, nil
}

func (w *Web) adminOrg(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	w.renderOrg(rw, r, by, nil)
}

func (w *Web) renderOrg(rw http.ResponseWriter, r *http.Request, by identity.Actor, formErr error) {
	ctx := ctxOf(r)
	id, err := orgID(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	orgs, err := w.d.Identity.Orgs(ctx, by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var org *identity.Org
	for i := range orgs {
		if orgs[i].ID == id {
			org = &orgs[i]
		}
	}
	if org == nil {
		w.fail(rw, r, apperr.New(apperr.NotFound, "org.not_found").With("name", r.PathValue("id")))
		return
	}
	members, err := w.d.Identity.Users(ctx, by, identity.UserFilter{OrgID: id, Limit: maxListed})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p := w.newPage(rw, r, "admin.org.title", "admin", &orgData{Org: *org, Members: members})
	p.Title = p.T("admin.org.title", "name", org.Name)
	if formErr != nil {
		w.adminInvalid(rw, r, p, "admin_org.html", formErr, labelsOf(p, orgLabels))
		return
	}
	w.render(rw, r, http.StatusOK, "admin_org.html", p)
}

func (w *Web) adminRenameOrg(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	id, err := orgID(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if _, err := w.d.Identity.RenameOrg(ctxOf(r), by, id, r.PostFormValue("name")); err != nil {
		w.renderOrg(rw, r, by, err)
		return
	}
	done(rw, r, "/admin/orgs/"+strconv.FormatInt(id, 10))
}
