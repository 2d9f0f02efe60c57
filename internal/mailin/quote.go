package mailin

import (
	"regexp"
	"strings"
)

// Markers that start the quoted history of a reply, as the common clients
// write them. Everything from the first marker on is folded.
var (
	// Gmail and Apple Mail: "On Mon, 23 Nov 2026 at 10:00, Zhang San <z@x> wrote:",
	// sometimes wrapped over two lines.
	reOnWrote = regexp.MustCompile(`(?i)^\s*On\s.{6,300}\bwrote:\s*$`)
	reOnStart = regexp.MustCompile(`(?i)^\s*On\s.{6,300}$`)
	reWrote   = regexp.MustCompile(`(?i)^.{0,200}\bwrote:\s*$`)
	// Gmail and others in Chinese: "在 2026年11月22日 10:00，张三 <z@x> 写道：",
	// "2026年11月22日周日 10:00，张三 写道："
	reZhWrote = regexp.MustCompile(`^\s*(在|于)?.{0,300}写道\s*[:：]\s*$`)
	// Outlook, Thunderbird and Foxmail/QQ separators.
	reSeparator = regexp.MustCompile(`(?i)^\s*(-{2,}\s*(Original Message|Forwarded message|原始邮件|转发邮件|回复的原邮件)\s*-{2,}|_{10,}|-{20,})\s*$`)
	// Outlook header block: "From:" / "发件人:" followed by Sent/Date/To/Subject lines.
	reHdrFrom = regexp.MustCompile(`(?i)^\s*\*?(From|发件人|寄件者)\s*\*?\s*[:：]`)
	reHdrNext = regexp.MustCompile(`(?i)^\s*\*?(Sent|Date|To|Cc|Subject|发送时间|时间|日期|收件人|抄送|主题|寄件日期|收件者|主旨)\s*\*?\s*[:：]`)
)

// splitQuoted separates a reply's new text from the quoted history it
// carries. When everything would be quoted (a forward with no comment) the
// whole text is kept as new.
func splitQuoted(text string) (fresh, quoted string) {
	lines := strings.Split(text, "\n")
	cut := -1
	for i, l := range lines {
		if isMarker(lines, i, l) {
			cut = i
			break
		}
	}
	if cut < 0 {
		// No marker: a trailing block of "> " lines is quoted history.
		end := len(lines)
		for end > 0 && strings.TrimSpace(lines[end-1]) == "" {
			end--
		}
		start := end
		for start > 0 && (strings.HasPrefix(strings.TrimSpace(lines[start-1]), ">") || strings.TrimSpace(lines[start-1]) == "") {
			start--
		}
		if start < end && hasQuoteLine(lines[start:end]) {
			cut = start
		}
	}
	if cut < 0 {
		return strings.TrimSpace(text), ""
	}
	fresh = strings.TrimSpace(strings.Join(lines[:cut], "\n"))
	quoted = strings.TrimSpace(strings.Join(lines[cut:], "\n"))
	if fresh == "" {
		return strings.TrimSpace(text), ""
	}
	return fresh, quoted
}

func hasQuoteLine(ls []string) bool {
	for _, l := range ls {
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			return true
		}
	}
	return false
}

func isMarker(lines []string, i int, l string) bool {
	if len(l) > 600 {
		return false
	}
	switch {
	case reSeparator.MatchString(l):
		return true
	case reOnWrote.MatchString(l):
		return true
	case reOnStart.MatchString(l) && i+1 < len(lines) && reWrote.MatchString(lines[i+1]) && len(lines[i+1]) < 300:
		return true
	case reZhWrote.MatchString(l) && strings.Contains(l, "写道"):
		return true
	case reHdrFrom.MatchString(l):
		// A From: line starts a quoted header block only when header
		// lines follow it.
		n := 0
		for j := i + 1; j < len(lines) && j <= i+4; j++ {
			if reHdrNext.MatchString(lines[j]) {
				n++
			}
		}
		return n >= 2
	}
	return false
}
