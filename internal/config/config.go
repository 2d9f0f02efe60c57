// Package config holds the desk's typed configuration. Values come from
// defaults, then HELPDESK_* environment variables, then command-line flags.
package config

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the configuration every subcommand shares.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	TimeZone    string
	Language    string
	// MaxAttachmentMB bounds each attachment.
	MaxAttachmentMB int
	// AttachmentTypes are the accepted kinds (jpg, png, pdf, log, txt).
	AttachmentTypes []string
	// LogFormat is "text" or "json".
	LogFormat string
	// ShutdownTimeout is how long in-flight requests get to finish.
	ShutdownTimeout time.Duration
	// AutoConfirm: a proposed solution the customer leaves unanswered is
	// confirmed after this; AutoClose: a resolved ticket closes after this.
	AutoConfirm time.Duration
	AutoClose   time.Duration
	// UnassignOnAckBreach returns a ticket to its group queue when the
	// assignee misses the acknowledgement deadline.
	UnassignOnAckBreach bool
	// Mail configures mail in and out (mail.go).
	Mail Mail
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
}

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{
		Addr: "127.0.0.1:8080", DataDir: "./data", TimeZone: "Asia/Shanghai", Language: "zh-CN",
		MaxAttachmentMB: 10, AttachmentTypes: []string{"jpg", "png", "pdf", "log", "txt"}, LogFormat: "text",
		ShutdownTimeout: 20 * time.Second, AutoConfirm: 72 * time.Hour, AutoClose: 7 * 24 * time.Hour,
	}
}

// Env documents each setting: flag name, environment variable, meaning.
var Env = []struct{ Flag, Var, Doc string }{
	{"addr", "HELPDESK_ADDR", "address to listen on"},
	{"data", "HELPDESK_DATA", "data directory (SQLite file, attachments)"},
	{"db", "HELPDESK_DATABASE_URL", "database URL; empty = SQLite in the data dir, postgres://… = PostgreSQL"},
	{"tz", "HELPDESK_TIMEZONE", "site time zone (ticket numbers, business calendars)"},
	{"lang", "HELPDESK_LANGUAGE", "default language: zh-CN or en"},
	{"max-attachment-mb", "HELPDESK_MAX_ATTACHMENT_MB", "largest attachment accepted, in MB"},
	{"attachment-types", "HELPDESK_ATTACHMENT_TYPES", "accepted attachment kinds, comma-separated"},
	{"log-format", "HELPDESK_LOG_FORMAT", "log format: text or json"},
	{"auto-confirm", "HELPDESK_AUTO_CONFIRM", "confirm an unanswered solution after this long"},
	{"auto-close", "HELPDESK_AUTO_CLOSE", "close a resolved ticket after this long"},
	{"unassign-on-ack-breach", "HELPDESK_UNASSIGN_ON_ACK_BREACH", "return a ticket to its queue when the assignee misses the acknowledgement deadline"},
	{"metrics-token", "HELPDESK_METRICS_TOKEN", "bearer token /metrics requires; empty: open (keep it behind a firewall)"},
}

// Bind registers the shared flags on fs, with defaults taken from the
// environment (so flags override the environment).
func (c *Config) Bind(fs *flag.FlagSet, server bool) {
	fs.StringVar(&c.DataDir, "data", env("HELPDESK_DATA", c.DataDir), "data directory (SQLite file, attachments)")
	fs.StringVar(&c.DatabaseURL, "db", env("HELPDESK_DATABASE_URL", c.DatabaseURL), "database URL; empty = SQLite in the data dir")
	fs.StringVar(&c.TimeZone, "tz", env("HELPDESK_TIMEZONE", c.TimeZone), "site time zone")
	fs.StringVar(&c.Language, "lang", env("HELPDESK_LANGUAGE", c.Language), "default language: zh-CN or en")
	if !server {
		return
	}
	fs.StringVar(&c.Addr, "addr", env("HELPDESK_ADDR", c.Addr), "address to listen on")
	mb, _ := strconv.Atoi(env("HELPDESK_MAX_ATTACHMENT_MB", strconv.Itoa(c.MaxAttachmentMB)))
	fs.IntVar(&c.MaxAttachmentMB, "max-attachment-mb", mb, "largest attachment accepted, in MB")
	types := env("HELPDESK_ATTACHMENT_TYPES", strings.Join(c.AttachmentTypes, ","))
	fs.Func("attachment-types", "accepted attachment kinds, comma-separated (default "+types+")", func(s string) error {
		c.AttachmentTypes = splitComma(s)
		return nil
	})
	c.AttachmentTypes = splitComma(types)
	fs.StringVar(&c.LogFormat, "log-format", env("HELPDESK_LOG_FORMAT", c.LogFormat), "log format: text or json")
	fs.DurationVar(&c.AutoConfirm, "auto-confirm", envDuration("HELPDESK_AUTO_CONFIRM", c.AutoConfirm), "confirm an unanswered solution after this long")
	fs.DurationVar(&c.AutoClose, "auto-close", envDuration("HELPDESK_AUTO_CLOSE", c.AutoClose), "close a resolved ticket after this long")
	fs.BoolVar(&c.UnassignOnAckBreach, "unassign-on-ack-breach", env("HELPDESK_UNASSIGN_ON_ACK_BREACH", strconv.FormatBool(c.UnassignOnAckBreach)) == "true",
		"return a ticket to its group queue when the assignee misses the acknowledgement deadline")
	c.bindMail(fs) // mail.go
	fs.StringVar(&c.MetricsToken, "metrics-token", env("HELPDESK_METRICS_TOKEN", c.MetricsToken), "bearer token /metrics requires")
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(name); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// Validate checks the configuration and returns the site location.
func (c Config) Validate() (*time.Location, error) {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("config: time zone %q: %w", c.TimeZone, err)
	}
	if c.Language != "zh-CN" && c.Language != "en" {
		return nil, fmt.Errorf("config: language %q: use zh-CN or en", c.Language)
	}
	if c.MaxAttachmentMB < 1 || c.MaxAttachmentMB > 1024 {
		return nil, fmt.Errorf("config: max attachment size %d MB out of range 1–1024", c.MaxAttachmentMB)
	}
	known := map[string]bool{"jpg": true, "png": true, "pdf": true, "log": true, "txt": true}
	for _, t := range c.AttachmentTypes {
		if !known[t] {
			return nil, fmt.Errorf("config: attachment type %q: known types are jpg, png, pdf, log, txt", t)
		}
	}
	if c.AutoConfirm < time.Minute || c.AutoClose < time.Minute {
		return nil, fmt.Errorf("config: auto-confirm and auto-close periods must be at least a minute")
	}
	if err := c.validateMail(); err != nil {
		return nil, err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return nil, fmt.Errorf("config: log format %q: use text or json", c.LogFormat)
	}
	return loc, nil
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}
