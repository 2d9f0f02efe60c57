package ticket_test

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"helpdesk/internal/apperr"
	"helpdesk/internal/desktest"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// TestAttachmentLimitsSaved: limits an admin saves replace the configured
// ones for the next upload, without a restart.
func TestAttachmentLimitsSaved(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{Limits: ticket.Limits{MaxAttachmentBytes: 2 << 20, AttachmentTypes: []string{"pdf", "txt"}}})
		got, err := d.Tickets.AttachmentLimits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (ticket.Limits{MaxAttachmentBytes: 2 << 20, AttachmentTypes: []string{"pdf", "txt"}}); !reflect.DeepEqual(got, want) {
			t.Fatalf("defaults: got %+v, want %+v", got, want)
		}
		tk := d.NewTicket(t, "cust1", "限制 limits")
		cust := d.Actors["cust1"]
		if _, err := d.Tickets.AddAttachment(ctx, cust, tk.Number, "a.log", bytes.NewReader(logFile)); apperr.KindOf(err) != apperr.Unsupported {
			t.Fatalf("log before saving: got %v, want Unsupported", err)
		}
		saved, err := d.Tickets.SaveAttachmentLimits(ctx, d.Actors["admin"], ticket.Limits{MaxAttachmentBytes: 1 << 20, AttachmentTypes: []string{"LOG", "txt", "log"}})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"log", "txt"}; !reflect.DeepEqual(saved.AttachmentTypes, want) {
			t.Errorf("saved types: got %v, want %v (normalized, unique, sorted)", saved.AttachmentTypes, want)
		}
		if got, _ := d.Tickets.AttachmentLimits(ctx); !reflect.DeepEqual(got, saved) {
			t.Errorf("after save: got %+v, want %+v", got, saved)
		}
		if _, err := d.Tickets.AddAttachment(ctx, cust, tk.Number, "a.log", bytes.NewReader(logFile)); err != nil {
			t.Errorf("log after saving: %v", err)
		}
		if _, err := d.Tickets.AddAttachment(ctx, cust, tk.Number, "a.pdf", bytes.NewReader(pdfFile)); apperr.KindOf(err) != apperr.Unsupported {
			t.Errorf("pdf after removing it: got %v, want Unsupported", err)
		}
		big := bytes.Repeat([]byte("x"), 1<<20+1)
		if _, err := d.Tickets.AddAttachment(ctx, cust, tk.Number, "big.txt", bytes.NewReader(big)); apperr.KindOf(err) != apperr.TooLarge {
			t.Errorf("1 MB + 1 byte at a 1 MB limit: got %v, want TooLarge", err)
		}
	})
}

func TestAttachmentLimitsInvalid(t *testing.T) {
	d := desktest.New(t, storetest.SQLite(t), desktest.Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		by    string
		in    ticket.Limits
		code  string
		field string
	}{
		{"not admin", "super1", ticket.Limits{MaxAttachmentBytes: 1 << 20, AttachmentTypes: []string{"pdf"}}, "auth.forbidden", ""},
		{"zero size", "admin", ticket.Limits{AttachmentTypes: []string{"pdf"}}, "field.out_of_range", "max_mb"},
		{"too big", "admin", ticket.Limits{MaxAttachmentBytes: (ticket.MaxAttachmentMB + 1) << 20, AttachmentTypes: []string{"pdf"}}, "field.out_of_range", "max_mb"},
		{"not whole MB", "admin", ticket.Limits{MaxAttachmentBytes: 1<<20 + 1, AttachmentTypes: []string{"pdf"}}, "field.out_of_range", "max_mb"},
		{"no types", "admin", ticket.Limits{MaxAttachmentBytes: 1 << 20}, "field.required", "types"},
		{"unknown type", "admin", ticket.Limits{MaxAttachmentBytes: 1 << 20, AttachmentTypes: []string{"exe"}}, "attachment.kind_unknown", "types"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.Tickets.SaveAttachmentLimits(ctx, d.Actors[tc.by], tc.in)
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if e.Code != tc.code || e.Field != tc.field {
				t.Errorf("got %s on %q, want %s on %q", e.Code, e.Field, tc.code, tc.field)
			}
		})
	}
	if got, _ := d.Tickets.AttachmentLimits(ctx); got.MaxAttachmentBytes != 10<<20 {
		t.Errorf("a refused save changed the limit to %d", got.MaxAttachmentBytes)
	}
}
