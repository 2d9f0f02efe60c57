package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/job"
	"helpdesk/internal/ticket"
)

// RobotKind is the message format of an IM group robot or SMS gateway.
type RobotKind string

// The robot kinds.
const (
	RobotWebhook  RobotKind = "webhook"  // generic HTTP: URL, method, JSON body template, HMAC signature
	RobotWeCom    RobotKind = "wecom"    // 企业微信 group robot
	RobotDingTalk RobotKind = "dingtalk" // 钉钉 group robot (signed URL: timestamp + secret)
	RobotFeishu   RobotKind = "feishu"   // 飞书 group robot (signed body)
)

// Robot is an IM group robot that events are posted to.
type Robot struct {
	ID     int64
	Name   string
	Kind   RobotKind
	URL    string
	Secret string
	// Method and BodyTemplate configure the generic webhook (default POST
	// and {"text": …}); the template sees .Text, .Ticket, .Event and has
	// a json function for escaping.
	Method       string
	BodyTemplate string
	Events       []string
	Active       bool
}

// IMJob is one robot message to send.
type IMJob struct {
	Robot  int64  `json:"robot"`
	Event  string `json:"event"`
	Text   string `json:"text"`
	Ticket string `json:"ticket"`
}

// robots adds the robot messages of an event to the outbox.
func (x *Dispatcher) robots(ctx context.Context, ev Event, t ticket.Ticket, vars map[string]string, out *Outbox) error {
	robots, err := x.d.Store.Robots(ctx)
	if err != nil {
		return err
	}
	for _, typ := range eventTypes(ev) {
		for _, r := range robots {
			if !r.Active || !slices.Contains(r.Events, typ) {
				continue
			}
			text := fmt.Sprintf("[%s] %s — %s (%s, %s)", t.Number, t.Title, typ, t.Status, t.Priority)
			if m := vars["message"]; m != "" && typ == EventMessageAdded {
				text += "\n" + truncate(m, 500)
			}
			jb, err := job.New(KindIM, fmt.Sprintf("im:%d:%s:%s", r.ID, ev.Key(), typ), ev.At(),
				IMJob{Robot: r.ID, Event: typ, Text: text, Ticket: t.Number})
			if err != nil {
				return job.Permanent(err)
			}
			out.Jobs = append(out.Jobs, jb)
		}
	}
	return nil
}

// RobotStore reads robots.
type RobotStore interface {
	Robot(ctx context.Context, id int64) (Robot, error)
}

// IM posts messages to group robots (the KindIM job handler).
type IM struct {
	store  RobotStore
	client *http.Client
	now    func() time.Time
}

// NewIM builds the IM channel.
func NewIM(s RobotStore, client *http.Client, now func() time.Time) *IM {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	return &IM{store: s, client: client, now: now}
}

// Deliver posts one robot message.
func (im *IM) Deliver(ctx context.Context, j job.Job) error {
	var p IMJob
	if err := j.Decode(&p); err != nil {
		return err
	}
	r, err := im.store.Robot(ctx, p.Robot)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	req, err := RobotRequest(ctx, r, p, im.now())
	if err != nil {
		return job.Permanent(err)
	}
	res, err := im.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("robot %s: status %d", r.Name, res.StatusCode)
	}
	// WeCom and DingTalk answer {"errcode":0}, Feishu {"code":0}.
	var ans struct {
		ErrCode *int   `json:"errcode"`
		Code    *int   `json:"code"`
		Msg     string `json:"errmsg"`
	}
	if r.Kind != RobotWebhook && json.Unmarshal(body, &ans) == nil {
		if (ans.ErrCode != nil && *ans.ErrCode != 0) || (ans.Code != nil && *ans.Code != 0) {
			return fmt.Errorf("robot %s refused: %s", r.Name, body)
		}
	}
	return nil
}

// RobotRequest builds the HTTP request for a robot message in the robot's
// format.
func RobotRequest(ctx context.Context, r Robot, p IMJob, now time.Time) (*http.Request, error) {
	var body []byte
	var err error
	target, method := r.URL, http.MethodPost
	headers := map[string]string{"Content-Type": "application/json"}
	switch r.Kind {
	case RobotWeCom:
		body, err = json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": p.Text}})
	case RobotDingTalk:
		body, err = json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": p.Text}})
		if r.Secret != "" {
			// https://open.dingtalk.com: sign = base64(HMAC-SHA256(secret, timestamp+"\n"+secret)), in the URL.
			ts := strconv.FormatInt(now.UnixMilli(), 10)
			m := hmac.New(sha256.New, []byte(r.Secret))
			m.Write([]byte(ts + "\n" + r.Secret))
			sep := "?"
			if strings.Contains(target, "?") {
				sep = "&"
			}
			target += sep + "timestamp=" + ts + "&sign=" + url.QueryEscape(base64.StdEncoding.EncodeToString(m.Sum(nil)))
		}
	case RobotFeishu:
		msg := map[string]any{"msg_type": "text", "content": map[string]string{"text": p.Text}}
		if r.Secret != "" {
			// Feishu: sign = base64(HMAC-SHA256(key = timestamp+"\n"+secret, message = "")), in the body.
			ts := strconv.FormatInt(now.Unix(), 10)
			m := hmac.New(sha256.New, []byte(ts+"\n"+r.Secret))
			msg["timestamp"], msg["sign"] = ts, base64.StdEncoding.EncodeToString(m.Sum(nil))
		}
		body, err = json.Marshal(msg)
	default:
		if r.Method != "" {
			method = strings.ToUpper(r.Method)
		}
		body, err = GenericBody(r.BodyTemplate, p)
		if r.Secret != "" && err == nil {
			headers["X-Helpdesk-Signature"] = Sign(r.Secret, body)
		}
	}
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req, nil
}

// GenericBody renders the generic webhook's JSON body template; the
// result must be valid JSON.
func GenericBody(tpl string, p IMJob) ([]byte, error) {
	if strings.TrimSpace(tpl) == "" {
		tpl = `{"text": {{json .Text}}, "ticket": {{json .Ticket}}, "event": {{json .Event}}}`
	}
	t, err := template.New("body").Funcs(template.FuncMap{"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	}}).Parse(tpl)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "notify.template_invalid", err).With("part", "body").With("detail", err.Error())
	}
	var b bytes.Buffer
	if err := t.Execute(&b, p); err != nil {
		return nil, err
	}
	if !json.Valid(b.Bytes()) {
		return nil, apperr.New(apperr.Invalid, "notify.body_not_json")
	}
	return b.Bytes(), nil
}

// SMSProvider sends text messages. Real gateways are commercial services;
// the desk ships a generic HTTP one (any gateway with a JSON API) and tests
// use a fake.
type SMSProvider interface {
	SendSMS(ctx context.Context, phone, text string) error
}

// HTTPSMS posts {"phone": …, "text": …} (or a custom body template) to an
// SMS gateway, signed like a generic robot.
type HTTPSMS struct {
	Robot  Robot
	Client *http.Client
}

// SendSMS posts one text message.
func (h HTTPSMS) SendSMS(ctx context.Context, phone, text string) error {
	r := h.Robot
	if r.BodyTemplate == "" {
		r.BodyTemplate = `{"phone": {{json .Ticket}}, "text": {{json .Text}}}`
	}
	req, err := RobotRequest(ctx, r, IMJob{Ticket: phone, Text: text, Event: "sms"}, time.Now())
	if err != nil {
		return err
	}
	c := h.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("sms gateway: status %d", res.StatusCode)
	}
	return nil
}

// SMS sends notification text messages (the KindSMS job handler).
type SMS struct {
	Provider SMSProvider
	Renderer *Renderer
}

// Deliver renders the notification's subject as the text and sends it.
func (s SMS) Deliver(ctx context.Context, j job.Job) error {
	var p SMSJob
	if err := j.Decode(&p); err != nil {
		return err
	}
	r, err := s.Renderer.Render(ctx, p.Template, p.Lang, p.Vars)
	if err != nil {
		return job.Permanent(err)
	}
	text := r.Subject
	if !strings.Contains(text, p.Ticket) {
		text = "[" + p.Ticket + "] " + text
	}
	return s.Provider.SendSMS(ctx, p.Phone, text)
}
