package mask

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is a kind of personal data that PII finds.
type Kind string

// The kinds of personal data, in the order they are looked for: an earlier
// kind wins where two overlap (an 18-digit 身份证 number is not also a bank card).
const (
	KindEmail    Kind = "email"
	KindIDCard   Kind = "id_card"
	KindBankCard Kind = "bank_card"
	KindPhone    Kind = "phone"
	KindIP       Kind = "ip"
	KindName     Kind = "name"
	KindOrg      Kind = "org"
)

// Finding is one piece of personal data found and replaced.
type Finding struct {
	Kind Kind
	// Start and End are byte offsets of the original in the input.
	Start, End int
	// Hint shows the original partly masked (138****1234), for a reviewer
	// to confirm without seeing it whole.
	Hint string
	// Replacement is what stands in the output ([PHONE-1]); the same value
	// gets the same replacement everywhere.
	Replacement string
}

// People are the names PII masks besides the patterns: the requester and
// their organization.
type People struct {
	Names []string
	Orgs  []string
}

var (
	emailRE    = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	idCardRE   = regexp.MustCompile(`[0-9]{17}[0-9Xx]`)
	bankCardRE = regexp.MustCompile(`[0-9](?:[ \-]?[0-9]){12,18}`)
	mobileRE   = regexp.MustCompile(`(?:(?:\+|00)86[ \-]?)?1[3-9][0-9](?:[ \-]?[0-9]{4}){2}`)
	landRE     = regexp.MustCompile(`(?:\(0[0-9]{2,3}\)|0[0-9]{2,3})[ \-]?[0-9]{3,4}[ \-]?[0-9]{4}(?:-[0-9]{1,5})?`)
	intlRE     = regexp.MustCompile(`(?:\+|00)[1-9][0-9]{0,2}[ \-]?[0-9](?:[ \-]?[0-9]){6,13}`)
	ipv4RE     = regexp.MustCompile(`[0-9]{1,3}(?:\.[0-9]{1,3}){3}`)
	ipv6RE     = regexp.MustCompile(`[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[0-9A-Za-z]+)?`)
)

var placeholder = map[Kind]string{KindEmail: "EMAIL", KindIDCard: "ID", KindBankCard: "CARD", KindPhone: "PHONE",
	KindIP: "IP", KindName: "NAME", KindOrg: "ORG"}

// PII replaces personal data in text — email addresses, 身份证 numbers
// (checksum-validated), bank card numbers (Luhn-validated), phone numbers
// (mainland mobile and landline, international), IPv4 and IPv6 addresses,
// and the given people's and organizations' names — with placeholders
// such as [PHONE-1], and lists every replacement. It is deterministic: the
// same input gives the same output and findings.
func PII(text string, p People) (string, []Finding) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	var found []Finding
	taken := func(s, e int) bool {
		for _, f := range found {
			if s < f.End && f.Start < e {
				return true
			}
		}
		return false
	}
	add := func(k Kind, s, e int) {
		if !taken(s, e) {
			found = append(found, Finding{Kind: k, Start: s, End: e})
		}
	}
	// The number patterns only ever match inside windows of digits and
	// the characters that go with them; running them on those windows
	// alone (offsets kept) spares them the prose around.
	windows := numberWindows(text)
	scanIn := func(re *regexp.Regexp, k Kind, ok func(v string) bool, boundary func(r rune) bool, wins [][2]int) {
		for _, w := range wins {
			for _, m := range re.FindAllStringIndex(text[w[0]:w[1]], -1) {
				s, e := w[0]+m[0], w[0]+m[1]
				if boundary != nil && (boundary(runeBefore(text, s)) || boundary(runeAfter(text, e))) {
					continue
				}
				if ok == nil || ok(text[s:e]) {
					add(k, s, e)
				}
			}
		}
	}
	scan := func(re *regexp.Regexp, k Kind, ok func(v string) bool, boundary func(r rune) bool) {
		scanIn(re, k, ok, boundary, windows)
	}
	scanAll := func(re *regexp.Regexp, k Kind, ok func(v string) bool, boundary func(r rune) bool) {
		for _, m := range re.FindAllStringIndex(text, -1) {
			s, e := m[0], m[1]
			if boundary != nil && (boundary(runeBefore(text, s)) || boundary(runeAfter(text, e))) {
				continue
			}
			if ok == nil || ok(text[s:e]) {
				add(k, s, e)
			}
		}
	}
	// Cheap pre-checks spare the regular expressions most texts.
	hasDigit := strings.ContainsAny(text, "0123456789")
	if strings.Contains(text, "@") {
		scanAll(emailRE, KindEmail, nil, func(r rune) bool { return r == '@' })
	}
	if !hasDigit {
		goto names
	}
	scan(idCardRE, KindIDCard, validIDCard, isDigit)
	scan(bankCardRE, KindBankCard, func(v string) bool { d := digits(v); return len(d) >= 13 && len(d) <= 19 && luhn(d) }, isDigit)
	scan(mobileRE, KindPhone, nil, isDigit)
	scan(landRE, KindPhone, nil, isDigit)
	scan(intlRE, KindPhone, nil, isDigit)
	scan(ipv4RE, KindIP, validIP, func(r rune) bool { return isDigit(r) || r == '.' })
	if strings.Contains(text, ":") {
		scanAll(ipv6RE, KindIP, func(v string) bool { return strings.Count(v, ":") >= 2 && validIP(v) },
			func(r rune) bool { return r == ':' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) })
	}
names:
	lower := strings.ToLower(text)
	for _, group := range []struct {
		k     Kind
		names []string
	}{{KindName, nameForms(p.Names)}, {KindOrg, p.Orgs}} {
		for _, n := range group.names {
			if utf8.RuneCountInString(strings.TrimSpace(n)) < 2 {
				continue // one character would mask every occurrence of it
			}
			n = strings.TrimSpace(n)
			hay, needle := lower, strings.ToLower(n)
			if len(lower) != len(text) || len(needle) != len(n) {
				hay, needle = text, n // case folding changed lengths: match exactly
			}
			for off := 0; ; {
				i := strings.Index(hay[off:], needle)
				if i < 0 {
					break
				}
				s, e := off+i, off+i+len(needle)
				add(group.k, s, e)
				off = e
			}
		}
	}
	slices.SortFunc(found, func(a, b Finding) int { return a.Start - b.Start })
	// Number the replacements per kind by first appearance; equal values share one.
	seen := map[string]string{}
	count := map[Kind]int{}
	var b strings.Builder
	at := 0
	for i := range found {
		f := &found[i]
		orig := text[f.Start:f.End]
		key := string(f.Kind) + "\x00" + normalize(f.Kind, orig)
		r, ok := seen[key]
		if !ok {
			count[f.Kind]++
			r = fmt.Sprintf("[%s-%d]", placeholder[f.Kind], count[f.Kind])
			seen[key] = r
		}
		f.Replacement, f.Hint = r, hint(f.Kind, orig)
		b.WriteString(text[at:f.Start])
		b.WriteString(r)
		at = f.End
	}
	b.WriteString(text[at:])
	return b.String(), found
}

// numberWindows returns the maximal runs of characters that phone, card,
// 身份证 and IPv4 patterns consist of, that hold at least one digit.
func numberWindows(text string) [][2]int {
	var out [][2]int
	start, hasDigit := -1, false
	for i := 0; i <= len(text); i++ {
		digit, in := false, false
		if i < len(text) {
			c := text[i]
			digit = c >= '0' && c <= '9'
			in = digit || strings.IndexByte("+- ().Xx", c) >= 0
		}
		switch {
		case in && start < 0:
			start, hasDigit = i, digit
		case in:
			hasDigit = hasDigit || digit
		case start >= 0:
			if hasDigit {
				out = append(out, [2]int{start, i})
			}
			start = -1
		}
	}
	return out
}

// nameForms adds, for a Chinese name of two to four characters, the polite
// forms by surname (张先生, 张女士, 张工, 张经理, 张总).
func nameForms(names []string) []string {
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		out = append(out, n)
		rs := []rune(n)
		if len(rs) >= 2 && len(rs) <= 4 && unicode.Is(unicode.Han, rs[0]) {
			for _, suffix := range []string{"先生", "女士", "小姐", "工", "经理", "总"} {
				out = append(out, string(rs[0])+suffix)
			}
		}
	}
	// Longest first, so 张三 is masked before 张工 could match inside something longer.
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func runeBefore(s string, i int) rune {
	if i == 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

func runeAfter(s string, i int) rune {
	if i >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(rune(s[i])) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// luhn reports whether a digit string passes the Luhn check.
func luhn(d string) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// validIDCard checks an 18-character 身份证 number: a plausible birth date
// and the ISO 7064 MOD 11-2 check character.
func validIDCard(v string) bool {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(v[i]-'0') * weights[i]
	}
	if "10X98765432"[sum%11] != strings.ToUpper(v[17:])[0] {
		return false
	}
	year := int(v[6]-'0')*1000 + int(v[7]-'0')*100 + int(v[8]-'0')*10 + int(v[9]-'0')
	month := int(v[10]-'0')*10 + int(v[11]-'0')
	day := int(v[12]-'0')*10 + int(v[13]-'0')
	return year >= 1900 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31
}

func validIP(v string) bool {
	a, err := netip.ParseAddr(v)
	return err == nil && a.IsValid()
}

// normalize makes equal values equal (separators and case ignored).
func normalize(k Kind, v string) string {
	switch k {
	case KindPhone:
		return phoneDigits(v)
	case KindBankCard:
		return digits(v)
	}
	return strings.ToLower(v)
}

// phoneDigits is a phone number's digits without the mainland prefix (+86, 0086).
func phoneDigits(v string) string {
	d := digits(v)
	if n := len(d); n > 11 && d[n-11] == '1' && (strings.HasSuffix(d[:n-11], "86")) {
		return d[n-11:]
	}
	return d
}

// hint shows a value partly masked.
func hint(k Kind, v string) string {
	switch k {
	case KindEmail:
		return Email(v)
	case KindPhone:
		return Phone(phoneDigits(v))
	case KindIDCard:
		return v[:3] + strings.Repeat("*", 13) + v[16:]
	case KindBankCard:
		d := digits(v)
		return "**** " + d[len(d)-4:]
	case KindIP:
		if a, err := netip.ParseAddr(v); err == nil && a.Is4() {
			parts := strings.Split(v, ".")
			return parts[0] + "." + parts[1] + ".*.*"
		}
		if i := strings.Index(v, ":"); i >= 0 {
			return v[:i] + ":****"
		}
	}
	rs := []rune(v)
	return string(rs[0]) + strings.Repeat("*", len(rs)-1)
}
