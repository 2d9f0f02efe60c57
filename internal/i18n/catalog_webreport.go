package i18n

// zhWebReport and enWebReport hold the strings of the web desk's report pages.
var zhWebReport = map[string]string{}

var enWebReport = map[string]string{}
