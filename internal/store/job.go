package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/job"
)

// Jobs implements job.Store: durable jobs in the jobs table.
//
// A running job carries after_run, what to do when its current run ends:
// empty (finish normally), 'rerun' (it was rescheduled while running:
// schedule it again with the new time and payload) or 'cancel' (it was
// cancelled while running: do not retry it). So rescheduling or cancelling
// never touches the lease of a run in progress, and the run's outcome never
// overwrites the newer schedule.
type Jobs struct{ db *DB }

// Jobs returns the job store.
func (db *DB) Jobs() *Jobs { return &Jobs{db: db} }

var _ job.Store = (*Jobs)(nil)

// jobCols selects a job for scanJob.
const jobCols = `id, kind, COALESCE(key, ''), run_at, payload, state, attempts, max_attempts, last_error, created_at, updated_at`

func scanJob(row scanner) (job.Job, error) {
	var j job.Job
	var payload, state string
	var runAt, created, updated int64
	err := row.Scan(&j.ID, &j.Kind, &j.Key, &runAt, &payload, &state, &j.Attempts, &j.MaxAttempts, &j.LastError,
		&created, &updated)
	j.Payload, j.State = []byte(payload), job.State(state)
	j.RunAt, j.CreatedAt, j.UpdatedAt = time.UnixMicro(runAt).UTC(), time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return j, err
}

// maxErrorLen bounds the stored last error; a handler may fail with a
// whole response body.
const maxErrorLen = 2000

// scheduleJob inserts j inside tx, or, when a job with j's key exists,
// reschedules it: new kind, time, payload and attempt budget, fresh
// attempts, whatever state it was in. A job running right now keeps its
// lease and finishes its run; the new schedule takes effect when that run
// ends (after_run = 'rerun'). The ticket store calls this from its own
// transactions, so a change and its timers commit together.
func scheduleJob(ctx context.Context, tx conn, j job.Job) error {
	if j.Kind == "" || j.RunAt.IsZero() || j.MaxAttempts < 0 {
		return fmt.Errorf("store: schedule job %q (key %q): kind and run time are required", j.Kind, j.Key)
	}
	payload := "{}"
	if len(j.Payload) > 0 {
		if !json.Valid(j.Payload) {
			return fmt.Errorf("store: schedule job %s (key %q): payload is not JSON", j.Kind, j.Key)
		}
		payload = string(j.Payload)
	}
	attempts := j.MaxAttempts
	if attempts == 0 {
		attempts = job.DefaultMaxAttempts
	}
	var key any
	if j.Key != "" {
		key = j.Key
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO jobs (kind, key, run_at, payload, state, max_attempts, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 'scheduled', $5, $6, $6)
		ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, run_at = excluded.run_at, payload = excluded.payload,
			max_attempts = excluded.max_attempts, updated_at = excluded.updated_at, done_at = NULL,
			state = CASE WHEN jobs.state = 'running' THEN 'running' ELSE 'scheduled' END,
			attempts = CASE WHEN jobs.state = 'running' THEN jobs.attempts ELSE 0 END,
			last_error = CASE WHEN jobs.state = 'running' THEN jobs.last_error ELSE '' END,
			after_run = CASE WHEN jobs.state = 'running' THEN 'rerun' ELSE '' END`,
		j.Kind, key, j.RunAt.UnixMicro(), payload, attempts, time.Now().UnixMicro())
	if err != nil {
		return fmt.Errorf("store: schedule job %s (key %q): %w", j.Kind, j.Key, err)
	}
	return nil
}

// cancelJobs cancels the jobs with the given keys inside tx: scheduled and
// dead ones at once, a running one when its run ends (it is not retried).
// Keys without a job are ignored.
func cancelJobs(ctx context.Context, tx conn, keys ...string) error {
	now := time.Now().UnixMicro()
	for _, k := range keys {
		_, err := tx.ExecContext(ctx, `UPDATE jobs SET
			state = CASE WHEN state = 'running' THEN 'running' ELSE 'canceled' END,
			after_run = CASE WHEN state = 'running' THEN 'cancel' ELSE '' END,
			done_at = CASE WHEN state = 'running' THEN done_at ELSE $2 END,
			updated_at = $2
			WHERE key = $1 AND state IN ('scheduled', 'running', 'dead')`, k, now)
		if err != nil {
			return fmt.Errorf("store: cancel job %q: %w", k, err)
		}
	}
	return nil
}

// Schedule schedules (or reschedules, by key) jobs in one transaction.
func (s *Jobs) Schedule(ctx context.Context, jobs ...job.Job) error {
	return s.db.tx(ctx, func(tx conn) error {
		for _, j := range jobs {
			if err := scheduleJob(ctx, tx, j); err != nil {
				return err
			}
		}
		return nil
	})
}

// Cancel cancels the jobs with the given keys in one transaction.
func (s *Jobs) Cancel(ctx context.Context, keys ...string) error {
	return s.db.tx(ctx, func(tx conn) error { return cancelJobs(ctx, tx, keys...) })
}

// ByKey returns the job with a key; a missing one is job.not_found.
func (s *Jobs) ByKey(ctx context.Context, key string) (job.Job, error) {
	j, err := scanJob(s.db.read().QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE key = $1`, key))
	return j, notFound(err, "job.not_found", "job "+key)
}

// The claim is one statement that walks the (state, run_at) index in
// order and stops after limit rows, however many jobs wait. Jobs of a
// node that died are put back to scheduled by Heartbeat, so the claim has
// only this one shape (an OR with the expired-lease case would make both
// engines sort every waiting job on every claim). On PostgreSQL the rows
// are locked with SKIP LOCKED, so claims on several nodes take disjoint
// jobs without waiting for each other; MATERIALIZED keeps the planner from
// inlining the locking subquery. On SQLite the statement holds the single
// write lock.
// The limit is written into the text (claimFor): SQLite re-prepares a
// statement whose LIMIT is a bound parameter on every run.
const claimPick = `SELECT id FROM jobs WHERE state = 'scheduled' AND run_at <= $1 ORDER BY run_at LIMIT %d`

const claimSet = `state = 'running', locked_by = $2, locked_until = $3, attempts = attempts + 1, updated_at = $1`

var claimSQL = map[Engine]string{
	Postgres: `WITH next AS MATERIALIZED (` + claimPick + ` FOR UPDATE SKIP LOCKED)
		UPDATE jobs SET ` + claimSet + ` FROM next WHERE jobs.id = next.id
		RETURNING jobs.id, jobs.kind, COALESCE(jobs.key, ''), jobs.run_at, jobs.payload, jobs.state, jobs.attempts,
			jobs.max_attempts, jobs.last_error, jobs.created_at, jobs.updated_at`,
	SQLite: `UPDATE jobs SET ` + claimSet + ` WHERE id IN (` + claimPick + `) RETURNING ` + jobCols,
}

// Claim takes up to limit due jobs for node; see job.Store.
func (s *Jobs) Claim(ctx context.Context, node string, now time.Time, limit int, lease time.Duration) ([]job.Job, error) {
	q := fmt.Sprintf(claimSQL[s.db.engine], max(1, min(limit, 1000)))
	rows, err := s.db.write().QueryContext(ctx, q, now.UnixMicro(), node, now.Add(lease).UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	defer rows.Close()
	var out []job.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("store: claim jobs: %w", err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	// RETURNING promises no order; run the most overdue first.
	slices.SortFunc(out, func(a, b job.Job) int {
		return cmp.Or(a.RunAt.Compare(b.RunAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// held turns "no row updated" into job.ErrLeaseLost.
func held(res sql.Result, err error, what string, id int64) error {
	if err != nil {
		return fmt.Errorf("store: %s job %d: %w", what, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: %s job %d: %w", what, id, err)
	} else if n == 0 {
		return fmt.Errorf("store: %s job %d: %w", what, id, job.ErrLeaseLost)
	}
	return nil
}

// Complete finishes a run of a job node holds; see job.Store.
func (s *Jobs) Complete(ctx context.Context, id int64, node string) error {
	res, err := s.db.write().ExecContext(ctx, `UPDATE jobs SET
		state = CASE WHEN after_run = 'rerun' THEN 'scheduled' ELSE 'done' END,
		attempts = CASE WHEN after_run = 'rerun' THEN 0 ELSE attempts END,
		done_at = CASE WHEN after_run = 'rerun' THEN NULL ELSE CAST($3 AS BIGINT) END,
		after_run = '', locked_by = '', locked_until = NULL, updated_at = $3
		WHERE id = $1 AND locked_by = $2 AND state = 'running'`, id, node, time.Now().UnixMicro())
	return held(res, err, "complete", id)
}

// Fail records a failed run of a job node holds; see job.Store.
func (s *Jobs) Fail(ctx context.Context, id int64, node string, cause error, retryAt time.Time) error {
	msg := "unknown error"
	if cause != nil {
		msg = strings.ToValidUTF8(cause.Error(), "?")
	}
	if len(msg) > maxErrorLen {
		msg = strings.ToValidUTF8(msg[:maxErrorLen], "") + "…"
	}
	var retry int64 // 0: dead
	if !retryAt.IsZero() {
		retry = retryAt.UnixMicro()
	}
	res, err := s.db.write().ExecContext(ctx, `UPDATE jobs SET
		state = CASE WHEN after_run = 'rerun' THEN 'scheduled' WHEN after_run = 'cancel' THEN 'canceled'
			WHEN CAST($4 AS BIGINT) = 0 THEN 'dead' ELSE 'scheduled' END,
		run_at = CASE WHEN after_run = '' AND CAST($4 AS BIGINT) <> 0 THEN CAST($4 AS BIGINT) ELSE run_at END,
		attempts = CASE WHEN after_run = 'rerun' THEN 0 ELSE attempts END,
		done_at = CASE WHEN after_run = 'cancel' OR (after_run = '' AND CAST($4 AS BIGINT) = 0) THEN CAST($5 AS BIGINT) ELSE NULL END,
		last_error = $3, after_run = '', locked_by = '', locked_until = NULL, updated_at = $5
		WHERE id = $1 AND locked_by = $2 AND state = 'running'`, id, node, msg, retry, time.Now().UnixMicro())
	return held(res, err, "fail", id)
}

// Heartbeat renews node's leases and settles expired ones; see job.Store.
func (s *Jobs) Heartbeat(ctx context.Context, node string, ids []int64, now time.Time, lease time.Duration) error {
	w := s.db.write()
	if len(ids) > 0 {
		args := []any{now.Add(lease).UnixMicro(), node}
		ph := make([]string, len(ids))
		for i, id := range ids {
			args = append(args, id)
			ph[i] = fmt.Sprintf("$%d", i+3)
		}
		_, err := w.ExecContext(ctx, `UPDATE jobs SET locked_until = $1 WHERE locked_by = $2 AND state = 'running'
			AND id IN (`+strings.Join(ph, ",")+`)`, args...)
		if err != nil {
			return fmt.Errorf("store: renew job leases: %w", err)
		}
	}
	// A lease that expired belongs to a node that died (or hung past its
	// lease): its job goes back to scheduled, keeping its due time, so the
	// next claim on any node runs it first. A job cancelled meanwhile is
	// cancelled, one that used its last attempt is dead.
	_, err := w.ExecContext(ctx, `UPDATE jobs SET
		state = CASE WHEN after_run = 'cancel' THEN 'canceled'
			WHEN after_run = '' AND attempts >= max_attempts THEN 'dead' ELSE 'scheduled' END,
		attempts = CASE WHEN after_run = 'rerun' THEN 0 ELSE attempts END,
		last_error = CASE WHEN after_run = '' THEN 'job: lease of node ' || locked_by || ' expired during the run'
			ELSE last_error END,
		done_at = CASE WHEN after_run = 'cancel' OR (after_run = '' AND attempts >= max_attempts) THEN CAST($1 AS BIGINT) END,
		after_run = '', locked_by = '', locked_until = NULL, updated_at = $1
		WHERE state = 'running' AND locked_until <= $1`, now.UnixMicro())
	if err != nil {
		return fmt.Errorf("store: settle expired jobs: %w", err)
	}
	return nil
}

// NextDue returns the earliest time a scheduled job is due.
func (s *Jobs) NextDue(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	if err := s.db.read().QueryRowContext(ctx, `SELECT MIN(run_at) FROM jobs WHERE state = 'scheduled'`).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("store: next due job: %w", err)
	}
	return tm(at), at.Valid, nil
}

// Dead lists dead jobs, the most recently failed first.
func (s *Jobs) Dead(ctx context.Context, limit int) ([]job.Job, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE state = 'dead'
		ORDER BY updated_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: dead jobs: %w", err)
	}
	defer rows.Close()
	var out []job.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("store: dead jobs: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// deadOnly reports a missing or not-dead job as job.not_found.
func deadOnly(res sql.Result, err error, id int64) error {
	if err != nil {
		return fmt.Errorf("store: job %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("job.not_found", "store: job %d is not dead", id)
	}
	return nil
}

// Retry schedules a dead job to run now with fresh attempts.
func (s *Jobs) Retry(ctx context.Context, id int64) error {
	res, err := s.db.write().ExecContext(ctx, `UPDATE jobs SET state = 'scheduled', run_at = $2, attempts = 0,
		done_at = NULL, updated_at = $2 WHERE id = $1 AND state = 'dead'`, id, time.Now().UnixMicro())
	return deadOnly(res, err, id)
}

// Discard cancels a dead job, taking it off the dead letters.
func (s *Jobs) Discard(ctx context.Context, id int64) error {
	res, err := s.db.write().ExecContext(ctx, `UPDATE jobs SET state = 'canceled', done_at = $2, updated_at = $2
		WHERE id = $1 AND state = 'dead'`, id, time.Now().UnixMicro())
	return deadOnly(res, err, id)
}

// Stats counts jobs by state.
func (s *Jobs) Stats(ctx context.Context) (job.Stats, error) {
	var st job.Stats
	rows, err := s.db.read().QueryContext(ctx, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
	if err != nil {
		return st, fmt.Errorf("store: job stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			return st, fmt.Errorf("store: job stats: %w", err)
		}
		switch job.State(state) {
		case job.Scheduled:
			st.Scheduled = n
		case job.Running:
			st.Running = n
		case job.Done:
			st.Done = n
		case job.Dead:
			st.Dead = n
		case job.Canceled:
			st.Canceled = n
		}
	}
	return st, rows.Err()
}

// pruneBatch bounds one delete, so pruning never holds the SQLite writer long.
const pruneBatch = 1000

// Prune deletes done and cancelled jobs finished before before.
func (s *Jobs) Prune(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := s.db.write().ExecContext(ctx, `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
			WHERE state IN ('done', 'canceled') AND done_at < $1 LIMIT $2)`, before.UnixMicro(), pruneBatch)
		if err != nil {
			return total, fmt.Errorf("store: prune jobs: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("store: prune jobs: %w", err)
		}
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}
