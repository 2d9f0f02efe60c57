package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Handler does the work of one kind of job. It must be idempotent: after a
// crash the same job may run again (see the package comment). Returning an
// error schedules a retry; wrap it with Permanent when a retry cannot help.
type Handler func(ctx context.Context, j Job) error

// Deps configures a Runner. Store and Handlers are required; the rest has
// defaults.
type Deps struct {
	Store    Store
	Handlers map[string]Handler
	// Node names this process in leases; unique per process. Default NodeName().
	Node string
	// Poll is the longest the runner sleeps without looking for due jobs
	// (jobs scheduled by other nodes are found this way). Default 1 s.
	Poll time.Duration
	// Lease is how long a claim holds before the job is given to another
	// node; the runner renews it every Lease/3 while the handler runs, and
	// at the same pace puts back the jobs of nodes whose lease expired.
	// Default 1 min.
	Lease time.Duration
	// Concurrency is how many handlers run at once. Default 4.
	Concurrency int
	// Timeout bounds one run of a handler (its context ends). Default 5 min.
	Timeout time.Duration
	// Retention is how long done and cancelled jobs are kept. Default 7 days.
	Retention time.Duration
	// Backoff gives the delay before retry number n. Default Backoff.
	Backoff func(n int) time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Log receives failures. Default slog.Default().
	Log *slog.Logger
}

// Runner claims due jobs and runs their handlers.
type Runner struct {
	d      Deps
	wake   chan struct{}
	quit   chan struct{}
	slots  chan struct{}  // one token per running handler
	loopWG sync.WaitGroup // the claiming loop
	runWG  sync.WaitGroup // handlers
	// endMaint stops lease renewal once the handlers have returned.
	endMaint     chan struct{}
	endMaintOnce sync.Once
	maintWG      sync.WaitGroup

	mu       sync.Mutex
	started  bool
	stopped  bool
	running  map[int64]struct{}
	stopping bool
	cancel   context.CancelFunc // ends the handlers' contexts
}

// NewRunner returns a runner with the defaults filled in. It does nothing
// until Start.
func NewRunner(d Deps) *Runner {
	if d.Node == "" {
		d.Node = NodeName()
	}
	if d.Poll <= 0 {
		d.Poll = time.Second
	}
	if d.Lease <= 0 {
		d.Lease = time.Minute
	}
	if d.Concurrency <= 0 {
		d.Concurrency = 4
	}
	if d.Timeout <= 0 {
		d.Timeout = 5 * time.Minute
	}
	if d.Retention <= 0 {
		d.Retention = 7 * 24 * time.Hour
	}
	if d.Backoff == nil {
		d.Backoff = Backoff
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Runner{d: d, wake: make(chan struct{}, 1), quit: make(chan struct{}), endMaint: make(chan struct{}),
		slots: make(chan struct{}, d.Concurrency), running: map[int64]struct{}{}}
}

// Node returns the name the runner claims jobs under.
func (r *Runner) Node() string { return r.d.Node }

// Start begins claiming and running jobs in the background. ctx carries
// values to the handlers; when it ends the runner stops claiming, as after
// Stop. A runner starts once.
func (r *Runner) Start(ctx context.Context) error {
	if r.d.Store == nil {
		return errors.New("job: runner without a store")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopped {
		return errors.New("job: a runner starts once, before Stop")
	}
	r.started = true
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel = cancel
	r.loopWG.Add(1)
	r.maintWG.Add(1)
	go r.loop(ctx, hctx)
	go r.maintain()
	return nil
}

// Wake makes the runner look for due jobs now instead of at its next poll.
// Call it after scheduling a job that is due soon; it never blocks.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Stop stops claiming jobs and waits for the running handlers to return
// (their leases are renewed meanwhile). When ctx ends first, it cancels the
// handlers' contexts, gives them a moment, stops renewing leases and
// returns ctx's error; a job interrupted this way is scheduled to run again
// at once, and one whose handler ignores its context is taken over by
// another node (or this one after a restart) when its lease expires. Only
// the first call waits; later ones return nil.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	if r.stopped || !r.started {
		r.stopped = true
		r.mu.Unlock()
		return nil
	}
	r.stopped = true
	close(r.quit)
	r.mu.Unlock()

	done := make(chan struct{})
	go func() {
		r.loopWG.Wait()
		r.runWG.Wait()
		r.endMaintOnce.Do(func() { close(r.endMaint) })
		r.maintWG.Wait()
		close(done)
	}()
	select {
	case <-done:
		r.cancel()
		return nil
	case <-ctx.Done():
	}
	r.mu.Lock()
	r.stopping = true
	r.mu.Unlock()
	r.cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		r.endMaintOnce.Do(func() { close(r.endMaint) })
	}
	return fmt.Errorf("job: stop: %w", ctx.Err())
}

// loop claims jobs whenever a slot is free and something is due, and
// otherwise sleeps until the next due job, a Wake, or the poll interval.
func (r *Runner) loop(ctx, hctx context.Context) {
	defer r.loopWG.Done()
	// Store calls are not cancelled mid-way: a claim that committed must
	// reach us, or its jobs would sit under our lease until it expired.
	sctx := context.WithoutCancel(ctx)
	for {
		// Wait for one free slot, then take every other free one.
		select {
		case r.slots <- struct{}{}:
		case <-r.quit:
			return
		case <-ctx.Done():
			return
		}
		n := 1
	fill:
		for n < r.d.Concurrency {
			select {
			case r.slots <- struct{}{}:
				n++
			default:
				break fill
			}
		}
		jobs, err := r.d.Store.Claim(sctx, r.d.Node, r.d.Now(), n, r.d.Lease)
		if err != nil {
			r.d.Log.Error("job: claim", "node", r.d.Node, "err", err)
		}
		for range n - len(jobs) {
			<-r.slots
		}
		for _, j := range jobs {
			r.runWG.Add(1)
			r.track(j.ID, true)
			go r.run(hctx, j)
		}
		if err == nil && len(jobs) == n {
			continue // maybe more are due: claim again when a slot frees
		}
		d := r.d.Poll
		if err == nil {
			if at, ok, err := r.d.Store.NextDue(sctx); err == nil && ok {
				d = min(d, at.Sub(r.d.Now()))
			}
			if len(jobs) == 0 {
				// Something due that we could not take (another node holds
				// it for a moment) must not make us spin.
				d = max(d, min(10*time.Millisecond, r.d.Poll))
			}
		}
		if !r.sleep(ctx, d) {
			return
		}
	}
}

// sleep waits for d, a Wake, or the end; it reports whether to go on.
func (r *Runner) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.wake:
	case <-r.quit:
		return false
	case <-ctx.Done():
		return false
	}
	return true
}

func (r *Runner) track(id int64, on bool) {
	r.mu.Lock()
	if on {
		r.running[id] = struct{}{}
	} else {
		delete(r.running, id)
	}
	r.mu.Unlock()
}

// run executes one claimed job and records the outcome.
func (r *Runner) run(hctx context.Context, j Job) {
	defer r.runWG.Done()
	defer func() { <-r.slots }()
	defer r.track(j.ID, false)
	sctx := context.WithoutCancel(hctx)
	log := r.d.Log.With("job", j.ID, "kind", j.Kind, "key", j.Key, "attempt", j.Attempts, "node", r.d.Node)

	err := r.call(hctx, j)
	if err == nil {
		if err := r.d.Store.Complete(sctx, j.ID, r.d.Node); err != nil {
			log.Warn("job: complete", "err", err)
		}
		return
	}
	var retryAt time.Time
	limit := j.MaxAttempts
	if limit <= 0 {
		limit = DefaultMaxAttempts
	}
	r.mu.Lock()
	interrupted := r.stopping && errors.Is(err, context.Canceled)
	r.mu.Unlock()
	switch {
	case interrupted:
		retryAt = r.d.Now() // shutting down is not the job's fault
	case !IsPermanent(err) && j.Attempts < limit:
		retryAt = r.d.Now().Add(r.d.Backoff(j.Attempts))
	}
	if ferr := r.d.Store.Fail(sctx, j.ID, r.d.Node, err, retryAt); ferr != nil {
		log.Warn("job: record failure", failAttrs(err, "store_err", ferr)...)
		return
	}
	if retryAt.IsZero() {
		log.Error("job: dead", failAttrs(err)...)
	} else {
		log.Warn("job: failed, will retry", failAttrs(err, "retry_at", retryAt)...)
	}
}

// call runs the job's handler with its timeout, turning a panic into an error.
func (r *Runner) call(hctx context.Context, j Job) (err error) {
	h, ok := r.d.Handlers[j.Kind]
	if !ok {
		return Permanent(fmt.Errorf("job: no handler for kind %q", j.Kind))
	}
	ctx, cancel := context.WithTimeout(hctx, r.d.Timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = panicError{value: p, stack: debug.Stack()}
		}
	}()
	return h(ctx, j)
}

// panicError is a recovered handler panic; the stack goes to the log, not
// into the job's last error.
type panicError struct {
	value any
	stack []byte
}

func (e panicError) Error() string { return fmt.Sprintf("job: handler panicked: %v", e.value) }

// failAttrs adds the stack of a panic to a failure's log line.
func failAttrs(err error, attrs ...any) []any {
	attrs = append(attrs, "err", err)
	var p panicError
	if errors.As(err, &p) {
		attrs = append(attrs, "stack", string(p.stack))
	}
	return attrs
}

// maintain renews the leases of running handlers (also while they finish
// during a graceful stop) and prunes old jobs.
func (r *Runner) maintain() {
	defer r.maintWG.Done()
	ctx := context.Background()
	beat := time.NewTicker(r.d.Lease / 3)
	defer beat.Stop()
	var pruned time.Time
	for {
		select {
		case <-beat.C:
		case <-r.endMaint:
			return
		}
		r.mu.Lock()
		ids := make([]int64, 0, len(r.running))
		for id := range r.running {
			ids = append(ids, id)
		}
		r.mu.Unlock()
		now := r.d.Now()
		if err := r.d.Store.Heartbeat(ctx, r.d.Node, ids, now, r.d.Lease); err != nil {
			r.d.Log.Error("job: heartbeat", "node", r.d.Node, "err", err)
		}
		r.Wake() // the heartbeat may have put a dead node's jobs back
		if now.Sub(pruned) >= time.Hour {
			pruned = now
			if _, err := r.d.Store.Prune(ctx, now.Add(-r.d.Retention)); err != nil {
				r.d.Log.Error("job: prune", "err", err)
			}
		}
	}
}
