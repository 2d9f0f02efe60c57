package i18n

// zhMail and enMail hold the strings of email intake, outbound notifications and webhooks.
var zhMail = map[string]string{}

var enMail = map[string]string{}
