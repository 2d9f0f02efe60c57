package web

// registerReports registers the reports, the live dashboard, alert rules and
// the audit log.
func (w *Web) registerReports() {}
