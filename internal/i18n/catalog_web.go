package i18n

// zhWeb and enWeb hold the strings of the web desk (portal, workspace, admin console).
var zhWeb = map[string]string{}

var enWeb = map[string]string{}
