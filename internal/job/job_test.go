package job_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"helpdesk/internal/job"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempt  int
		min, max time.Duration
	}{
		{0, 7500 * time.Millisecond, 12500 * time.Millisecond},
		{1, 7500 * time.Millisecond, 12500 * time.Millisecond},
		{2, 15 * time.Second, 25 * time.Second},
		{5, 120 * time.Second, 200 * time.Second},
		{9, 1920 * time.Second, time.Hour},
		{10, 45 * time.Minute, time.Hour},
		{64, 45 * time.Minute, time.Hour},
	} {
		for range 50 {
			if got := job.Backoff(tc.attempt); got < tc.min || got > tc.max {
				t.Errorf("Backoff(%d) = %v, want within [%v, %v]", tc.attempt, got, tc.min, tc.max)
				break
			}
		}
	}
}

func TestPermanent(t *testing.T) {
	cause := errors.New("ticket gone")
	err := job.Permanent(cause)
	if !job.IsPermanent(err) || !errors.Is(err, cause) || err.Error() != "ticket gone" {
		t.Errorf("Permanent: got %v (permanent %v), want the cause marked permanent", err, job.IsPermanent(err))
	}
	if job.IsPermanent(cause) || job.Permanent(nil) != nil {
		t.Errorf("got a plain error or nil marked permanent, want neither")
	}
}

func TestNewAndDecode(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	j, err := job.New("sla.breach", "sla:TS1:resolution:breach", at, map[string]any{"ticket": "TS1", "target": "resolution"})
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Ticket, Target string }
	if err := j.Decode(&p); err != nil || p.Ticket != "TS1" || p.Target != "resolution" {
		t.Errorf("Decode: got %+v (%v), want the payload back", p, err)
	}
	if _, err := job.New("k", "", at, func() {}); err == nil {
		t.Errorf("New with an unencodable payload: got nil, want an error")
	}
	if err := (job.Job{Payload: []byte("[1]")}).Decode(&p); !job.IsPermanent(err) {
		t.Errorf("Decode of a mismatched payload: got %v, want a permanent error", err)
	}
	empty, _ := job.New("k", "", at, nil)
	if err := empty.Decode(&p); err != nil || len(empty.Payload) != 0 {
		t.Errorf("nil payload: got %q (%v), want none that decodes as {}", empty.Payload, err)
	}
}

func TestNodeNameUnique(t *testing.T) {
	a, b := job.NodeName(), job.NodeName()
	if a == b || a == "" {
		t.Errorf("NodeName: got %q and %q, want two different names", a, b)
	}
}

func TestRunnerLifecycleErrors(t *testing.T) {
	ctx := context.Background()
	if err := job.NewRunner(job.Deps{}).Start(ctx); err == nil {
		t.Errorf("Start without a store: got nil, want an error")
	}
	if err := job.NewRunner(job.Deps{}).Stop(ctx); err != nil {
		t.Errorf("Stop before Start: got %v, want nil", err)
	}
	stopped := job.NewRunner(job.Deps{Store: nopStore{}})
	stopped.Stop(ctx)
	if err := stopped.Start(ctx); err == nil {
		t.Errorf("Start after Stop: got nil, want an error")
	}
	if n := job.NewRunner(job.Deps{}).Node(); n == "" {
		t.Errorf("default node name: got empty, want one")
	}
}

// nopStore is a Store with nothing in it.
type nopStore struct{ job.Store }
