package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"helpdesk/internal/app"
	"helpdesk/internal/identity"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer safe to write from the server goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls until buf contains want.
func waitFor(t *testing.T, buf *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(buf.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q; output so far:\n%s", want, buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cli runs the command with args and returns its output.
func cli(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// isolate keeps the developer's HELPDESK_* settings out of the test.
func isolate(t *testing.T) {
	for _, v := range []string{"HELPDESK_DATA", "HELPDESK_DATABASE_URL", "HELPDESK_ADDR", "HELPDESK_TIMEZONE", "HELPDESK_LANGUAGE",
		"HELPDESK_MAX_ATTACHMENT_MB", "HELPDESK_ATTACHMENT_TYPES", "HELPDESK_LOG_FORMAT"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
}

// engines runs fn with the storage flags of each available database.
func engines(t *testing.T, fn func(t *testing.T, storage []string)) {
	isolate(t)
	t.Run("sqlite", func(t *testing.T) { fn(t, []string{"--data", t.TempDir()}) })
	t.Run("postgres", func(t *testing.T) {
		fn(t, []string{"--data", t.TempDir(), "--db", storetest.PostgresURL(t)})
	})
}

// tokenActor authenticates a token against the database the flags name.
func tokenActor(t *testing.T, storage []string, token string) (identity.Actor, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	data, db := fs.String("data", "", ""), fs.String("db", "", "")
	if err := fs.Parse(storage); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), *db, *data)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return identity.NewService(identity.Deps{Store: s.Identity()}).TokenActor(context.Background(), token)
}

func TestVersionAndUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantOut    string
		wantErrOut string
		wantErr    string
	}{
		{"version", []string{"version"}, "helpdesk " + app.Version + "\n", "", ""},
		{"--version", []string{"--version"}, "helpdesk " + app.Version + "\n", "", ""},
		{"help", []string{"help"}, "Usage:", "", ""},
		{"no arguments", nil, "", "Usage:", flag.ErrHelp.Error()},
		{"unknown command", []string{"frobnicate"}, "", "Usage:", `unknown command "frobnicate"`},
		{"user without create", []string{"user", "delete"}, "", "", "usage: helpdesk user create"},
		{"token without create", []string{"token"}, "", "", "usage: helpdesk token create"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := cli(t, tt.args...)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.name == "version" && out != tt.wantOut || !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout = %q, want %q", out, tt.wantOut)
			}
			if !strings.Contains(errOut, tt.wantErrOut) {
				t.Errorf("stderr = %q, want %q", errOut, tt.wantErrOut)
			}
		})
	}
}

func TestAdminCommands(t *testing.T) {
	engines(t, func(t *testing.T, storage []string) {
		with := func(args ...string) []string { return append(args, storage...) }
		var token string
		tests := []struct {
			name    string
			args    []string
			wantOut string // a substring of stdout
			wantErr string // a substring of the error; "" for success
			check   func(t *testing.T, out string)
		}{
			{name: "migrate", args: with("migrate"), wantOut: "migrations applied"},
			{name: "migrate again", args: with("migrate"), wantOut: "migrations applied"},
			{name: "create admin", args: with("user", "create", "--login", "a1", "--password", "12345678", "--role", "admin"),
				wantOut: "created admin a1"},
			{name: "duplicate login", args: with("user", "create", "--login", "a1", "--password", "12345678", "--role", "admin"),
				wantErr: "user.login_taken"},
			{name: "bad role", args: with("user", "create", "--login", "r1", "--password", "12345678", "--role", "root"),
				wantErr: "user.role_invalid"},
			{name: "short password", args: with("user", "create", "--login", "p1", "--password", "1234", "--role", "agent"),
				wantErr: "user.password_short"},
			{name: "unknown group", args: with("user", "create", "--login", "g1", "--password", "12345678", "--role", "agent", "--group", "nope"),
				wantErr: "group.not_found"},
			{name: "agent in two groups", args: with("user", "create", "--login", "ag1", "--password", "12345678", "--role", "agent",
				"--group", "software, hardware", "--name", "王工"), wantOut: "created agent ag1"},
			{name: "customer with a new org", args: with("user", "create", "--login", "c1", "--password", "12345678", "--role", "customer",
				"--org", "新公司", "--email", "c1@example.com", "--phone", "13800000000"), wantOut: "created customer c1"},
			{name: "second customer, same org", args: with("user", "create", "--login", "c2", "--password", "12345678", "--role", "customer",
				"--org", "新公司"), wantOut: "created customer c2"},
			{name: "error message is English", args: with("user", "create", "--login", "a1", "--password", "12345678", "--role", "admin"),
				wantErr: "The login a1 is taken."},
			{name: "token", args: with("token", "create", "--login", "a1"), wantOut: "hd_", check: func(t *testing.T, out string) {
				token = strings.TrimSpace(out)
				if strings.ContainsAny(token, " \n") {
					t.Errorf("stdout = %q, want only the token", out)
				}
			}},
			{name: "token for unknown user", args: with("token", "create", "--login", "ghost"), wantErr: "user.not_found"},
			{name: "unexpected argument", args: append(with("migrate"), "extra"), wantErr: "unexpected argument"},
			{name: "unknown flag", args: with("migrate", "--colour"), wantErr: "flag provided but not defined"},
			{name: "bad time zone", args: with("migrate", "--tz", "Mars/Olympus"), wantErr: "time zone"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				out, _, err := cli(t, tt.args...)
				if tt.wantErr == "" && err != nil {
					t.Fatalf("err = %v, want success", err)
				}
				if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				if !strings.Contains(out, tt.wantOut) {
					t.Errorf("stdout = %q, want %q", out, tt.wantOut)
				}
				if tt.check != nil {
					tt.check(t, out)
				}
			})
		}
		t.Run("token authenticates", func(t *testing.T) {
			a, err := tokenActor(t, storage, token)
			if err != nil || a.Login != "a1" || a.Role != identity.RoleAdmin {
				t.Errorf("TokenActor = %+v, %v; want admin a1", a, err)
			}
			if _, err := tokenActor(t, storage, token+"x"); err == nil {
				t.Errorf("a tampered token authenticates")
			}
		})
	})
}

func TestEnvironment(t *testing.T) {
	isolate(t)
	t.Run("HELPDESK_DATA is honoured", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv("HELPDESK_DATA", dir)
		if _, _, err := cli(t, "migrate"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "helpdesk.db")); err != nil {
			t.Errorf("no database in HELPDESK_DATA: %v", err)
		}
	})
	t.Run("flags win over the environment", func(t *testing.T) {
		envDir, flagDir := t.TempDir(), t.TempDir()
		t.Setenv("HELPDESK_DATA", envDir)
		if _, _, err := cli(t, "migrate", "--data", flagDir); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(flagDir, "helpdesk.db")); err != nil {
			t.Errorf("no database in --data: %v", err)
		}
		if _, err := os.Stat(filepath.Join(envDir, "helpdesk.db")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("database created in HELPDESK_DATA despite --data (%v)", err)
		}
	})
	t.Run("bad HELPDESK_LANGUAGE", func(t *testing.T) {
		t.Setenv("HELPDESK_LANGUAGE", "fr")
		if _, _, err := cli(t, "migrate", "--data", t.TempDir()); err == nil || !strings.Contains(err.Error(), "language") {
			t.Errorf("err = %v, want a language error", err)
		}
	})
	t.Run("unsupported database URL", func(t *testing.T) {
		t.Setenv("HELPDESK_DATABASE_URL", "mysql://x")
		if _, _, err := cli(t, "migrate", "--data", t.TempDir()); err == nil {
			t.Errorf("mysql URL accepted")
		}
	})
}

var urlRE = regexp.MustCompile(`running on (http://[^/\s]+)/`)

// startServe runs serve until the returned stop is called; stop returns run's error.
func startServe(t *testing.T, args ...string) (base string, stderr *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), stdout, stderr) }()
	deadline := time.After(15 * time.Second)
	for base == "" {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve returned early: %v\nstderr: %s", err, stderr.String())
		case <-deadline:
			cancel()
			t.Fatalf("serve printed no URL; stdout: %q", stdout.String())
		case <-time.After(10 * time.Millisecond):
			if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
				base = m[1]
			}
		}
	}
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(30 * time.Second):
				runErr = errors.New("serve did not return after cancel")
			}
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return base, stderr, stop
}

func TestServe(t *testing.T) {
	engines(t, func(t *testing.T, storage []string) {
		with := func(args ...string) []string { return append(args, storage...) }
		for _, args := range [][]string{
			with("user", "create", "--login", "c1", "--password", "12345678", "--role", "customer"),
		} {
			if _, _, err := cli(t, args...); err != nil {
				t.Fatal(err)
			}
		}
		tokOut, _, err := cli(t, with("token", "create", "--login", "c1")...)
		if err != nil {
			t.Fatal(err)
		}
		token := strings.TrimSpace(tokOut)
		base, stderr, stop := startServe(t, storage...)
		get := func(path string, auth bool) (int, string) {
			req, _ := http.NewRequest(http.MethodGet, base+path, nil)
			if auth {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		for _, tt := range []struct {
			path     string
			auth     bool
			want     int
			wantBody string
		}{
			{"/healthz", false, http.StatusOK, "ok"},
			{"/readyz", false, http.StatusOK, "ready"},
			{"/", false, http.StatusOK, "/api/docs"},
			{"/api/v1/me", true, http.StatusOK, `"login":"c1"`},
			{"/api/v1/me", false, http.StatusUnauthorized, "auth.required"},
			{"/api/v1/openapi.json", false, http.StatusOK, `"openapi":"3.1`},
		} {
			if got, body := get(tt.path, tt.auth); got != tt.want || !strings.Contains(body, tt.wantBody) {
				t.Errorf("GET %s: %d %.200q, want %d with %q", tt.path, got, body, tt.want, tt.wantBody)
			}
		}

		// A request in flight when the shutdown starts still gets its answer.
		pr, pw := io.Pipe()
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/tickets", pr)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		type result struct {
			status int
			err    error
		}
		slow := make(chan result, 1)
		go func() {
			res, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
			if err != nil {
				slow <- result{err: err}
				return
			}
			res.Body.Close()
			slow <- result{status: res.StatusCode}
		}()
		io.WriteString(pw, `{"title":"关机时提交的工单",`)
		time.Sleep(200 * time.Millisecond) // the server is now reading the body
		stopped := make(chan error, 1)
		go func() { stopped <- stop() }()
		waitFor(t, stderr, "shutting down")
		time.Sleep(200 * time.Millisecond)
		select {
		case err := <-stopped:
			t.Fatalf("serve returned (%v) with a request in flight", err)
		default:
		}
		io.WriteString(pw, `"description":"慢慢写完","category":"software"}`)
		pw.Close()
		if r := <-slow; r.err != nil || r.status != http.StatusCreated {
			t.Errorf("in-flight request: status %d err %v, want 201", r.status, r.err)
		}
		if err := <-stopped; err != nil {
			t.Errorf("serve returned %v after cancel, want nil", err)
		}
		if _, err := http.Get(base + "/healthz"); err == nil {
			t.Errorf("server still answers after shutdown")
		}
	})
}

func TestServeBadAddress(t *testing.T) {
	isolate(t)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "256.0.0.1:99999", "--data", t.TempDir()}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("err = %v, want a listen error", err)
	}
}
