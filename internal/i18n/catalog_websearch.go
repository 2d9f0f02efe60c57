package i18n

// zhWebSearch and enWebSearch hold the strings of the web desk's search pages.
var zhWebSearch = map[string]string{}

var enWebSearch = map[string]string{}
