package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/job"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// base is the test's "now"; jobs are scheduled around it and claimed with
// explicit times, so nothing depends on the wall clock.
var base = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func mustJob(t *testing.T, kind, key string, at time.Time, payload any) job.Job {
	t.Helper()
	j, err := job.New(kind, key, at, payload)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func byKey(t *testing.T, db *store.DB, key string) job.Job {
	t.Helper()
	j, err := db.Jobs().ByKey(context.Background(), key)
	if err != nil {
		t.Fatalf("ByKey(%q): %v", key, err)
	}
	return j
}

func claim(t *testing.T, db *store.DB, node string, now time.Time, limit int, lease time.Duration) []job.Job {
	t.Helper()
	js, err := db.Jobs().Claim(context.Background(), node, now, limit, lease)
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	return js
}

func keys(js []job.Job) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.Key
	}
	return out
}

func TestJobScheduleInTransaction(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := mustJob(t, "sla.breach", "sla:1:breach", base, map[string]any{"ticket": "TS1"})
		boom := errors.New("boom")
		if err := store.ScheduleInTx(ctx, db, []job.Job{a}, nil, boom); !errors.Is(err, boom) {
			t.Fatalf("got %v, want the transaction's own error", err)
		}
		if _, err := db.Jobs().ByKey(ctx, a.Key); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("after rollback: got %v, want NotFound (the job must roll back with the change)", err)
		}
		b := mustJob(t, "sla.warn", "sla:1:warn", base, nil)
		if err := store.ScheduleInTx(ctx, db, []job.Job{a, b}, []string{"sla:1:warn"}, nil); err != nil {
			t.Fatal(err)
		}
		if got := byKey(t, db, a.Key); got.State != job.Scheduled || got.Kind != "sla.breach" || !got.RunAt.Equal(base) ||
			string(got.Payload) != `{"ticket":"TS1"}` || got.MaxAttempts != job.DefaultMaxAttempts {
			t.Errorf("committed job: got %+v, want scheduled sla.breach at %v with its payload", got, base)
		}
		if got := byKey(t, db, b.Key); got.State != job.Canceled {
			t.Errorf("scheduled and cancelled in one tx: got %s, want canceled", got.State)
		}
	})
}

func TestJobScheduleRejects(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		for _, tc := range []struct {
			name string
			j    job.Job
		}{
			{"no kind", job.Job{RunAt: base}},
			{"no time", job.Job{Kind: "x"}},
			{"bad payload", job.Job{Kind: "x", RunAt: base, Payload: []byte("{nope")}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := db.Jobs().Schedule(context.Background(), tc.j); err == nil {
					t.Errorf("got nil, want an error")
				}
			})
		}
	})
}

func TestJobRescheduleByKey(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, jobs := context.Background(), db.Jobs()
		key := "sla:TS20261122001:first_response:breach"
		if err := jobs.Schedule(ctx, mustJob(t, "sla.breach", key, base, map[string]int{"v": 1})); err != nil {
			t.Fatal(err)
		}
		first := byKey(t, db, key)
		later := base.Add(time.Hour)
		if err := jobs.Schedule(ctx, mustJob(t, "sla.breach2", key, later, map[string]int{"v": 2})); err != nil {
			t.Fatal(err)
		}
		got := byKey(t, db, key)
		if got.ID != first.ID || !got.RunAt.Equal(later) || got.Kind != "sla.breach2" || string(got.Payload) != `{"v":2}` {
			t.Errorf("got %+v, want job %d moved to %v with the new kind and payload", got, first.ID, later)
		}
		if js := claim(t, db, "n1", base.Add(time.Minute), 10, time.Minute); len(js) != 0 {
			t.Errorf("claim at the old time: got %v, want nothing", keys(js))
		}
		if st, _ := jobs.Stats(ctx); st.Scheduled != 1 {
			t.Errorf("stats: got %+v, want one scheduled job", st)
		}

		// A dead or done job with the key comes back to life with fresh attempts.
		js := claim(t, db, "n1", later, 10, time.Minute)
		if len(js) != 1 {
			t.Fatalf("claim: got %d jobs, want 1", len(js))
		}
		if err := jobs.Fail(ctx, js[0].ID, "n1", errors.New("down"), time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := jobs.Schedule(ctx, mustJob(t, "sla.breach", key, later, nil)); err != nil {
			t.Fatal(err)
		}
		if got := byKey(t, db, key); got.State != job.Scheduled || got.Attempts != 0 || got.LastError != "" {
			t.Errorf("rescheduled dead job: got %+v, want scheduled with no attempts and no error", got)
		}
	})
}

func TestJobRescheduleWhileRunning(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, jobs := context.Background(), db.Jobs()
		if err := jobs.Schedule(ctx, mustJob(t, "k", "a", base, map[string]int{"v": 1})); err != nil {
			t.Fatal(err)
		}
		js := claim(t, db, "n1", base, 1, 2*time.Hour)
		if len(js) != 1 {
			t.Fatalf("claim: got %d, want 1", len(js))
		}
		later := base.Add(time.Hour)
		if err := jobs.Schedule(ctx, mustJob(t, "k", "a", later, map[string]int{"v": 2})); err != nil {
			t.Fatal(err)
		}
		if got := byKey(t, db, "a"); got.State != job.Running || got.Attempts != 1 {
			t.Errorf("while running: got %s with %d attempts, want it still running its first attempt", got.State, got.Attempts)
		}
		// The run in progress keeps its lease: no one else may take it.
		if other := claim(t, db, "n2", later.Add(time.Second), 10, time.Minute); len(other) != 0 {
			t.Errorf("second node: got %v, want nothing while the first run holds its lease", keys(other))
		}

		for _, tc := range []struct {
			name   string
			finish func(id int64) error
		}{
			{"complete", func(id int64) error { return jobs.Complete(ctx, id, "n1") }},
			{"fail", func(id int64) error { return jobs.Fail(ctx, id, "n1", errors.New("x"), base.Add(time.Minute)) }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := tc.finish(js[0].ID); err != nil {
					t.Fatal(err)
				}
				got := byKey(t, db, "a")
				if got.State != job.Scheduled || !got.RunAt.Equal(later) || got.Attempts != 0 || string(got.Payload) != `{"v":2}` {
					t.Errorf("after the old run: got %+v, want the new schedule at %v with fresh attempts", got, later)
				}
				if early := claim(t, db, "n1", later.Add(-time.Second), 10, time.Minute); len(early) != 0 {
					t.Errorf("before the new time: got %v, want nothing", keys(early))
				}
				js = claim(t, db, "n1", later, 1, time.Minute)
				if len(js) != 1 || js[0].Attempts != 1 {
					t.Fatalf("at the new time: got %+v, want the job on its first attempt", js)
				}
				if err := jobs.Schedule(ctx, mustJob(t, "k", "a", later, map[string]int{"v": 2})); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

func TestJobCancel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, jobs := context.Background(), db.Jobs()
		for _, k := range []string{"scheduled", "run-fail", "run-done"} {
			if err := jobs.Schedule(ctx, mustJob(t, "k", k, base, nil)); err != nil {
				t.Fatal(err)
			}
		}
		if err := jobs.Cancel(ctx, "scheduled", "no-such-key"); err != nil {
			t.Fatal(err)
		}
		js := claim(t, db, "n1", base, 10, time.Minute)
		if got := keys(js); !slices.Equal(slices.Sorted(slices.Values(got)), []string{"run-done", "run-fail"}) {
			t.Fatalf("claim: got %v, want the two jobs that were not cancelled", got)
		}
		if err := jobs.Cancel(ctx, "run-fail", "run-done"); err != nil {
			t.Fatal(err)
		}
		for _, j := range js {
			if got := byKey(t, db, j.Key); got.State != job.Running {
				t.Errorf("%s cancelled while running: got %s, want running until the run ends", j.Key, got.State)
			}
			var err error
			if j.Key == "run-fail" {
				err = jobs.Fail(ctx, j.ID, "n1", errors.New("x"), base.Add(time.Second))
			} else {
				err = jobs.Complete(ctx, j.ID, "n1")
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		for key, want := range map[string]job.State{"scheduled": job.Canceled, "run-fail": job.Canceled, "run-done": job.Done} {
			if got := byKey(t, db, key); got.State != want {
				t.Errorf("%s: got %s, want %s", key, got.State, want)
			}
		}
		if js := claim(t, db, "n1", base.Add(time.Hour), 10, time.Minute); len(js) != 0 {
			t.Errorf("later claim: got %v, want nothing", keys(js))
		}
	})
}

func TestJobClaimLeaseAndTakeover(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, jobs := context.Background(), db.Jobs()
		var all []job.Job
		for i := range 5 {
			all = append(all, mustJob(t, "k", "", base.Add(time.Duration(i)*time.Second), nil))
		}
		all = append(all, mustJob(t, "k", "future", base.Add(time.Hour), nil))
		if err := jobs.Schedule(ctx, all...); err != nil {
			t.Fatal(err)
		}
		a := claim(t, db, "a", base.Add(10*time.Second), 3, time.Minute)
		b := claim(t, db, "b", base.Add(20*time.Second), 10, time.Minute)
		if len(a) != 3 || len(b) != 2 {
			t.Fatalf("claims: got %d and %d, want 3 and 2 (the future job stays)", len(a), len(b))
		}
		if !a[0].RunAt.Before(a[1].RunAt) || a[2].RunAt.After(b[0].RunAt) {
			t.Errorf("got claims out of due order")
		}
		// Node a dies; once its lease has expired, b's heartbeat puts its
		// jobs back and b takes them over.
		if err := jobs.Heartbeat(ctx, "b", nil, base.Add(69*time.Second), time.Minute); err != nil {
			t.Fatal(err)
		}
		if js := claim(t, db, "b", base.Add(69*time.Second), 10, time.Minute); len(js) != 0 {
			t.Errorf("before the lease expires: got %d jobs, want none", len(js))
		}
		if err := jobs.Heartbeat(ctx, "b", nil, base.Add(71*time.Second), time.Minute); err != nil {
			t.Fatal(err)
		}
		took := claim(t, db, "b", base.Add(71*time.Second), 10, time.Minute)
		if len(took) != 3 || took[0].Attempts != 2 {
			t.Fatalf("takeover: got %+v, want a's three jobs on their second attempt", took)
		}
		if err := jobs.Complete(ctx, a[0].ID, "a"); !errors.Is(err, job.ErrLeaseLost) {
			t.Errorf("late completion by the dead node: got %v, want ErrLeaseLost", err)
		}
		if err := jobs.Fail(ctx, a[1].ID, "a", errors.New("x"), base); !errors.Is(err, job.ErrLeaseLost) {
			t.Errorf("late failure by the dead node: got %v, want ErrLeaseLost", err)
		}
		if err := jobs.Complete(ctx, took[0].ID, "b"); err != nil {
			t.Errorf("completion by the new holder: %v", err)
		}
	})
}

func TestJobHeartbeat(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, jobs := context.Background(), db.Jobs()
		one := mustJob(t, "k", "renewed", base, nil)
		spent := mustJob(t, "k", "spent", base, nil)
		spent.MaxAttempts = 1
		gone := mustJob(t, "k", "cancelled", base, nil)
		lost := mustJob(t, "k", "lost", base, nil)
		moved := mustJob(t, "k", "moved", base, nil)
		if err := jobs.Schedule(ctx, one, spent, gone, lost, moved); err != nil {
			t.Fatal(err)
		}
		js := claim(t, db, "a", base, 10, time.Minute)
		if len(js) != 5 {
			t.Fatalf("claim: got %d, want 5", len(js))
		}
		if err := jobs.Cancel(ctx, "cancelled"); err != nil {
			t.Fatal(err)
		}
		later := base.Add(time.Hour)
		if err := jobs.Schedule(ctx, mustJob(t, "k", "moved", later, nil)); err != nil {
			t.Fatal(err)
		}
		var renewed int64
		for _, j := range js {
			if j.Key == "renewed" {
				renewed = j.ID
			}
		}
		// a renews "renewed" only; the others expire with a's lease.
		if err := jobs.Heartbeat(ctx, "a", []int64{renewed}, base.Add(50*time.Second), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := jobs.Heartbeat(ctx, "b", nil, base.Add(61*time.Second), time.Minute); err != nil {
			t.Fatal(err)
		}
		for key, want := range map[string]job.State{"renewed": job.Running, "spent": job.Dead, "cancelled": job.Canceled,
			"lost": job.Scheduled, "moved": job.Scheduled} {
			if got := byKey(t, db, key); got.State != want {
				t.Errorf("%s: got %s, want %s", key, got.State, want)
			}
		}
		if got := byKey(t, db, "spent"); !strings.Contains(got.LastError, "lease of node a expired") {
			t.Errorf("spent: got last error %q, want why it died", got.LastError)
		}
		if got := byKey(t, db, "lost"); !got.RunAt.Equal(base) || got.Attempts != 1 {
			t.Errorf("lost: got %+v, want it due at its old time with the lost attempt counted", got)
		}
		if got := byKey(t, db, "moved"); !got.RunAt.Equal(later) || got.Attempts != 0 {
			t.Errorf("moved: got %+v, want it at its new time with fresh attempts", got)
		}
		if js := claim(t, db, "b", base.Add(100*time.Second), 10, time.Minute); len(js) != 1 || js[0].Key != "lost" || js[0].Attempts != 2 {
			t.Errorf("claim inside the renewed lease: got %+v, want only the lost job, on its second attempt", js)
		}
		if err := jobs.Heartbeat(ctx, "b", nil, base.Add(111*time.Second), time.Minute); err != nil {
			t.Fatal(err)
		}
		if js := claim(t, db, "b", base.Add(111*time.Second), 10, time.Minute); len(js) != 1 || js[0].Key != "renewed" {
			t.Errorf("claim after the renewed lease: got %v, want [renewed]", keys(js))
		}
	})
}

func TestJobDeadLetters(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, jobs := context.Background(), db.Jobs()
		if err := jobs.Schedule(ctx, mustJob(t, "k", "d1", base, nil), mustJob(t, "k", "d2", base, nil)); err != nil {
			t.Fatal(err)
		}
		js := claim(t, db, "n", base, 10, time.Minute)
		// Retry schedules on the wall clock; keep this retry well after it.
		retryAt := time.Now().Add(time.Hour).Truncate(time.Second).UTC()
		if err := jobs.Fail(ctx, js[0].ID, "n", errors.New("smtp: 451 try later"), retryAt); err != nil {
			t.Fatal(err)
		}
		got := byKey(t, db, js[0].Key)
		if got.State != job.Scheduled || !got.RunAt.Equal(retryAt) || got.LastError != "smtp: 451 try later" {
			t.Errorf("after a failure: got %+v, want scheduled at %v with the error", got, retryAt)
		}
		if err := jobs.Fail(ctx, js[1].ID, "n", errors.New("fatal"), time.Time{}); err != nil {
			t.Fatal(err)
		}
		dead, err := jobs.Dead(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(dead) != 1 || dead[0].ID != js[1].ID || dead[0].LastError != "fatal" || dead[0].State != job.Dead {
			t.Fatalf("dead letters: got %+v, want job %d with its error", dead, js[1].ID)
		}
		if st, _ := jobs.Stats(ctx); st != (job.Stats{Scheduled: 1, Dead: 1}) {
			t.Errorf("stats: got %+v, want one scheduled and one dead", st)
		}
		if err := jobs.Retry(ctx, js[0].ID); !apperr.Is(err, job.CodeNotFound) {
			t.Errorf("Retry of a job that is not dead: got %v, want %s", err, job.CodeNotFound)
		}
		if err := jobs.Retry(ctx, dead[0].ID); err != nil {
			t.Fatal(err)
		}
		again := claim(t, db, "n", time.Now().Add(time.Second), 10, time.Minute)
		if len(again) != 1 || again[0].ID != dead[0].ID || again[0].Attempts != 1 {
			t.Fatalf("after Retry: got %+v, want the job again on a fresh first attempt", again)
		}
		if err := jobs.Fail(ctx, again[0].ID, "n", errors.New("fatal"), time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := jobs.Discard(ctx, again[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := jobs.Discard(ctx, again[0].ID); !apperr.Is(err, job.CodeNotFound) {
			t.Errorf("second Discard: got %v, want %s", err, job.CodeNotFound)
		}
		if dead, _ := jobs.Dead(ctx, 10); len(dead) != 0 {
			t.Errorf("dead letters after Discard: got %d, want none", len(dead))
		}
	})
}

func TestJobNextDueAndPrune(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, jobs := context.Background(), db.Jobs()
		if _, ok, err := jobs.NextDue(ctx); err != nil || ok {
			t.Fatalf("empty: got ok=%v err=%v, want nothing due", ok, err)
		}
		if err := jobs.Schedule(ctx, mustJob(t, "k", "late", base.Add(time.Hour), nil),
			mustJob(t, "k", "soon", base.Add(time.Minute), nil), mustJob(t, "k", "gone", base, nil)); err != nil {
			t.Fatal(err)
		}
		if err := jobs.Cancel(ctx, "gone"); err != nil {
			t.Fatal(err)
		}
		at, ok, err := jobs.NextDue(ctx)
		if err != nil || !ok || !at.Equal(base.Add(time.Minute)) {
			t.Errorf("NextDue: got %v %v %v, want %v", at, ok, err, base.Add(time.Minute))
		}
		js := claim(t, db, "n", base.Add(time.Minute), 10, time.Minute)
		if err := jobs.Complete(ctx, js[0].ID, "n"); err != nil {
			t.Fatal(err)
		}
		n, err := jobs.Prune(ctx, time.Now().Add(time.Minute))
		if err != nil || n != 2 {
			t.Errorf("Prune: got %d (%v), want the done and the cancelled job", n, err)
		}
		if st, _ := jobs.Stats(ctx); st != (job.Stats{Scheduled: 1}) {
			t.Errorf("stats after prune: got %+v, want only the scheduled job", st)
		}
	})
}
