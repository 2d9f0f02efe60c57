package i18n

// zhReport and enReport hold the strings of reports, the operations dashboard, alerts and the audit log.
var zhReport = map[string]string{}

var enReport = map[string]string{}
