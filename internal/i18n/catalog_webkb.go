package i18n

// zhWebKB and enWebKB hold the strings of the web desk's kb pages.
var zhWebKB = map[string]string{}

var enWebKB = map[string]string{}
