// Package job runs durable background work: SLA deadline timers, automatic
// confirmation and closing of tickets, and later outgoing mail and webhooks.
//
// A job is a row in the database (see Store), written by the same
// transaction as the change that causes it, so a ticket change and its timers
// commit or roll back together (transactional outbox). A Runner on every node
// claims due jobs and hands them to the Handler registered for their kind.
//
// Guarantees:
//
//   - Single claim: claiming marks a job running under one node's name with
//     a lease, atomically (FOR UPDATE SKIP LOCKED on PostgreSQL, the single
//     writer on SQLite), so in normal operation each job runs once, on one
//     node, however many nodes poll.
//   - At least once: a job is marked done only after its handler returns.
//     If the node dies in between, its lease (1 min by default, renewed
//     while the handler runs) expires, the next heartbeat of any runner
//     puts the job back, and another node runs it again. Handlers must
//     therefore be idempotent: check the current state (is the ticket still
//     open? was the breach already recorded?) before acting, and make the
//     effect safe to repeat.
//   - Timeliness: a runner sleeps until the earliest due job, at most Poll
//     (1 s by default), so a job fires within about a second of its due time
//     while the runner has free slots.
//   - Failures are retried with exponential backoff and jitter up to the
//     job's MaxAttempts, then the job is dead: kept for an operator to look
//     at (Store.Dead), retry (Store.Retry) or discard (Store.Discard). A
//     handler panic counts as a failure; a job of an unknown kind goes dead
//     at once.
//
// Jobs with a Key are unique by that key: scheduling the key again moves the
// existing job (new time, payload, fresh attempts) instead of adding one, and
// cancelling the key stops it. Scheduling and cancelling happen in the
// store (internal/store: Jobs.Schedule and Jobs.Cancel, or inside a ticket
// transaction), not here: this package only runs what is due.
package job

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
)

// State is where a job is in its life.
type State string

// The states of a job.
const (
	Scheduled State = "scheduled" // waiting for its time (or for a retry)
	Running   State = "running"   // claimed by a node, under a lease
	Done      State = "done"      // its handler succeeded
	Dead      State = "dead"      // out of attempts, or failed permanently
	Canceled  State = "canceled"  // cancelled by key, or discarded from the dead letters
)

// DefaultMaxAttempts is how many times a job runs before it is dead, when
// the job does not say.
const DefaultMaxAttempts = 10

// Job is one unit of durable work.
type Job struct {
	ID int64
	// Kind selects the handler, e.g. "sla.breach".
	Kind string
	// Key, when set, makes the job unique: scheduling the same key again
	// reschedules it, and Cancel finds it by key. Example:
	// "sla:TS20261122001:first_response:breach".
	Key string
	// RunAt is when the job is due.
	RunAt time.Time
	// Payload is the handler's input as JSON; empty means {}.
	Payload []byte
	// MaxAttempts bounds the runs before the job is dead; 0 means
	// DefaultMaxAttempts.
	MaxAttempts int

	// Filled in by the store.
	State     State
	Attempts  int // runs started, including the current one
	LastError string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// New builds a job whose payload is v encoded as JSON (nil: none).
func New(kind, key string, runAt time.Time, v any) (Job, error) {
	if v == nil {
		return Job{Kind: kind, Key: key, RunAt: runAt}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return Job{}, fmt.Errorf("job: %s payload: %w", kind, err)
	}
	return Job{Kind: kind, Key: key, RunAt: runAt, Payload: b}, nil
}

// Decode unmarshals the job's payload into v. A payload that does not
// decode will not decode on a retry either, so the error is Permanent.
func (j Job) Decode(v any) error {
	p := j.Payload
	if len(p) == 0 {
		p = []byte("{}")
	}
	if err := json.Unmarshal(p, v); err != nil {
		return Permanent(fmt.Errorf("job %d (%s): payload: %w", j.ID, j.Kind, err))
	}
	return nil
}

// Stats counts jobs by state, for metrics and the admin view.
type Stats struct {
	Scheduled, Running, Done, Dead, Canceled int64
}

// Store keeps jobs durably. internal/store implements it on SQLite and
// PostgreSQL; times come from Go, never from the database clock.
type Store interface {
	// Claim atomically takes up to limit scheduled jobs due at now (RunAt
	// <= now), the most overdue first, marks them running by node until
	// now+lease and counts an attempt. Two claims never return the same job
	// while it is running.
	Claim(ctx context.Context, node string, now time.Time, limit int, lease time.Duration) ([]Job, error)
	// Complete marks a job claimed by node done, or schedules it again if it
	// was rescheduled while it ran. It returns ErrLeaseLost when node no
	// longer holds the job.
	Complete(ctx context.Context, id int64, node string) error
	// Fail records a failed run of a job claimed by node: it is scheduled
	// again at retryAt, or dead when retryAt is zero. A job cancelled while
	// it ran is cancelled instead; one rescheduled while it ran keeps its
	// new schedule. It returns ErrLeaseLost when node no longer holds the job.
	Fail(ctx context.Context, id int64, node string, cause error, retryAt time.Time) error
	// Heartbeat extends node's lease on the jobs ids it is still running to
	// now+lease. It also recovers jobs whose lease expired before now (their
	// node died): they are scheduled again at their due time, so the next
	// Claim on any node takes them, unless they were cancelled meanwhile
	// (then cancelled) or that was their last attempt (then dead).
	Heartbeat(ctx context.Context, node string, ids []int64, now time.Time, lease time.Duration) error
	// NextDue returns the earliest RunAt of the scheduled jobs; ok is false
	// when none is scheduled.
	NextDue(ctx context.Context) (at time.Time, ok bool, err error)
	// Dead lists up to limit dead jobs, the most recent first.
	Dead(ctx context.Context, limit int) ([]Job, error)
	// Retry schedules a dead job to run now with fresh attempts. A job that
	// is missing or not dead is a NotFound error with code job.not_found.
	Retry(ctx context.Context, id int64) error
	// Discard removes a dead job from the dead letters (it is kept as
	// cancelled until pruned). Missing or not dead: job.not_found.
	Discard(ctx context.Context, id int64) error
	// Stats counts the jobs by state.
	Stats(ctx context.Context) (Stats, error)
	// Prune deletes done and cancelled jobs that finished before before,
	// returning how many.
	Prune(ctx context.Context, before time.Time) (int64, error)
}

// ErrLeaseLost reports that a node finished a job it no longer held: its
// lease expired and another node claimed the job (which then runs twice;
// see the package comment on idempotent handlers).
var ErrLeaseLost = errors.New("job: lease lost")

// CodeNotFound is the error code for a job that is not in the dead letters.
const CodeNotFound = "job.not_found"

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks a handler error that a retry cannot fix (a payload that
// does not decode, a ticket that no longer exists): the job goes dead at
// once instead of being retried.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Backoff is the default delay before retry number attempt (1 for the
// retry after the first failure): 10 s × 2^(attempt-1), capped at one hour,
// with ±25 % jitter so jobs that failed together do not retry together.
func Backoff(attempt int) time.Duration {
	const base, limit = 10 * time.Second, time.Hour
	d := limit
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 20 {
		d = min(base<<(attempt-1), limit)
	}
	return min(d*3/4+rand.N(d/2), limit)
}

// NodeName returns a name unique to this process: host, pid and a random
// suffix, so a restarted process never mistakes its predecessor's leases
// for its own.
func NodeName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "node"
	}
	b := make([]byte, 4)
	crand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
