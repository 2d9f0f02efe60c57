package demo

import (
	"time"

	"helpdesk/internal/ticket"
)

const (
	minute = time.Minute
	hour   = time.Hour
	day    = 24 * time.Hour
)

// script is one ticket's story: who filed it when, and what happened after.
type script struct {
	// day is how many days ago it was filed, at is the local time of day.
	day int
	at  time.Duration
	// by is the requester; via, when set, is the staff member who filed it
	// for them (a phone call).
	by, via string
	cat     string
	pri     ticket.Priority
	ch      ticket.Channel
	title   string
	body    string
	fields  map[string]any
	steps   []step
	// want is the status the story ends in.
	want ticket.Status
}

type stepKind int

const (
	stepClaim stepKind = iota
	stepAssign
	stepReply
	stepNote
	stepStatus
	stepPriority
	stepAttach
	// The history's steps (history.go).
	stepRate
	stepEscalate
	stepFollowupDone
	// The desk's own jobs, run when their timers would fire.
	stepSLATick
	stepFollowupOverdue
	stepAutoConfirm
	stepAutoClose
)

// step is one action on a ticket, after the one before it.
type step struct {
	after time.Duration
	// by is the acting login; empty is the desk itself (identity.System).
	by   string
	kind stepKind
	// text is the message, the status comment or the assignment reason.
	text string
	// to is the assignee, the status or the priority.
	to    string
	group string
	file  string
}

func claim(after time.Duration, by string) step {
	return step{after: after, by: by, kind: stepClaim}
}

func assign(after time.Duration, by, to, reason string) step {
	return step{after: after, by: by, kind: stepAssign, to: to, text: reason}
}

func transfer(after time.Duration, by, group, reason string) step {
	return step{after: after, by: by, kind: stepAssign, group: group, text: reason}
}

func reply(after time.Duration, by, text string) step {
	return step{after: after, by: by, kind: stepReply, text: text}
}

func note(after time.Duration, by, text string) step {
	return step{after: after, by: by, kind: stepNote, text: text}
}

func move(after time.Duration, by string, to ticket.Status, comment string) step {
	return step{after: after, by: by, kind: stepStatus, to: string(to), text: comment}
}

func raise(after time.Duration, by string, to ticket.Priority) step {
	return step{after: after, by: by, kind: stepPriority, to: string(to)}
}

func attach(after time.Duration, by, file string) step {
	return step{after: after, by: by, kind: stepAttach, file: file}
}

func rate(by string, score ticket.Score, comment string) step {
	return step{by: by, kind: stepRate, to: string(score), text: comment}
}

func escalate(after time.Duration, by, reason string) step {
	return step{after: after, by: by, kind: stepEscalate, text: reason}
}

// followupDone completes the ticket's open follow-up tasks with a note.
func followupDone(by, note string) step {
	return step{by: by, kind: stepFollowupDone, text: note}
}

// tick runs the ticket's SLA timer: warnings and breaches now due are recorded.
func tick(after time.Duration) step { return step{after: after, kind: stepSLATick} }

// followupOverdue runs the timers of the ticket's open follow-up tasks.
func followupOverdue() step { return step{kind: stepFollowupOverdue} }

func autoConfirm() step { return step{kind: stepAutoConfirm} }

func autoClose() step { return step{kind: stepAutoClose} }

// sw fills the software category's fields; empty values are left out.
func sw(version, os, network string) map[string]any {
	return fields("version", version, "os", os, "network", network)
}

// hw fills the hardware category's fields.
func hw(model, serial string) map[string]any {
	return fields("model", model, "serial", serial)
}

func fields(kv ...string) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}
