package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"helpdesk/internal/alert"
	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/job"
	"helpdesk/internal/notify"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// robotLog is an IM robot endpoint that refuses its first call (502) and
// records the ones it accepts.
type robotLog struct {
	mu      sync.Mutex
	refuse  int
	calls   int
	events  []string
	texts   []string
	sigs    []string
	bodies  [][]byte
	tickets []string
}

func (l *robotLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.refuse > 0 {
		l.refuse--
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	var p struct{ Text, Ticket, Event string }
	json.Unmarshal(b, &p)
	l.events, l.texts, l.tickets = append(l.events, p.Event), append(l.texts, p.Text), append(l.tickets, p.Ticket)
	l.sigs, l.bodies = append(l.sigs, r.Header.Get("X-Helpdesk-Signature")), append(l.bodies, b)
}

func (l *robotLog) accepted() int { l.mu.Lock(); defer l.mu.Unlock(); return len(l.events) }

// TestAlertDelivery: an alert opening and resolving reaches each recipient
// by email in their language (not those who turned email off or whose
// address bounced) and the IM robots subscribed to alert events by one
// signed POST, once per event however often the rules are evaluated or a
// job is retried.
func TestAlertDelivery(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		out := db.Outbound()
		var disp *notify.Dispatcher
		o := newOutDesk(t, db, func(o *outDesk) {
			rend := notify.NewRenderer(out, texts{})
			disp = notify.NewDispatcher(notify.DispatchDeps{Store: out, Tickets: db.Tickets(), Directory: db.Identity(),
				Domain: "desk.example", Email: true, Renderer: rend})
			o.handles[notify.KindAlert] = disp.AlertFanout
			o.handles[notify.KindIM] = notify.NewIM(out, nil, nil).Deliver
		})
		admin := o.d.Actors["admin"]
		users := map[string]identity.User{}
		for _, u := range []identity.NewUser{
			{Login: "ops-zh", Name: "值班主管", Email: "ops-zh@desk.example", Role: identity.RoleSupervisor, Lang: "zh-CN"},
			{Login: "ops-en", Name: "Night Lead", Email: "ops-en@desk.example", Role: identity.RoleAgent, Lang: "en"},
			{Login: "ops-off", Name: "不要邮件", Email: "ops-off@desk.example", Role: identity.RoleAgent},
			{Login: "ops-gone", Name: "已离职", Email: "ops-gone@desk.example", Role: identity.RoleAgent},
		} {
			u.Password = desktest.Password
			got, err := o.d.Identity.CreateUser(ctx, identity.System, u)
			if err != nil {
				t.Fatal(err)
			}
			users[u.Login] = got
		}
		if err := out.SetPrefs(ctx, users["ops-off"].ID, notify.Prefs{notify.ChannelEmail: false}); err != nil {
			t.Fatal(err)
		}
		if err := out.RecordEmailFailure(ctx, users["ops-gone"].ID, "ops-gone@desk.example", 550, "no such user", time.Now()); err != nil {
			t.Fatal(err)
		}
		o.smtp.mu.Lock()
		o.smtp.tempFail["ops-en@desk.example"] = 1 // the first attempt fails: the job is retried
		o.smtp.mu.Unlock()

		robot := &robotLog{refuse: 1}
		srv := httptest.NewServer(robot)
		defer srv.Close()
		settings := notify.NewSettings(out, notify.NewRenderer(out, texts{}))
		if _, err := settings.SaveRobot(ctx, admin, notify.Robot{Name: "bad", Kind: notify.RobotWebhook, URL: srv.URL,
			Events: []string{"alert.exploded"}}); !apperr.Is(err, "notify.event_unknown") {
			t.Errorf("robot with an unknown alert event: got %v, want notify.event_unknown", err)
		}
		secret := "alert-robot-secret"
		if _, err := settings.SaveRobot(ctx, admin, notify.Robot{Name: "值班群", Kind: notify.RobotWebhook, URL: srv.URL, Secret: secret,
			Active: true, Events: []string{notify.EventAlertOpened, notify.EventAlertResolved}}); err != nil {
			t.Fatal(err)
		}

		svc := alert.NewService(alert.Deps{Store: db.Alerts(), Conditions: db.Alerts(), Directory: db.Identity(),
			Announcer: notify.AlertAnnouncer{}})
		if _, err := svc.SaveRule(ctx, admin, alert.Rule{Kind: alert.UnassignedBacklog, Enabled: true,
			Logins: []string{"ops-zh", "ops-en", "ops-off", "ops-gone"}}); err != nil {
			t.Fatal(err)
		}
		evaluate := func() {
			t.Helper()
			if err := svc.Evaluate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		mails := func(addr string) int { return len(o.smtp.to(t, addr)) }
		subject := func(addr string, i int) (string, string) {
			m := o.smtp.to(t, addr)[i]
			s, _ := m.Header.Subject()
			return s, header(m, "Content-Language")
		}
		tk := o.d.NewTicket(t, "cust1", "邮件服务器无响应")

		var alertID int64
		t.Run("opening mails each recipient in their language and posts to the robot once", func(t *testing.T) {
			evaluate()
			as, err := db.Alerts().OpenAlerts(ctx)
			if err != nil || len(as) != 1 {
				t.Fatalf("open alerts = %v, %v; want one", as, err)
			}
			alertID = as[0].ID
			wait(t, "alert mails and robot post", func() bool {
				return mails("ops-zh@desk.example") == 1 && mails("ops-en@desk.example") == 1 && robot.accepted() == 1
			})
			if s, l := subject("ops-zh@desk.example", 0); s != "告警：未分配工单积压" || l != "zh-CN" {
				t.Errorf("zh mail: subject %q language %q", s, l)
			}
			if s, l := subject("ops-en@desk.example", 0); s != "Alert: Unassigned backlog" || l != "en" {
				t.Errorf("en mail: subject %q language %q", s, l)
			}
			mailJob, err := db.Jobs().ByKey(ctx, "mail:"+notify.AlertEventKey(alertID, notify.EventAlertOpened)+":"+
				strconv.FormatInt(users["ops-en"].ID, 10))
			if err != nil || mailJob.Attempts != 2 {
				t.Errorf("ops-en's mail job: %+v, %v; want 2 attempts (one 451, retried)", mailJob, err)
			}
			text, _ := bodies(t, o.smtp.to(t, "ops-en@desk.example")[0])
			if !strings.Contains(text, "fired") || !strings.Contains(text, "Detail: 1") {
				t.Errorf("en mail text = %q", text)
			}
			robot.mu.Lock()
			if robot.events[0] != notify.EventAlertOpened || robot.sigs[0] != notify.Sign(secret, robot.bodies[0]) ||
				!strings.HasPrefix(robot.texts[0], "告警：未分配工单积压") || robot.tickets[0] != "" {
				t.Errorf("robot post: event %q text %q ticket %q signature ok %v", robot.events[0], robot.texts[0], robot.tickets[0],
					robot.sigs[0] == notify.Sign(secret, robot.bodies[0]))
			}
			if robot.calls != 2 {
				t.Errorf("robot calls = %d, want 2 (one refused, retried once)", robot.calls)
			}
			robot.mu.Unlock()
		})

		settle := func() { time.Sleep(300 * time.Millisecond) } // runner poll 20 ms, backoff 30 ms
		t.Run("nobody who turned email off or bounced is mailed", func(t *testing.T) {
			settle()
			if n, m := mails("ops-off@desk.example"), mails("ops-gone@desk.example"); n != 0 || m != 0 {
				t.Errorf("mails to ops-off %d, ops-gone %d; want none", n, m)
			}
		})

		t.Run("re-evaluation while open sends nothing more", func(t *testing.T) {
			before := countJobs(t, db, "")
			evaluate()
			evaluate()
			settle()
			if n := countJobs(t, db, ""); n != before {
				t.Errorf("jobs %d → %d after re-evaluating an open alert", before, n)
			}
			if mails("ops-zh@desk.example") != 1 || mails("ops-en@desk.example") != 1 || robot.accepted() != 1 {
				t.Errorf("after re-evaluation: zh %d, en %d, robot %d; want 1 each", mails("ops-zh@desk.example"),
					mails("ops-en@desk.example"), robot.accepted())
			}
		})

		t.Run("a fan-out run again sends nothing twice", func(t *testing.T) {
			j, err := db.Jobs().ByKey(ctx, notify.AlertEventKey(alertID, notify.EventAlertOpened))
			if err != nil || j.State != job.Done {
				t.Fatalf("alert event job: %+v, %v", j, err)
			}
			before := countJobs(t, db, "")
			if err := disp.AlertFanout(ctx, j); err != nil {
				t.Fatal(err)
			}
			settle()
			if n := countJobs(t, db, ""); n != before {
				t.Errorf("jobs %d → %d after replaying the fan-out", before, n)
			}
			if mails("ops-zh@desk.example") != 1 || mails("ops-en@desk.example") != 1 || robot.accepted() != 1 {
				t.Errorf("after the replay: zh %d, en %d, robot %d; want 1 each", mails("ops-zh@desk.example"),
					mails("ops-en@desk.example"), robot.accepted())
			}
		})

		t.Run("resolution sends the resolved message, threaded under the opening", func(t *testing.T) {
			if _, err := o.d.Tickets.ChangeStatus(ctx, o.d.Actors["cust1"], tk.Number, 0, ticket.StatusClosed, ""); err != nil {
				t.Fatal(err)
			}
			evaluate()
			wait(t, "resolution mails and robot post", func() bool {
				return mails("ops-zh@desk.example") == 2 && mails("ops-en@desk.example") == 2 && robot.accepted() == 2
			})
			if s, _ := subject("ops-zh@desk.example", 1); s != "告警已解除：未分配工单积压" {
				t.Errorf("zh resolution subject %q", s)
			}
			if s, _ := subject("ops-en@desk.example", 1); s != "Alert resolved: Unassigned backlog" {
				t.Errorf("en resolution subject %q", s)
			}
			first, _ := o.smtp.to(t, "ops-en@desk.example")[0].Header.MessageID()
			if got := header(o.smtp.to(t, "ops-en@desk.example")[1], "In-Reply-To"); got != "<"+first+">" {
				t.Errorf("resolution In-Reply-To %q, want <%s>", got, first)
			}
			robot.mu.Lock()
			if robot.events[1] != notify.EventAlertResolved || robot.sigs[1] != notify.Sign(secret, robot.bodies[1]) {
				t.Errorf("robot resolution post: event %q", robot.events[1])
			}
			robot.mu.Unlock()
			evaluate()
			settle()
			if mails("ops-zh@desk.example") != 2 || robot.accepted() != 2 {
				t.Errorf("re-evaluating after the resolution sent more: zh %d, robot %d", mails("ops-zh@desk.example"), robot.accepted())
			}
		})
	})
}

// TestAlertChannels: a rule tells its recipients only on the channels it
// names (none named: all of them).
func TestAlertChannels(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		admin := d.Actors["admin"]
		svc := alert.NewService(alert.Deps{Store: db.Alerts(), Conditions: db.Alerts(), Directory: db.Identity(),
			Announcer: notify.AlertAnnouncer{}})
		inbox := notify.NewInbox(db.Notify(), nil)
		d.NewTicket(t, "cust1", "无法登录")
		for _, tc := range []struct {
			name       string
			channels   []alert.Channel
			wantNotice bool
			wantEmail  bool
			wantIM     bool
		}{
			{"all by default", nil, true, true, true},
			{"inbox only", []alert.Channel{alert.ChannelInbox}, true, false, false},
			{"email only", []alert.Channel{alert.ChannelEmail}, false, true, false},
			{"im and email", []alert.Channel{alert.ChannelIM, alert.ChannelEmail, alert.ChannelIM}, false, true, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r, err := svc.SaveRule(ctx, admin, alert.Rule{Kind: alert.UnassignedBacklog, Enabled: true, Logins: []string{"super1"},
					Channels: tc.channels})
				if err != nil {
					t.Fatal(err)
				}
				before, _ := inbox.Unread(ctx, d.Actors["super1"])
				if err := svc.Evaluate(ctx); err != nil {
					t.Fatal(err)
				}
				after, _ := inbox.Unread(ctx, d.Actors["super1"])
				if got := after > before; got != tc.wantNotice {
					t.Errorf("in-site notice: got %v, want %v", got, tc.wantNotice)
				}
				as, _ := db.Alerts().OpenAlerts(ctx)
				var id int64
				for _, a := range as {
					if a.RuleID == r.ID {
						id = a.ID
					}
				}
				j, err := db.Jobs().ByKey(ctx, notify.AlertEventKey(id, notify.EventAlertOpened))
				if tc.wantEmail || tc.wantIM {
					var ev notify.AlertEvent
					if err != nil || j.Decode(&ev) != nil {
						t.Fatalf("alert event job: %v", err)
					}
					if ev.Email != tc.wantEmail || ev.IM != tc.wantIM || len(ev.Recipients) != 1 {
						t.Errorf("event = %+v, want email %v im %v", ev, tc.wantEmail, tc.wantIM)
					}
				} else if err == nil {
					t.Errorf("an inbox-only rule wrote an outbox job: %+v", j)
				}
				if err := svc.DeleteRule(ctx, admin, r.ID); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}
