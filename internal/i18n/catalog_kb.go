package i18n

// zhKB and enKB hold the strings of the knowledge base, search and smart assistance.
var zhKB = map[string]string{}

var enKB = map[string]string{}
