package export_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/report/export"
	"helpdesk/internal/report/reportgen"
	"helpdesk/internal/store/storetest"
)

// BenchmarkExportTickets exports HELPDESK_EXPORT_BENCH_N tickets (default
// 2,000; 100000 for the real figure) to XLSX and CSV through the export
// job, and reports the peak Go heap seen during the export (sampled every
// 5 ms) and the process's peak RSS during the export (the high-water mark
// is reset before it, where Linux allows).
func BenchmarkExportTickets(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("HELPDESK_EXPORT_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	db := storetest.SQLite(b)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	end := time.Date(2026, 12, 1, 0, 0, 0, 0, loc)
	if _, err := reportgen.Generate(ctx, db, reportgen.Options{N: n, Days: 30, End: end, Loc: loc, Seed: 3}); err != nil {
		b.Fatal(err)
	}
	d := desktest.New(b, db, desktest.Options{NoUsers: true})
	admin, err := d.Identity.CreateUser(ctx, identity.System, identity.NewUser{Login: "admin", Name: "管理员", Password: "password-123", Role: identity.RoleAdmin})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	svc := export.NewService(export.Deps{Store: db.Exports(), Tickets: d.Tickets, Users: db.Identity(), Dir: dir, Loc: loc,
		Label: func(lang, key string) string { return i18n.T(i18n.Lang(lang), key, nil) }})
	for _, f := range []export.Format{export.XLSX, export.CSV} {
		b.Run(string(f), func(b *testing.B) {
			var peak atomic.Uint64
			// Reset the high-water mark (Linux: clear_refs 5), so peak-RSS is
			// the export's and not the corpus generation's.
			resetPeakRSS()
			rssBefore := procStatus("VmRSS:")
			for b.Loop() {
				rec, err := svc.StartTickets(ctx, identity.ActorOf(admin), export.TicketParams{From: end.AddDate(0, 0, -31), To: end}, f, "zh-CN")
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var base runtime.MemStats
				runtime.ReadMemStats(&base)
				stop := make(chan struct{})
				done := make(chan struct{})
				go func() {
					defer close(done)
					var ms runtime.MemStats
					for {
						select {
						case <-stop:
							return
						case <-time.After(5 * time.Millisecond):
							runtime.ReadMemStats(&ms)
							if ms.HeapInuse > base.HeapInuse {
								if d := ms.HeapInuse - base.HeapInuse; d > peak.Load() {
									peak.Store(d)
								}
							}
						}
					}
				}()
				if err := svc.Run(ctx, rec.ID); err != nil {
					b.Fatal(err)
				}
				close(stop)
				<-done
				got, _ := svc.Get(ctx, identity.ActorOf(admin), rec.ID)
				if got.State != export.Done || got.RowsDone != int64(n) {
					b.Fatalf("export = %+v, want %d rows", got, n)
				}
				st, _ := os.Stat(filepath.Join(dir, got.File))
				b.ReportMetric(float64(st.Size())/1e6, "file-MB")
			}
			b.ReportMetric(float64(peak.Load())/1e6, "peak-heap-MB")
			b.ReportMetric(peakRSS()/1e6, "peak-RSS-MB")
			// The rise of the high-water mark over the resident set before.
			b.ReportMetric(max(0, peakRSS()-rssBefore)/1e6, "RSS-rise-MB")
		})
	}
}

// resetPeakRSS sets the process's VmHWM back to its current RSS.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS reads the process's high-water resident set (VmHWM), in bytes.
func peakRSS() float64 { return procStatus("VmHWM:") }

// procStatus reads a size in kB from /proc/self/status, in bytes.
func procStatus(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb * 1024
		}
	}
	return 0
}
