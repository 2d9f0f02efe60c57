package job_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"helpdesk/internal/job"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// engines runs fn on each engine with open, which connects one more pool
// (a "node") to the same migrated database: the same file for SQLite, the
// same database for PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, open func() *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, opener(t, "", t.TempDir())) })
	t.Run("postgres", func(t *testing.T) { fn(t, opener(t, storetest.PostgresURL(t), "")) })
}

func opener(t testing.TB, url, dir string) func() *store.DB {
	var once sync.Once
	return func() *store.DB {
		t.Helper()
		db, err := store.Open(context.Background(), url, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		once.Do(func() {
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
		return db
	}
}

// recorder remembers every run of every job, with its lateness.
type recorder struct {
	mu       sync.Mutex
	runs     map[string]int // by key
	late     []time.Duration
	payloads map[string]string
	changed  chan struct{}
}

func newRecorder() *recorder {
	return &recorder{runs: map[string]int{}, payloads: map[string]string{}, changed: make(chan struct{}, 1)}
}

// handle records a run; it is a job.Handler.
func (r *recorder) handle(_ context.Context, j job.Job) error {
	late := time.Since(j.RunAt)
	r.mu.Lock()
	r.runs[j.Key]++
	r.late = append(r.late, late)
	r.payloads[j.Key] = string(j.Payload)
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
	return nil
}

// total counts runs.
func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.runs {
		n += c
	}
	return n
}

// waitFor waits until at least n runs happened, or fails after d.
func (r *recorder) waitFor(t testing.TB, n int, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for r.total() < n {
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("got %d runs after %v, want %d", r.total(), d, n)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// checkOnce asserts that exactly the jobs with the keys ran, each once.
func (r *recorder) checkOnce(t testing.TB, keys []string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var missing, twice []string
	for _, k := range keys {
		switch n := r.runs[k]; {
		case n == 0:
			missing = append(missing, k)
		case n > 1:
			twice = append(twice, k)
		}
	}
	if len(missing) > 0 || len(twice) > 0 || len(r.runs) != len(keys) {
		t.Errorf("got %d distinct jobs run, %d missing (%v…), %d more than once (%v…); want each of %d exactly once",
			len(r.runs), len(missing), head(missing), len(twice), head(twice), len(keys))
	}
}

func head(keys []string) []string { return keys[:min(len(keys), 5)] }

// percentile returns the p-th percentile (0..100) of the recorded lateness.
func (r *recorder) percentile(p float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.late) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(r.late))
	return s[min(len(s)-1, int(float64(len(s))*p/100))]
}

// start runs a runner until the test ends.
func start(t testing.TB, d job.Deps) *job.Runner {
	t.Helper()
	if d.Log == nil {
		d.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r := job.NewRunner(d)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r.Stop(ctx)
	})
	return r
}

// due builds n jobs of kind with keys prefix-0…, due at at(i).
func due(t testing.TB, n int, kind, prefix string, at func(i int) time.Time) ([]job.Job, []string) {
	t.Helper()
	jobs, keys := make([]job.Job, n), make([]string, n)
	for i := range n {
		keys[i] = fmt.Sprintf("%s-%d", prefix, i)
		j, err := job.New(kind, keys[i], at(i), map[string]int{"i": i})
		if err != nil {
			t.Fatal(err)
		}
		jobs[i] = j
	}
	return jobs, keys
}

// schedule stores jobs, a thousand per transaction.
func schedule(t testing.TB, db *store.DB, jobs ...job.Job) {
	t.Helper()
	for i := 0; i < len(jobs); i += 1000 {
		if err := db.Jobs().Schedule(context.Background(), jobs[i:min(i+1000, len(jobs))]...); err != nil {
			t.Fatal(err)
		}
	}
}
