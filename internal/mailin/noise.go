package mailin

import (
	"strings"

	"github.com/emersion/go-message/textproto"
)

// classify recognises mail that must never be answered automatically:
// bounces (DSN), auto-replies, bulk and list mail, and the desk's own
// outbound mail (RFC 3834, RFC 3464 and the headers clients really send).
func classify(h textproto.Header, m *Message) Noise {
	if m.Origin != "" {
		return NoiseOwnMessage
	}
	ct := strings.ToLower(h.Get("Content-Type"))
	from := strings.ToLower(m.From.Email)
	local, _, _ := strings.Cut(from, "@")
	subject := strings.ToLower(m.Subject)
	switch {
	case strings.Contains(ct, "multipart/report") && strings.Contains(ct, "delivery-status"),
		hasWarning(m, "delivery_status"),
		local == "mailer-daemon" || local == "postmaster" || strings.HasPrefix(local, "mailer-daemon"),
		h.Get("Return-Path") == "<>" && (strings.Contains(subject, "undeliver") || strings.Contains(subject, "delivery status")),
		strings.Contains(subject, "退信") || strings.Contains(subject, "系统退回"):
		return NoiseBounce
	}
	if as := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); as != "" && as != "no" {
		if strings.HasPrefix(as, "auto-replied") {
			return NoiseAutoReply
		}
		return NoiseAutoSubmit
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || strings.EqualFold(h.Get("X-Auto-Response-Suppress"), "All") && strings.Contains(subject, "自动回复") {
		return NoiseAutoReply
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "auto_reply":
		return NoiseAutoReply
	case "bulk", "list", "junk":
		return NoiseBulk
	}
	if h.Get("List-Id") != "" || h.Get("List-Unsubscribe") != "" {
		return NoiseBulk
	}
	if strings.HasPrefix(subject, "自动回复") || strings.HasPrefix(subject, "auto-reply") || strings.HasPrefix(subject, "automatic reply") ||
		strings.HasPrefix(subject, "out of office") {
		return NoiseAutoReply
	}
	if local == "noreply" || local == "no-reply" || local == "donotreply" || local == "do-not-reply" {
		return NoiseAutoSubmit
	}
	return NoiseNone
}

func hasWarning(m *Message, w string) bool {
	for _, x := range m.Warnings {
		if x == w {
			return true
		}
	}
	return false
}
