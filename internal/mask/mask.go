// Package mask hides personal contact data from people who need no more than
// a hint of it. It is the one place where phone numbers and email addresses
// are masked, so every screen, API answer and export masks the same way.
package mask

import (
	"strings"
	"unicode/utf8"
)

// Phone keeps the first three and last four digits of a phone number
// (13812341234 → 138****1234). Short numbers keep only their last two.
func Phone(p string) string {
	if p == "" {
		return ""
	}
	r := []rune(p)
	n := len(r)
	if n >= 11 {
		return string(r[:3]) + strings.Repeat("*", 4) + string(r[n-4:])
	}
	if n <= 2 {
		return strings.Repeat("*", n)
	}
	return strings.Repeat("*", n-2) + string(r[n-2:])
}

// Email keeps the first character of the local part and the domain
// (zhang.san@example.com → z***@example.com).
func Email(e string) string {
	if e == "" {
		return ""
	}
	at := strings.LastIndexByte(e, '@')
	if at <= 0 {
		return "***"
	}
	_, size := utf8.DecodeRuneInString(e)
	return e[:size] + "***" + e[at:]
}
