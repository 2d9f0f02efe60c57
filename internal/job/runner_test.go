package job_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"helpdesk/internal/job"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

func TestRunnerFiresOnceOnTime(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		rec := newRecorder()
		t0 := time.Now()
		jobs, keys := due(t, 20, "tick", "tick", func(i int) time.Time { return t0.Add(500*time.Millisecond + time.Duration(i)*100*time.Millisecond) })
		schedule(t, db, jobs...)
		start(t, job.Deps{Store: db.Jobs(), Handlers: map[string]job.Handler{"tick": rec.handle}}) // default 1 s poll
		rec.waitFor(t, len(keys), 15*time.Second)
		time.Sleep(1500 * time.Millisecond) // time enough for a second firing
		rec.checkOnce(t, keys)
		if m := rec.percentile(100); m > 10*time.Second || m < 0 {
			t.Errorf("max lateness: got %v, want within 10 s of the due time", m)
		}
		t.Logf("lateness with the default 1 s poll: p50 %v, max %v", rec.percentile(50), rec.percentile(100))
	})
}

func TestRunnerRescheduleAndCancel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, rec := context.Background(), newRecorder()
		t0 := time.Now()
		at := func(d time.Duration) time.Time { return t0.Add(d) }
		mk := func(key string, d time.Duration, v int) job.Job {
			j, _ := job.New("k", key, at(d), map[string]int{"v": v})
			return j
		}
		schedule(t, db, mk("moved", 400*time.Millisecond, 1), mk("mark", 900*time.Millisecond, 0),
			mk("cancelled", 500*time.Millisecond, 0), mk("end", 2500*time.Millisecond, 0))
		schedule(t, db, mk("moved", 2*time.Second, 2))
		if err := db.Jobs().Cancel(ctx, "cancelled"); err != nil {
			t.Fatal(err)
		}
		start(t, job.Deps{Store: db.Jobs(), Handlers: map[string]job.Handler{"k": rec.handle}, Poll: 100 * time.Millisecond})
		rec.waitFor(t, 1, 5*time.Second)
		rec.mu.Lock()
		first := rec.runs["moved"]
		rec.mu.Unlock()
		if first != 0 {
			t.Errorf("at the old time: got the moved job run, want it to wait for its new time")
		}
		rec.waitFor(t, 3, 10*time.Second)
		time.Sleep(300 * time.Millisecond)
		rec.checkOnce(t, []string{"moved", "mark", "end"})
		if got := rec.payloads["moved"]; got != `{"v":2}` {
			t.Errorf("moved payload: got %s, want the rescheduled one", got)
		}
	})
}

func TestRunnerRetriesThenDead(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		var times []time.Time
		var heal atomic.Bool
		flaky := func(_ context.Context, j job.Job) error {
			mu.Lock()
			times = append(times, time.Now())
			mu.Unlock()
			if heal.Load() {
				return nil
			}
			return errors.New("mail server says 451")
		}
		j, _ := job.New("mail", "mail-1", time.Now(), nil)
		j.MaxAttempts = 3
		schedule(t, db, j)
		r := start(t, job.Deps{Store: db.Jobs(), Handlers: map[string]job.Handler{"mail": flaky}, Poll: 20 * time.Millisecond,
			Backoff: func(n int) time.Duration { return 150 * time.Millisecond << (n - 1) }})
		var dead []job.Job
		for deadline := time.Now().Add(10 * time.Second); len(dead) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			dead, _ = db.Jobs().Dead(ctx, 10)
		}
		if len(dead) != 1 || dead[0].Key != "mail-1" || dead[0].Attempts != 3 || !strings.Contains(dead[0].LastError, "451") {
			t.Fatalf("dead letters: got %+v, want mail-1 after 3 attempts with its error", dead)
		}
		mu.Lock()
		if len(times) != 3 {
			t.Fatalf("attempts: got %d, want 3", len(times))
		}
		g1, g2 := times[1].Sub(times[0]), times[2].Sub(times[1])
		mu.Unlock()
		if g1 < 150*time.Millisecond || g2 < 300*time.Millisecond {
			t.Errorf("backoff: got gaps %v and %v, want at least 150 ms then 300 ms", g1, g2)
		}
		t.Logf("retry gaps %v, %v", g1, g2)

		heal.Store(true)
		if err := db.Jobs().Retry(ctx, dead[0].ID); err != nil {
			t.Fatal(err)
		}
		r.Wake()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if got, _ := db.Jobs().ByKey(ctx, "mail-1"); got.State == job.Done {
				return
			}
		}
		t.Errorf("after Retry: the job did not run to done")
	})
}

func TestRunnerDeadAtOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, rec := context.Background(), newRecorder()
		handlers := map[string]job.Handler{
			"ok":    rec.handle,
			"panic": func(context.Context, job.Job) error { panic("nil map somewhere") },
			"bad":   func(_ context.Context, j job.Job) error { var v struct{ N int }; return j.Decode(&v) },
		}
		mk := func(kind, key string, attempts int) job.Job {
			j, _ := job.New(kind, key, time.Now(), nil)
			j.MaxAttempts = attempts
			return j
		}
		bad := mk("bad", "bad", 5)
		bad.Payload = []byte(`"not an object"`)
		schedule(t, db, mk("panic", "panic", 1), mk("nobody", "unknown", 5), bad)
		start(t, job.Deps{Store: db.Jobs(), Handlers: handlers, Poll: 20 * time.Millisecond, Concurrency: 1})
		want := map[string]string{"panic": "panicked", "unknown": `no handler for kind "nobody"`, "bad": "payload"}
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if st, _ := db.Jobs().Stats(ctx); st.Dead == 3 {
				break
			}
		}
		for key, msg := range want {
			got, err := db.Jobs().ByKey(ctx, key)
			if err != nil || got.State != job.Dead || got.Attempts != 1 || !strings.Contains(got.LastError, msg) {
				t.Errorf("%s: got %+v (%v), want dead after one attempt with %q", key, got, err, msg)
			}
		}
		// The runner survived the panic and still works.
		schedule(t, db, mk("ok", "after", 1))
		rec.waitFor(t, 1, 5*time.Second)
		rec.checkOnce(t, []string{"after"})
	})
}

func TestRunnerWake(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		rec := newRecorder()
		r := start(t, job.Deps{Store: db.Jobs(), Handlers: map[string]job.Handler{"k": rec.handle}, Poll: time.Hour})
		time.Sleep(100 * time.Millisecond) // the runner is asleep for an hour
		jobs, keys := due(t, 1, "k", "woken", func(int) time.Time { return time.Now() })
		schedule(t, db, jobs...)
		r.Wake()
		rec.waitFor(t, 1, 2*time.Second)
		rec.checkOnce(t, keys)
	})
}

func TestRunnerLeaseRenewed(t *testing.T) {
	engines(t, func(t *testing.T, open func() *store.DB) {
		a, b := open(), open()
		var runs atomic.Int32
		slow := func(ctx context.Context, _ job.Job) error {
			runs.Add(1)
			select {
			case <-time.After(2500 * time.Millisecond): // two and a half leases long
			case <-ctx.Done():
			}
			return nil
		}
		jobs, _ := due(t, 1, "slow", "slow", func(int) time.Time { return time.Now() })
		schedule(t, a, jobs...)
		h := map[string]job.Handler{"slow": slow}
		// The lease is renewed every Lease/3; one second leaves room for a
		// loaded CI machine (a renewal more than a lease late is a takeover).
		start(t, job.Deps{Store: a.Jobs(), Handlers: h, Node: "a", Lease: time.Second, Poll: 20 * time.Millisecond})
		time.Sleep(100 * time.Millisecond)
		start(t, job.Deps{Store: b.Jobs(), Handlers: h, Node: "b", Lease: time.Second, Poll: 20 * time.Millisecond})
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if got, _ := a.Jobs().ByKey(context.Background(), "slow-0"); got.State == job.Done {
				break
			}
		}
		if n := runs.Load(); n != 1 {
			t.Errorf("runs: got %d, want 1 (the lease must be renewed while the handler runs)", n)
		}
	})
}

func TestRunnerCrashRecovery(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, rec := context.Background(), newRecorder()
		jobs, keys := due(t, 3, "k", "orphan", func(int) time.Time { return time.Now().Add(-time.Second) })
		schedule(t, db, jobs...)
		// A node claims the jobs and dies without a word.
		claimed, err := db.Jobs().Claim(ctx, "ghost", time.Now(), 10, 500*time.Millisecond)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("ghost claim: got %d (%v), want 3", len(claimed), err)
		}
		t0 := time.Now()
		// A short lease makes the survivor's heartbeat (every Lease/3) find
		// the expired claim quickly.
		start(t, job.Deps{Store: db.Jobs(), Handlers: map[string]job.Handler{"k": rec.handle}, Poll: 50 * time.Millisecond,
			Lease: 300 * time.Millisecond})
		rec.waitFor(t, 3, 10*time.Second)
		if d := time.Since(t0); d < 400*time.Millisecond {
			t.Errorf("taken over after %v, want only after the ghost's lease expired", d)
		}
		time.Sleep(200 * time.Millisecond)
		rec.checkOnce(t, keys)
		if got, _ := db.Jobs().ByKey(ctx, keys[0]); got.State != job.Done || got.Attempts != 2 {
			t.Errorf("after takeover: got %s with %d attempts, want done on the second", got.State, got.Attempts)
		}
	})
}

func TestRunnerRestart(t *testing.T) {
	engines(t, func(t *testing.T, open func() *store.DB) {
		ctx, rec := context.Background(), newRecorder()
		dbA := open()
		slow := func(ctx context.Context, j job.Job) error {
			time.Sleep(20 * time.Millisecond)
			return rec.handle(ctx, j)
		}
		jobs, keys := due(t, 60, "k", "restart", func(i int) time.Time { return time.Now().Add(time.Duration(i) * time.Millisecond) })
		schedule(t, dbA, jobs...)
		a := job.NewRunner(job.Deps{Store: dbA.Jobs(), Handlers: map[string]job.Handler{"k": slow}, Node: "a", Concurrency: 2,
			Poll: 50 * time.Millisecond})
		if err := a.Start(ctx); err != nil {
			t.Fatal(err)
		}
		rec.waitFor(t, 10, 10*time.Second)
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := a.Stop(sctx); err != nil {
			t.Fatalf("graceful stop: %v", err)
		}
		if err := dbA.Close(); err != nil {
			t.Fatal(err)
		}
		doneByA := rec.total()
		// A fresh process: new pools on the same file or database.
		dbB := open()
		st, _ := dbB.Jobs().Stats(ctx)
		if st.Running != 0 || st.Scheduled == 0 || st.Done != int64(doneByA) {
			t.Fatalf("after a graceful stop: got %+v with %d handled, want nothing left running and some still scheduled", st, doneByA)
		}
		start(t, job.Deps{Store: dbB.Jobs(), Handlers: map[string]job.Handler{"k": slow}, Node: "b", Poll: 50 * time.Millisecond})
		rec.waitFor(t, len(keys), 20*time.Second)
		time.Sleep(200 * time.Millisecond)
		rec.checkOnce(t, keys)
		t.Logf("runner a handled %d before stopping, runner b the other %d", doneByA, len(keys)-doneByA)
	})
}

func TestRunnerStopTimeout(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		started := make(chan struct{}, 1)
		stuck := func(ctx context.Context, _ job.Job) error {
			started <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		}
		jobs, _ := due(t, 1, "k", "stuck", func(int) time.Time { return time.Now() })
		schedule(t, db, jobs...)
		r := job.NewRunner(job.Deps{Store: db.Jobs(), Handlers: map[string]job.Handler{"k": stuck}, Poll: 20 * time.Millisecond})
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		<-started
		sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		if err := r.Stop(sctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Stop: got %v, want the deadline error", err)
		}
		got, _ := db.Jobs().ByKey(ctx, "stuck-0")
		if got.State != job.Scheduled || time.Until(got.RunAt) > time.Second {
			t.Errorf("interrupted job: got %s at %v, want scheduled to run again right away", got.State, got.RunAt)
		}
	})
}

// TestRunnersShareWork runs two nodes on one database: every one of 2,000
// jobs due now runs exactly once.
func TestRunnersShareWork(t *testing.T) {
	engines(t, func(t *testing.T, open func() *store.DB) {
		rec := newRecorder()
		a, b := open(), open()
		jobs, keys := due(t, 2000, "k", "shared", func(int) time.Time { return time.Now() })
		schedule(t, a, jobs...)
		var byNode [2]atomic.Int64
		for i, db := range []*store.DB{a, b} {
			h := func(ctx context.Context, j job.Job) error { byNode[i].Add(1); return rec.handle(ctx, j) }
			start(t, job.Deps{Store: db.Jobs(), Handlers: map[string]job.Handler{"k": h}, Node: []string{"n1", "n2"}[i],
				Poll: 100 * time.Millisecond})
		}
		t0 := time.Now()
		rec.waitFor(t, len(keys), 120*time.Second)
		took := time.Since(t0)
		time.Sleep(500 * time.Millisecond)
		rec.checkOnce(t, keys)
		t.Logf("2,000 jobs in %v (%.0f jobs/s): n1 ran %d, n2 ran %d", took.Round(time.Millisecond),
			float64(len(keys))/took.Seconds(), byNode[0].Load(), byNode[1].Load())
	})
}
