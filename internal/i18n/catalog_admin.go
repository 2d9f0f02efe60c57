package i18n

// zhAdmin and enAdmin hold the strings of the web admin console.
var zhAdmin = map[string]string{}

var enAdmin = map[string]string{}
