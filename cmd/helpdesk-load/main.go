// Command helpdesk-load drives the Helpdesk HTTP API with N concurrent
// clients and prints throughput and latency percentiles.
//
// Without --url it starts its own desk in-process on a temporary SQLite
// database (or on --db), creates the users it needs and, with --seed,
// fills the desk with tickets first, so one command measures a fresh desk:
//
//	go run ./cmd/helpdesk-load --mode create --clients 32 --duration 10s
//	go run ./cmd/helpdesk-load --mode list --seed 100000 --clients 8
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"helpdesk/internal/app"
	"helpdesk/internal/config"
	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

type options struct {
	url, token, agentToken string
	mode                   string
	clients                int
	duration               time.Duration
	seed                   int
	db                     string
	cpuprofile             string
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "", "base URL of a running desk; empty starts one in-process")
	flag.StringVar(&o.token, "token", "", "customer API token (with --url)")
	flag.StringVar(&o.agentToken, "agent-token", "", "agent API token for list/get (with --url)")
	flag.StringVar(&o.mode, "mode", "create", "create | list | get")
	flag.IntVar(&o.clients, "clients", 32, "concurrent clients")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long to run")
	flag.IntVar(&o.seed, "seed", 0, "in-process: create this many tickets before measuring")
	flag.StringVar(&o.db, "db", "", "in-process: database URL (empty = temporary SQLite)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (client and in-process desk)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "helpdesk-load:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sample string
	if o.url == "" {
		stop, err := startDesk(ctx, &o)
		if err != nil {
			return err
		}
		defer stop()
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients * 2, MaxConnsPerHost: o.clients * 2}}
	if o.mode == "get" {
		n, err := firstTicket(client, o)
		if err != nil {
			return err
		}
		sample = n
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("mode=%s clients=%d duration=%s GOMAXPROCS=%d\n", o.mode, o.clients, o.duration, runtime.GOMAXPROCS(0))
	deadline := time.Now().Add(o.duration)
	var errs atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, o.clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				req := newRequest(o, c, i, sample)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode >= 300 {
						err = fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(body))
					}
				}
				d := time.Since(t0)
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat[c] = append(lat[c], d)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	fmt.Printf("requests=%d errors=%d elapsed=%s throughput=%.0f req/s\n", len(all), errs.Load(), elapsed.Round(time.Millisecond),
		float64(len(all))/elapsed.Seconds())
	fmt.Printf("latency p50=%s p95=%s p99=%s max=%s\n", pct(0.50).Round(time.Microsecond), pct(0.95).Round(time.Microsecond),
		pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	if e := firstErr.Load(); e != nil {
		fmt.Printf("first error: %s\n", e)
	}
	return nil
}

var titles = []string{"打印机无法打印", "VPN 连接失败", "ERP 登录报错 500", "Outlook cannot sync", "笔记本电池鼓包", "Wi-Fi drops in meeting room"}

func newRequest(o options, client, i int, sample string) *http.Request {
	var req *http.Request
	switch o.mode {
	case "list":
		req, _ = http.NewRequest(http.MethodGet, o.url+"/api/v1/tickets?limit=50", nil)
		req.Header.Set("Authorization", "Bearer "+o.agentToken)
	case "get":
		req, _ = http.NewRequest(http.MethodGet, o.url+"/api/v1/tickets/"+sample, nil)
		req.Header.Set("Authorization", "Bearer "+o.agentToken)
	default:
		body, _ := json.Marshal(map[string]any{
			"title": fmt.Sprintf("%s #%d-%d", titles[i%len(titles)], client, i), "category": "software", "priority": "P3",
			"description":   "客户反映：" + strings.Repeat("问题描述 problem description ", 8),
			"custom_fields": map[string]any{"os": "Windows", "version": "3.2.1"},
		})
		req, _ = http.NewRequest(http.MethodPost, o.url+"/api/v1/tickets", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	return req
}

func firstTicket(c *http.Client, o options) (string, error) {
	req, _ := http.NewRequest(http.MethodGet, o.url+"/api/v1/tickets?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+o.agentToken)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Items []struct {
			Number string `json:"number"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Items) == 0 {
		return "", fmt.Errorf("no ticket to fetch (seed some with --seed): %v", err)
	}
	return out.Items[0].Number, nil
}

// startDesk runs a desk in-process on a temporary data directory.
func startDesk(ctx context.Context, o *options) (func(), error) {
	dir, err := os.MkdirTemp("", "helpdesk-load-")
	if err != nil {
		return nil, err
	}
	cfg := config.Defaults()
	cfg.DataDir, cfg.DatabaseURL, cfg.Addr = dir, o.db, "127.0.0.1:0"
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	cust, err := a.Identity.CreateUser(ctx, identity.System, identity.NewUser{Login: "load-customer", Password: "load-pass-1", Role: identity.RoleCustomer})
	if err != nil {
		return nil, err
	}
	if _, err := a.Identity.CreateUser(ctx, identity.System, identity.NewUser{Login: "load-agent", Password: "load-pass-1",
		Role: identity.RoleAgent, GroupKeys: []string{"software", "hardware", "network"}}); err != nil {
		return nil, err
	}
	if o.token, _, err = a.Identity.CreateToken(ctx, identity.System, "load-customer", "load"); err != nil {
		return nil, err
	}
	if o.agentToken, _, err = a.Identity.CreateToken(ctx, identity.System, "load-agent", "load"); err != nil {
		return nil, err
	}
	if o.seed > 0 {
		if err := seed(ctx, a, identity.ActorOf(cust), o.seed); err != nil {
			return nil, err
		}
	}
	sctx, stop := context.WithCancel(ctx)
	ready := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Serve(sctx, func(addr string) { ready <- addr }); err != nil {
			fmt.Fprintln(os.Stderr, "serve:", err)
		}
	}()
	o.url = "http://" + <-ready
	return func() {
		stop()
		<-done
		a.Close()
		os.RemoveAll(dir)
	}, nil
}

// seed creates n tickets spread over the categories through the service,
// in parallel, and prints how fast that went.
func seed(ctx context.Context, a *app.App, by identity.Actor, n int) error {
	cats := []string{"software", "hardware", "network", "consultation", "complaint"}
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > n {
					return
				}
				_, err := a.Tickets.Create(ctx, by, ticket.CreateInput{Title: fmt.Sprintf("%s %d", titles[i%len(titles)], i),
					Description: "seeded", Category: cats[i%len(cats)], Priority: ticket.Priorities[i%4]})
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("seeded %d tickets in %s\n", n, time.Since(start).Round(time.Millisecond))
	return firstErr
}
