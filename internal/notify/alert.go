package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"helpdesk/internal/alert"
	"helpdesk/internal/apperr"
	"helpdesk/internal/job"
)

// Alerts go out like ticket events, in two steps. The alert service's
// transaction that opens or resolves an alert writes one KindAlert job
// (AlertAnnouncer), keyed by alert and event; its handler (AlertFanout)
// reads the recipients' preferences and writes one email job per recipient
// and one IM job per subscribed robot, unique by key, so neither a second
// evaluation nor a retried fan-out sends anything twice.
const KindAlert = "notify.alert"

// The alert notifications (template keys).
const (
	TplAlertOpened   = "alert_opened"
	TplAlertResolved = "alert_resolved"
)

// The robot events of alerts (robots subscribe to them like to ticket
// events; webhook subscriptions carry ticket events only).
const (
	EventAlertOpened   = alert.EventOpened
	EventAlertResolved = alert.EventResolved
)

// RobotEventTypes lists every event an IM robot may subscribe to.
var RobotEventTypes = append(slices.Clone(EventTypes), EventAlertOpened, EventAlertResolved)

// AlertEvent is an alert opening or resolving, as its job carries it.
type AlertEvent struct {
	Event      string  `json:"event"`
	AlertID    int64   `json:"alert_id"`
	RuleID     int64   `json:"rule_id"`
	Kind       string  `json:"kind"`
	Detail     string  `json:"detail"`
	Recipients []int64 `json:"recipients"`
	Email      bool    `json:"email"`
	IM         bool    `json:"im"`
	OpenedAt   int64   `json:"opened_at"`
	AtMicro    int64   `json:"at"`
}

// AlertEventKey is the unique job key of one event of one alert.
func AlertEventKey(alertID int64, event string) string {
	return fmt.Sprintf("notify:alert:%d:%s", alertID, strings.TrimPrefix(event, "alert."))
}

// AlertAnnouncer implements alert.Announcer: every alert event becomes one
// job, written in the transaction of the change.
type AlertAnnouncer struct{}

// Announce returns the event's job.
func (AlertAnnouncer) Announce(e alert.Event) ([]job.Job, error) {
	p := AlertEvent{Event: e.Name, AlertID: e.Alert.ID, RuleID: e.Rule.ID, Kind: string(e.Alert.Kind), Detail: e.Alert.Detail,
		Recipients: e.Rule.Recipients, Email: e.Rule.Uses(alert.ChannelEmail), IM: e.Rule.Uses(alert.ChannelIM),
		OpenedAt: e.Alert.OpenedAt.UnixMicro(), AtMicro: e.At.UnixMicro()}
	j, err := job.New(KindAlert, AlertEventKey(e.Alert.ID, e.Name), e.At, p)
	if err != nil {
		return nil, err
	}
	return []job.Job{j}, nil
}

// AlertFanout handles an alert event job: one email per recipient who has
// email on and no recorded permanent failure, in their language, and one
// message per active robot subscribed to the event, all in one transaction.
func (x *Dispatcher) AlertFanout(ctx context.Context, j job.Job) error {
	var ev AlertEvent
	if err := j.Decode(&ev); err != nil {
		return job.Permanent(err)
	}
	tpl := TplAlertOpened
	if ev.Event == EventAlertResolved {
		tpl = TplAlertResolved
	}
	at := time.UnixMicro(ev.AtMicro).UTC()
	vars := map[string]string{"alert": fmt.Sprint(ev.AlertID), "rule": fmt.Sprint(ev.RuleID), "kind": ev.Kind, "detail": ev.Detail,
		"opened_at": time.UnixMicro(ev.OpenedAt).UTC().Format(time.RFC3339)}
	if ev.Event == EventAlertResolved {
		vars["resolved_at"] = at.Format(time.RFC3339)
	}
	var out Outbox
	if ev.Email && x.d.Email {
		for _, id := range ev.Recipients {
			jb, ok, err := x.alertMail(ctx, ev, tpl, id, vars, at)
			if err != nil {
				return err
			}
			if ok {
				out.Jobs = append(out.Jobs, jb)
			}
		}
	}
	if ev.IM {
		robots, err := x.d.Store.Robots(ctx)
		if err != nil {
			return err
		}
		text := ""
		for _, r := range robots {
			if !r.Active || !slices.Contains(r.Events, ev.Event) {
				continue
			}
			if text == "" {
				if text, err = x.alertText(ctx, tpl, vars); err != nil {
					return err
				}
			}
			jb, err := job.New(KindIM, fmt.Sprintf("im:%d:%s", r.ID, AlertEventKey(ev.AlertID, ev.Event)), at,
				IMJob{Robot: r.ID, Event: ev.Event, Text: text})
			if err != nil {
				return job.Permanent(err)
			}
			out.Jobs = append(out.Jobs, jb)
		}
	}
	if len(out.Jobs) == 0 {
		return nil
	}
	return x.d.Store.Enqueue(ctx, out)
}

// alertMail is the email job of one recipient, unless they cannot or chose
// not to get it.
func (x *Dispatcher) alertMail(ctx context.Context, ev AlertEvent, tpl string, userID int64, vars map[string]string, at time.Time) (job.Job, bool, error) {
	u, err := x.d.Directory.UserByID(ctx, userID)
	if apperr.KindOf(err) == apperr.NotFound {
		return job.Job{}, false, nil
	}
	if err != nil || !u.Active || u.Email == "" {
		return job.Job{}, false, err
	}
	prefs, err := x.d.Store.Prefs(ctx, u.ID)
	if err != nil || !prefs.On(ChannelEmail) {
		return job.Job{}, false, err
	}
	addr, failed, err := x.d.Store.EmailFailure(ctx, u.ID)
	if err != nil || (failed && strings.EqualFold(addr, u.Email)) {
		return job.Job{}, false, err
	}
	lang := x.d.Lang
	if u.Lang != "" {
		lang = u.Lang
	}
	// The resolution threads under the opening mail.
	opened := fmt.Sprintf("hd.alert.%d.opened.%d@%s", ev.AlertID, u.ID, x.d.Domain)
	p := EmailJob{To: u.Email, Name: u.Name, UserID: u.ID, Lang: lang, Template: tpl, Vars: vars, MessageID: opened}
	if ev.Event == EventAlertResolved {
		p.MessageID = fmt.Sprintf("hd.alert.%d.resolved.%d@%s", ev.AlertID, u.ID, x.d.Domain)
		p.InReplyTo, p.References = opened, []string{opened}
	}
	jb, err := job.New(KindEmail, fmt.Sprintf("mail:%s:%d", AlertEventKey(ev.AlertID, ev.Event), u.ID), at, p)
	if err != nil {
		return job.Job{}, false, job.Permanent(err)
	}
	return jb, true, nil
}

// alertText is a robot's message: the notification's subject and text in
// the site language.
func (x *Dispatcher) alertText(ctx context.Context, tpl string, vars map[string]string) (string, error) {
	if x.d.Renderer == nil {
		return fmt.Sprintf("%s #%s (%s) %s", tpl, vars["alert"], vars["kind"], vars["detail"]), nil
	}
	r, err := x.d.Renderer.Render(ctx, tpl, x.d.Lang, vars)
	if k := apperr.KindOf(err); k == apperr.Invalid || k == apperr.NotFound {
		return "", job.Permanent(err) // a broken template does not mend by retrying
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(r.Subject + "\n" + r.Text), nil
}
