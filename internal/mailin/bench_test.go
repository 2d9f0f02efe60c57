package mailin_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"helpdesk/internal/mailin"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// benchCorpus is the mailbox size of the ingest benchmarks:
// HELPDESK_BENCH_MAILS, default 10,000.
func benchCorpus() int {
	if n, err := strconv.Atoi(os.Getenv("HELPDESK_BENCH_MAILS")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// corpus is n messages from 100 senders: a third are replies to earlier
// tickets (subject tag), the rest new tickets.
func corpus(n int, numbers []string) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		from := fmt.Sprintf("Sender %d <sender%03d@bench.example>", i%100, i%100)
		subj := fmt.Sprintf("性能测试 %d: 打印机无法连接 printer offline", i)
		if i%3 == 2 && len(numbers) > 0 {
			subj = "回复: [" + numbers[(i/3)%len(numbers)] + "] 打印机"
		}
		out[i] = mail(from, subj, fmt.Sprintf("第 %d 封。\r\n打印机显示脱机，重启无效。\r\n\r\n> 原文 quoted", i),
			fmt.Sprintf("Message-ID: <bench-%d-%d@bench.example>", time.Now().UnixNano(), i))
	}
	return out
}

func benchIngest(b *testing.B, open func(testing.TB) *store.DB, workers int) {
	n := benchCorpus()
	for b.Loop() {
		b.StopTimer()
		db := open(b)
		r := newRig(b, db, mailin.RateLimit{Count: 1 << 30, Window: time.Hour})
		ctx := context.Background()
		// Warm-up outside the clock: the 100 senders become customers
		// (password hashing is deliberately slow) and own 100 tickets.
		var numbers []string
		for _, raw := range corpus(100, nil) {
			out, err := r.svc.Ingest(ctx, r.mb, raw)
			if err != nil {
				b.Fatal(err)
			}
			numbers = append(numbers, out.TicketNumber)
		}
		msgs := corpus(n, numbers)
		var next atomic.Int64
		var wg sync.WaitGroup
		b.StartTimer()
		start := time.Now()
		for range workers {
			wg.Go(func() {
				for {
					i := next.Add(1) - 1
					if i >= int64(len(msgs)) {
						return
					}
					if _, err := r.svc.Ingest(ctx, r.mb, msgs[i]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		el := time.Since(start)
		b.ReportMetric(float64(n)/el.Seconds(), "msgs/s")
	}
}

// BenchmarkIngest measures intake throughput over a mailbox of
// HELPDESK_BENCH_MAILS messages: one poller (sequential) and four
// entry points at once.
func BenchmarkIngest(b *testing.B) {
	for _, eng := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", func(t testing.TB) *store.DB { return storetest.SQLite(t) }}, {"postgres", storetest.Postgres}} {
		for _, w := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/workers=%d", eng.name, w), func(b *testing.B) { benchIngest(b, eng.open, w) })
		}
	}
}

// BenchmarkIMAPFetch measures fetching a 10,000-message Dovecot folder
// (HELPDESK_BENCH_MAILS) through the poller, intake replaced by a counter,
// and then the whole path into SQLite.
func BenchmarkIMAPFetch(b *testing.B) {
	dv := startDovecot(b)
	n := benchCorpus()
	c := dv.client(b)
	msgs := corpus(n, nil)
	for i := 0; i < n; i += 500 {
		dv.deliver(b, c, "INBOX", msgs[i:min(i+500, n)]...)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.Run("fetch-only", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db := storetest.SQLite(b)
			r := newRig(b, db, mailin.RateLimit{})
			mb, _ := r.svc.SaveMailbox(context.Background(), identityAdmin(), imapBox(dv, "fetch"))
			count := &counter{}
			p := mailin.NewPoller(mailin.PollerDeps{Intake: count, Store: db.Mail(), Log: quiet, Batch: 100})
			b.StartTimer()
			start := time.Now()
			got, err := p.Sync(context.Background(), mb.ID)
			if err != nil || got != n {
				b.Fatalf("fetched %d of %d: %v", got, n, err)
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
		}
	})
}

type counter struct{ n atomic.Int64 }

func (c *counter) Ingest(context.Context, mailin.Mailbox, []byte) (mailin.Outcome, error) {
	c.n.Add(1)
	return mailin.Outcome{Status: mailin.StatusIgnored}, nil
}
