package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/job"
	"helpdesk/internal/ticket"
)

// The notifications (template keys). Customers: received, agent_reply,
// status_changed, confirm_request, survey, escalated. Agents: assigned,
// customer_reply, sla_warning, sla_breach.
const (
	TplReceived      = "ticket_received"
	TplAgentReply    = "agent_reply"
	TplStatusChanged = "status_changed"
	TplConfirm       = "confirm_request"
	TplSurvey        = "satisfaction_survey"
	TplEscalated     = "escalated"
	TplAssigned      = "assigned"
	TplCustomerReply = "customer_reply"
	TplSLAWarning    = "sla_warning"
	TplSLABreach     = "sla_breach"
)

// Templates lists every notification (alert.go adds the alerts').
var Templates = []string{TplReceived, TplAgentReply, TplStatusChanged, TplConfirm, TplSurvey, TplEscalated,
	TplAssigned, TplCustomerReply, TplSLAWarning, TplSLABreach, TplAlertOpened, TplAlertResolved}

// DispatchDeps are the fan-out's collaborators.
type DispatchDeps struct {
	Store     OutStore
	Tickets   Tickets
	Directory Directory
	// Domain names the desk's Message-IDs (<…@Domain>).
	Domain string
	// Email enables email; SMS enables SMS (a gateway is configured).
	Email bool
	SMS   bool
	// Lang is the site language, for users who chose none (and robots'
	// alert messages).
	Lang string
	// Renderer renders robots' alert messages; optional (plain text without).
	Renderer *Renderer
	Now      func() time.Time
}

// Dispatcher fans ticket events out to people, robots and webhooks.
type Dispatcher struct{ d DispatchDeps }

// NewDispatcher builds the fan-out.
func NewDispatcher(d DispatchDeps) *Dispatcher {
	if d.Domain == "" {
		d.Domain = "helpdesk.invalid"
	}
	if d.Lang == "" {
		d.Lang = "zh-CN"
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Dispatcher{d: d}
}

// EmailJob is one email to send, as its job carries it.
type EmailJob struct {
	To         string            `json:"to"`
	Name       string            `json:"name"`
	UserID     int64             `json:"user_id"`
	Lang       string            `json:"lang"`
	Template   string            `json:"template"`
	Ticket     string            `json:"ticket"`
	Vars       map[string]string `json:"vars"`
	MessageID  string            `json:"message_id"`
	InReplyTo  string            `json:"in_reply_to"`
	References []string          `json:"references"`
}

// SMSJob is one text message to send.
type SMSJob struct {
	Phone    string            `json:"phone"`
	UserID   int64             `json:"user_id"`
	Lang     string            `json:"lang"`
	Template string            `json:"template"`
	Ticket   string            `json:"ticket"`
	Vars     map[string]string `json:"vars"`
}

// notice is one notification for one person.
type notice struct {
	tpl  string
	user identity.User
	// email without user: a follower who is not a user.
	email string
}

// Fanout handles an event job: it decides every notification, webhook
// delivery and robot message of the event and writes their jobs (unique
// per event × recipient × channel) in one transaction, with the
// Message-IDs of the mails, so replies thread back.
func (x *Dispatcher) Fanout(ctx context.Context, j job.Job) error {
	ev, err := decodeEvent(j.Payload)
	if err != nil {
		return job.Permanent(err)
	}
	t, err := x.d.Tickets.TicketByNumber(ctx, ev.Ticket)
	if apperr.KindOf(err) == apperr.NotFound {
		return job.Permanent(err)
	}
	if err != nil {
		return err
	}
	var out Outbox
	notices, err := x.notices(ctx, ev, t)
	if err != nil {
		return err
	}
	vars := x.vars(ctx, ev, t)
	root := x.rootID(t)
	first, err := x.d.Store.FirstInboundID(ctx, t.ID)
	if err != nil {
		return err
	}
	refs := []string{root}
	inReplyTo := root
	if first != "" {
		refs = []string{first, root}
		inReplyTo = first
	}
	out.MessageIDs = append(out.MessageIDs, OutboundID{MessageID: root, TicketID: t.ID})
	for _, n := range notices {
		lang := x.d.Lang
		to, name, uid := n.email, "", int64(0)
		var prefs Prefs = Prefs{}
		if n.user.ID != 0 {
			uid, name, to = n.user.ID, n.user.Name, n.user.Email
			if n.user.Lang != "" {
				lang = n.user.Lang
			}
			if prefs, err = x.d.Store.Prefs(ctx, uid); err != nil {
				return err
			}
		}
		if x.d.Email && to != "" && prefs.On(ChannelEmail) {
			bad := false
			if uid != 0 {
				addr, failed, err := x.d.Store.EmailFailure(ctx, uid)
				if err != nil {
					return err
				}
				bad = failed && strings.EqualFold(addr, to)
			}
			if !bad {
				rcpt := fmt.Sprint(uid)
				if uid == 0 {
					rcpt = shortHash(to)
				}
				mid := fmt.Sprintf("hd.%s.%d.%s.%s@%s", t.Number, ev.Version, n.tpl, rcpt, x.d.Domain)
				p := EmailJob{To: to, Name: name, UserID: uid, Lang: lang, Template: n.tpl, Ticket: t.Number, Vars: vars,
					MessageID: mid, InReplyTo: inReplyTo, References: refs}
				jb, err := job.New(KindEmail, "mail:"+ev.Key()+":"+n.tpl+":"+rcpt, ev.At(), p)
				if err != nil {
					return job.Permanent(err)
				}
				out.Jobs = append(out.Jobs, jb)
				out.MessageIDs = append(out.MessageIDs, OutboundID{MessageID: mid, TicketID: t.ID})
			}
		}
		// SMS: for users who chose it, for P1 tickets, and for customers
		// reachable only by phone.
		if x.d.SMS && n.user.Phone != "" && (prefs.On(ChannelSMS) || t.Priority == ticket.P1 || n.user.Email == "") {
			jb, err := job.New(KindSMS, fmt.Sprintf("sms:%s:%s:%d", ev.Key(), n.tpl, uid), ev.At(),
				SMSJob{Phone: n.user.Phone, UserID: uid, Lang: lang, Template: n.tpl, Ticket: t.Number, Vars: vars})
			if err != nil {
				return job.Permanent(err)
			}
			out.Jobs = append(out.Jobs, jb)
		}
	}
	if err := x.webhooks(ctx, ev, t, &out); err != nil {
		return err
	}
	if err := x.robots(ctx, ev, t, vars, &out); err != nil {
		return err
	}
	return x.d.Store.Enqueue(ctx, out)
}

// rootID is the Message-ID every mail of a ticket refers to, so clients
// thread them even when the ticket did not start by mail.
func (x *Dispatcher) rootID(t ticket.Ticket) string {
	return fmt.Sprintf("hd.%s@%s", t.Number, x.d.Domain)
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(strings.ToLower(s)))
	return hex.EncodeToString(h[:6])
}

// notices decides who is told what about the event.
func (x *Dispatcher) notices(ctx context.Context, ev Event, t ticket.Ticket) ([]notice, error) {
	var out []notice
	customers := func(tpl string) error {
		// The receipt goes to the requester even when they filed the
		// ticket themselves; other news not to whoever caused it.
		if t.RequesterID != 0 && (t.RequesterID != ev.ActorID || tpl == TplReceived) {
			u, err := x.d.Directory.UserByID(ctx, t.RequesterID)
			if err != nil {
				return err
			}
			if u.Active {
				out = append(out, notice{tpl: tpl, user: u})
			}
		}
		fs, err := x.d.Store.Followers(ctx, t.ID)
		if err != nil {
			return err
		}
		for _, f := range fs {
			if f.UserID != 0 && (f.UserID == ev.ActorID || f.UserID == t.RequesterID) {
				continue
			}
			n := notice{tpl: tpl, email: f.Email}
			if f.UserID != 0 {
				if u, err := x.d.Directory.UserByID(ctx, f.UserID); err == nil && u.Active {
					n.user = u
				}
			}
			out = append(out, n)
		}
		return nil
	}
	staff := func(tpl string, ids ...int64) error {
		seen := map[int64]bool{}
		for _, id := range ids {
			if id == 0 || id == ev.ActorID || seen[id] {
				continue
			}
			seen[id] = true
			u, err := x.d.Directory.UserByID(ctx, id)
			if err != nil {
				return err
			}
			if u.Active {
				out = append(out, notice{tpl: tpl, user: u})
			}
		}
		return nil
	}
	var err error
	add := func(e error) {
		if err == nil {
			err = e
		}
	}
	if ev.Created {
		add(customers(TplReceived))
		if t.AssigneeID != 0 {
			add(staff(TplAssigned, t.AssigneeID))
		}
		return out, err
	}
	if m := ev.Message; m != nil && !m.Internal {
		if isStaffRole(m.AuthorRole) {
			add(customers(TplAgentReply))
		} else {
			add(staff(TplCustomerReply, t.AssigneeID))
		}
	}
	if c, ok := ev.has(string(ticket.EventStatus), ""); ok {
		switch ticket.Status(c.To) {
		case ticket.StatusAwaitingConfirmation:
			add(customers(TplConfirm))
		case ticket.StatusResolved:
			add(customers(TplSurvey))
		case ticket.StatusClosed, ticket.StatusFollowUp:
			add(customers(TplStatusChanged))
		}
	}
	if c, ok := ev.has(string(ticket.EventAssignee), ""); ok && c.To != "" {
		if u, e := x.d.Directory.UserByLogin(ctx, c.To); e == nil {
			add(staff(TplAssigned, u.ID))
		}
	}
	if _, ok := ev.has(string(ticket.EventSLA), "warning"); ok {
		add(staff(TplSLAWarning, t.AssigneeID))
	}
	if _, ok := ev.has(string(ticket.EventSLA), "breached"); ok {
		sup, e := x.d.Directory.GroupSupervisors(ctx, t.GroupID)
		add(e)
		add(staff(TplSLABreach, append([]int64{t.AssigneeID}, sup...)...))
	}
	if _, ok := ev.has(string(ticket.EventEscalation), ""); ok && ev.ActorID == t.RequesterID {
		// A customer's own escalation is confirmed to them; escalations by
		// the SLA reach supervisors through sla_breach.
		ev.ActorID = 0
		add(customers(TplEscalated))
	}
	return out, err
}

func isStaffRole(r string) bool {
	return identity.Role(r).Staff()
}

// vars are the values templates may use.
func (x *Dispatcher) vars(ctx context.Context, ev Event, t ticket.Ticket) map[string]string {
	v := map[string]string{"number": t.Number, "title": t.Title, "status": string(t.Status), "priority": string(t.Priority),
		"category": t.CategoryKey, "group": t.GroupKey, "assignee": t.Assignee, "requester": t.Requester, "actor": ev.Actor}
	if ev.Message != nil && !ev.Message.Internal {
		v["message"] = ev.Message.Body
	}
	if d := t.SLA.FirstResponse.Due; !d.IsZero() {
		v["first_response_due"] = d.Format(time.RFC3339)
	}
	if d := t.SLA.Resolution.Due; !d.IsZero() {
		v["resolution_due"] = d.Format(time.RFC3339)
	}
	if r := ev.Rating; r != nil {
		v["rating"] = r.Score
	}
	if t.AssigneeID != 0 {
		if u, err := x.d.Directory.UserByID(ctx, t.AssigneeID); err == nil {
			v["assignee_name"] = u.Name
		}
	}
	return v
}
