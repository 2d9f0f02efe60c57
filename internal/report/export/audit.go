package export

import (
	"time"

	"helpdesk/internal/audit"
	"helpdesk/internal/report"
)

// auditColumns are the audit log export's headers (catalog keys).
var auditColumns = []report.Label{"audit.col.at", "audit.col.actor", "audit.col.action", "audit.col.target",
	"audit.col.status", "audit.col.ip", "audit.col.request_id"}

// FromAudit makes a sheet of audit log entries, headers translated with
// label, times shown in loc: the one layout of GET /api/v1/audit?format=csv
// and the console's download.
func FromAudit(es []audit.Entry, label func(report.Label) string, loc *time.Location) Sheet {
	s := Sheet{Label: label, Loc: loc}
	for _, k := range auditColumns {
		s.Headers = append(s.Headers, label(k))
	}
	s.Rows = func(emit func([]any) error) error {
		for _, e := range es {
			if err := emit([]any{e.At, e.Actor, e.Action, e.Target, int64(e.Status), e.IP, e.RequestID}); err != nil {
				return err
			}
		}
		return nil
	}
	return s
}
