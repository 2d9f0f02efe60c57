package web

import (
	"net/http"
	"strconv"
	"strings"

	"helpdesk/internal/alert"
	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// registerAdminAlerts registers the alert rule pages (admins): the list
// with open and recent alerts, the rule form, enable/disable and delete.
func (w *Web) registerAdminAlerts() {
	m := w.mux
	m.HandleFunc("GET /admin/alerts", w.adminAlerts)
	m.HandleFunc("GET /admin/alerts/new", w.adminAlertRule)
	m.HandleFunc("GET /admin/alerts/{id}", w.adminAlertRule)
	m.HandleFunc("POST /admin/alerts", w.adminSaveAlertRule)
	m.HandleFunc("POST /admin/alerts/{id}/toggle", w.adminToggleAlertRule)
	m.HandleFunc("POST /admin/alerts/{id}/delete", w.adminDeleteAlertRule)
}

// alertsData is the alert rule list and the alerts.
type alertsData struct {
	Rules  []alert.Rule
	Open   []alert.Alert
	Recent []alert.Alert
}

func (w *Web) adminAlerts(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	rules, err := w.d.Alerts.Rules(r.Context(), by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	as, err := w.d.Alerts.Alerts(r.Context(), by)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	d := &alertsData{Rules: rules}
	for _, a := range as {
		if a.ResolvedAt.IsZero() {
			d.Open = append(d.Open, a)
		} else if len(d.Recent) < 50 {
			d.Recent = append(d.Recent, a)
		}
	}
	w.render(rw, r, http.StatusOK, "admin_alerts.html", w.newPage(rw, r, "web.alert.title", "admin", d))
}

// alertRuleData is the rule form.
type alertRuleData struct {
	Rule     alert.Rule
	Kinds    []alert.Kind
	Channels []alert.Channel
	Staff    []identity.User
}

// Recipients is the rule's recipients as the form shows them.
func (d *alertRuleData) Recipients() string { return strings.Join(d.Rule.Logins, ", ") }

func (w *Web) adminAlertRule(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	rule := alert.Rule{Kind: alert.UnassignedBacklog, Threshold: 10, ForMinutes: 15, Enabled: true, Logins: []string{by.Login}}
	if s := r.PathValue("id"); s != "" {
		var err error
		if rule, err = w.findAlertRule(r, by, s); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	w.renderAlertRule(rw, r, by, rule, nil)
}

// findAlertRule picks a rule out of the list (the service lists, it has
// no single read: there are at most alert.MaxRules).
func (w *Web) findAlertRule(r *http.Request, by identity.Actor, s string) (alert.Rule, error) {
	id, _ := strconv.ParseInt(s, 10, 64)
	rules, err := w.d.Alerts.Rules(r.Context(), by)
	if err != nil {
		return alert.Rule{}, err
	}
	for _, x := range rules {
		if x.ID == id {
			return x, nil
		}
	}
	return alert.Rule{}, apperr.New(apperr.NotFound, "alert.rule_not_found")
}

func (w *Web) renderAlertRule(rw http.ResponseWriter, r *http.Request, by identity.Actor, rule alert.Rule, formErr error) {
	d := &alertRuleData{Rule: rule, Kinds: alert.Kinds, Channels: alert.Channels}
	for _, role := range []identity.Role{identity.RoleAgent, identity.RoleSupervisor, identity.RoleAdmin} {
		us, err := w.d.Identity.Users(r.Context(), by, identity.UserFilter{Role: role, Limit: maxListed})
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		d.Staff = append(d.Staff, us...)
	}
	title := "web.alert.new"
	if rule.ID != 0 {
		title = "web.alert.edit"
	}
	p := w.newPage(rw, r, title, "admin", d)
	if formErr != nil {
		w.adminInvalid(rw, r, p, "admin_alert.html", formErr, labelsOf(p, alertFieldLabels))
		return
	}
	w.render(rw, r, http.StatusOK, "admin_alert.html", p)
}

// alertFieldLabels name the rule form's fields in error messages.
var alertFieldLabels = map[string]string{"kind": "web.alert.kind", "threshold": "web.alert.threshold",
	"for_minutes": "web.alert.for_minutes", "recipients": "web.alert.recipients", "channels": "web.alert.channels"}

// adminSaveAlertRule creates or changes a rule (alert.Service.SaveRule).
// A number that does not parse reaches the service as -1, so the message
// about its range is the domain's.
func (w *Web) adminSaveAlertRule(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	num := func(k string) int {
		s := strings.TrimSpace(r.PostFormValue(k))
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return -1
		}
		return n
	}
	id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	rule := alert.Rule{ID: id, Kind: alert.Kind(r.PostFormValue("kind")), Threshold: num("threshold"),
		ForMinutes: num("for_minutes"), Enabled: r.PostFormValue("enabled") != ""}
	// The channels ticked (none ticked: all of them, as the service reads
	// an empty list); without this an edit reset what the API had chosen.
	for _, c := range r.PostForm["channels"] {
		rule.Channels = append(rule.Channels, alert.Channel(c))
	}
	for _, l := range strings.FieldsFunc(r.PostFormValue("recipients"), func(c rune) bool { return c == ',' || c == '，' || c == ' ' || c == '\n' }) {
		rule.Logins = append(rule.Logins, strings.TrimSpace(l))
	}
	if _, err := w.d.Alerts.SaveRule(r.Context(), by, rule); err != nil {
		w.renderAlertRule(rw, r, by, rule, err)
		return
	}
	done(rw, r, "/admin/alerts")
}

// adminToggleAlertRule enables or disables a rule, keeping the rest.
func (w *Web) adminToggleAlertRule(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	rule, err := w.findAlertRule(r, by, r.PathValue("id"))
	if err == nil {
		rule.Enabled = !rule.Enabled
		_, err = w.d.Alerts.SaveRule(r.Context(), by, rule)
	}
	if err != nil {
		flashErr(rw, reqOf(r).Lang, err)
		redirect(rw, r, "/admin/alerts")
		return
	}
	done(rw, r, "/admin/alerts")
}

func (w *Web) adminDeleteAlertRule(rw http.ResponseWriter, r *http.Request) {
	by, ok := w.admin(rw, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := w.d.Alerts.DeleteRule(r.Context(), by, id); err != nil {
		flashErr(rw, reqOf(r).Lang, err)
		redirect(rw, r, "/admin/alerts")
		return
	}
	setFlash(rw, "ok", "web.alert.deleted")
	redirect(rw, r, "/admin/alerts")
}
