package app

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"helpdesk/internal/config"
	"helpdesk/internal/identity"
	"helpdesk/internal/notify"
	"helpdesk/internal/store/storetest"
)

// mailSink is an SMTP server that keeps the subjects it receives, by
// recipient.
type mailSink struct {
	mu   sync.Mutex
	subj map[string][]string
}

func (m *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{m: m}, nil }

type sinkSession struct {
	m  *mailSink
	to []string
}

func (s *sinkSession) Reset()                                    { s.to = nil }
func (s *sinkSession) Logout() error                             { return nil }
func (s *sinkSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *sinkSession) Data(r io.Reader) error {
	msg, err := mail.CreateReader(r)
	if err != nil {
		return err
	}
	subj, _ := msg.Header.Subject()
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	for _, to := range s.to {
		s.m.subj[to] = append(s.m.subj[to], subj)
	}
	return nil
}

func (m *mailSink) subjects(to string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string{}, m.subj[to]...)
}

func startSink(t *testing.T) (*mailSink, string) {
	t.Helper()
	m := &mailSink{subj: map[string][]string{}}
	srv := smtp.NewServer(m)
	srv.Domain, srv.AllowInsecureAuth = "sink.test", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m, ln.Addr().String()
}

// TestAlertsGoOutByMailAndRobot: the app wires alert delivery — a rule set
// over the API, an alert opening and resolving, mail through the configured
// SMTP server in the recipient's language and a signed post to the robot
// subscribed to alert events.
func TestAlertsGoOutByMailAndRobot(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			url := ""
			if engine == "postgres" {
				url = storetest.PostgresURL(t)
			}
			sink, addr := startSink(t)
			d := openDesk(t, url, func(c *config.Config) {
				c.Mail.Outbound, c.Mail.From = "smtp://"+addr+"?tls=none", "Helpdesk <support@desk.example>"
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if err := d.a.Jobs.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer d.a.Jobs.Stop(context.Background())
			if _, err := d.a.Identity.CreateUser(ctx, identity.System, identity.NewUser{Login: "oncall", Name: "On Call",
				Password: "password-123", Email: "oncall@desk.example", Role: identity.RoleSupervisor, Lang: "en"}); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var posts []string
			robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				var p struct{ Event string }
				json.Unmarshal(b, &p)
				mu.Lock()
				defer mu.Unlock()
				if r.Header.Get("X-Helpdesk-Signature") == notify.Sign("robot-secret", b) {
					posts = append(posts, p.Event)
				}
			}))
			defer robot.Close()
			read(t, d.do(t, "admin", "POST", "/api/v1/notify/robots", map[string]any{"name": "值班群", "kind": "webhook", "url": robot.URL,
				"secret": "robot-secret", "events": []string{"alert.opened", "alert.resolved"}, "active": true}), 201)
			read(t, d.do(t, "admin", "POST", "/api/v1/alert-rules", map[string]any{"kind": "unassigned_backlog", "threshold": 0,
				"for_minutes": 0, "recipients": []string{"oncall"}, "channels": []string{"email", "im"}, "enabled": true}), 200)
			var tk struct{ Number string }
			if err := json.Unmarshal(read(t, d.do(t, "zhangsan", "POST", "/api/v1/tickets", map[string]any{"title": "网络中断",
				"description": "全楼断网", "category": "hardware", "contact_phone": "13812341234"}), 201), &tk); err != nil {
				t.Fatal(err)
			}
			got := func() (mails []string, events []string) {
				mu.Lock()
				defer mu.Unlock()
				return sink.subjects("oncall@desk.example"), append([]string{}, posts...)
			}
			waitFor := func(what string, n int) {
				t.Helper()
				deadline := time.Now().Add(20 * time.Second)
				for {
					m, p := got()
					if len(m) >= n && len(p) >= n {
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("%s: mails %v, robot posts %v", what, m, p)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
			if err := d.a.Alerts.Evaluate(ctx); err != nil {
				t.Fatal(err)
			}
			waitFor("alert opened", 1)
			read(t, d.do(t, "zhangsan", "POST", "/api/v1/tickets/"+tk.Number+"/status", map[string]any{"status": "closed"}), 200)
			if err := d.a.Alerts.Evaluate(ctx); err != nil {
				t.Fatal(err)
			}
			waitFor("alert resolved", 2)
			time.Sleep(500 * time.Millisecond)
			mails, events := got()
			if len(mails) != 2 || mails[0] != "Alert: Unassigned backlog" || mails[1] != "Alert resolved: Unassigned backlog" {
				t.Errorf("mails = %q, want the opening and the resolution in English", mails)
			}
			if strings.Join(events, ",") != "alert.opened,alert.resolved" {
				t.Errorf("robot posts = %v, want one signed alert.opened and one alert.resolved", events)
			}
		})
	}
}
