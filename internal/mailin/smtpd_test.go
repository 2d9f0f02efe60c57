package mailin_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"strings"
	"testing"

	"helpdesk/internal/identity"
	"helpdesk/internal/mailin"
	"helpdesk/internal/store/storetest"
)

// startSMTP runs the built-in listener on a free loopback port.
func startSMTP(t *testing.T, r *rig) string {
	t.Helper()
	srv := mailin.NewSMTPServer(mailin.SMTPDeps{Intake: r.svc, Mailboxes: r.db.Mail().Mailboxes, Domain: "desk.example",
		MaxBytes: 1 << 20, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func TestSMTPListener(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, storetest.SQLite(t), mailin.RateLimit{})
	addr := startSMTP(t, r)

	t.Run("Go net/smtp delivers a new ticket", func(t *testing.T) {
		msg := mail("Wang Fang <wangfang@corp.example>", "邮件服务器报错", "收不到外部邮件。", "Message-ID: <smtp-1@corp.example>")
		if err := smtp.SendMail(addr, nil, "wangfang@corp.example", []string{"support@desk.example"}, msg); err != nil {
			t.Fatal(err)
		}
		log, _ := r.svc.Log(ctx, identity.System, 0, 0, nil, 10)
		if len(log) != 1 || log[0].Status != mailin.StatusCreated || log[0].MessageID != "smtp-1@corp.example" {
			t.Fatalf("log = %+v", log)
		}
		number := log[0].TicketNumber
		// A reply to the plus address threads by the envelope recipient.
		reply := mail("wangfang@corp.example", "Re: 邮件服务器报错", "补充：是 DNS 的问题。", "Message-ID: <smtp-2@corp.example>")
		reply = []byte(strings.Replace(string(reply), "To: support@desk.example", "To: Helpdesk <helpdesk@desk.example>", 1))
		if err := smtp.SendMail(addr, nil, "wangfang@corp.example", []string{"support+" + number + "@desk.example"}, reply); err != nil {
			t.Fatal(err)
		}
		log, _ = r.svc.Log(ctx, identity.System, 0, 0, nil, 10)
		if log[0].Status != mailin.StatusAppended || log[0].TicketNumber != number {
			t.Errorf("reply: %+v", log[0])
		}
	})
	t.Run("no relaying for other domains", func(t *testing.T) {
		err := smtp.SendMail(addr, nil, "x@corp.example", []string{"victim@elsewhere.example"}, mail("x@corp.example", "spam", "spam"))
		if err == nil || !strings.Contains(err.Error(), "550") {
			t.Errorf("relay attempt: err = %v, want 550", err)
		}
	})
	t.Run("swaks delivers", func(t *testing.T) {
		bin, err := exec.LookPath("swaks")
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("swaks is not installed; CI runs the SMTP interop with it (apt-get install swaks)")
			}
			t.Skip("swaks not installed (apt-get install swaks)")
		}
		host, port, _ := net.SplitHostPort(addr)
		cmd := exec.Command(bin, "--server", host, "--port", port, "--from", "ops@corp.example", "--to", "support@desk.example",
			"--header", "Subject: swaks 测试", "--body", "sent by swaks", "--silent", "2")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("swaks: %v\n%s", err, out)
		}
		log, _ := r.svc.Log(ctx, identity.System, 0, 0, nil, 1)
		if len(log) != 1 || log[0].Sender != "ops@corp.example" || log[0].Subject != "swaks 测试" || log[0].Status != mailin.StatusCreated {
			t.Errorf("log = %+v", log)
		}
	})
	t.Run("oversize message refused by the listener", func(t *testing.T) {
		big := mailin.BigMessage(2 << 20) // the listener here takes 1 MB
		err := smtp.SendMail(addr, nil, "big@corp.example", []string{"support@desk.example"}, big)
		if err == nil || !strings.Contains(err.Error(), "552") {
			t.Errorf("oversize: err = %v, want 552", err)
		}
	})
}
