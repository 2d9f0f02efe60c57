package mailin

import (
	"context"
	"regexp"
	"strings"
)

// ticketTag finds [TS…] in a subject; plusTag a ticket number in a plus address.
var (
	ticketTag = regexp.MustCompile(`\[(TS\d{11,14})\]`)
	plusTag   = regexp.MustCompile(`(?i)^([^+@]+)\+(ts\d{11,14})@(.+)$`)
)

// thread finds the ticket a message answers: by its In-Reply-To and
// References against every Message-ID the desk saw or sent, then by the
// [TS…] tag in the subject, then by a plus address (support+TS…@domain).
func (s *Service) thread(ctx context.Context, mb Mailbox, m Message, ours map[string]bool) (string, error) {
	ids := append(append([]string{}, m.InReplyTo...), m.References...)
	if len(ids) > 0 {
		n, err := s.d.Store.ThreadTicket(ctx, ids)
		if err != nil || n != "" {
			return n, err
		}
	}
	if t := ticketTag.FindStringSubmatch(m.Subject); t != nil {
		return t[1], nil
	}
	var rcpts []string
	for _, a := range append(append([]Address{}, m.To...), m.Cc...) {
		rcpts = append(rcpts, a.Email)
	}
	rcpts = append(rcpts, m.DeliveredTo...)
	for _, r := range rcpts {
		if p := plusTag.FindStringSubmatch(r); p != nil && (len(ours) == 0 || ours[p[1]+"@"+p[3]]) {
			return strings.ToUpper(p[2]), nil
		}
	}
	return "", nil
}

// ownAddresses are every mailbox's support address.
func (s *Service) ownAddresses(ctx context.Context, mb Mailbox) (map[string]bool, error) {
	all, err := s.d.Store.Mailboxes(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, b := range append(all, mb) {
		if b.Address != "" {
			out[b.Address] = true
		}
	}
	return out, nil
}

// baseAddress drops a plus tag: support+x@d → support@d.
func baseAddress(a string) string {
	local, domain, ok := strings.Cut(a, "@")
	if !ok {
		return a
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return local + "@" + domain
}

// followers are the people copied on the message, without the desk's own
// addresses and the sender.
func followers(m Message, sender string, ours map[string]bool) []Follower {
	seen := map[string]bool{sender: true}
	var out []Follower
	for _, a := range append(append([]Address{}, m.Cc...), m.To...) {
		e := a.Email
		if e == "" || seen[e] || ours[e] || ours[baseAddress(e)] || len(e) > 254 || len(out) >= 50 {
			continue
		}
		seen[e] = true
		out = append(out, Follower{Email: e})
	}
	return out
}
