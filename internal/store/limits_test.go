package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

func TestAttachmentLimitsStore(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := db.Web()
		got, err := s.AttachmentLimits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, ticket.Limits{}) {
			t.Errorf("never saved: got %+v, want zero (config applies)", got)
		}
		want := ticket.Limits{MaxAttachmentBytes: 25 << 20, AttachmentTypes: []string{"jpg", "pdf"}}
		if err := s.SaveAttachmentLimits(ctx, want, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.AttachmentLimits(ctx); !reflect.DeepEqual(got, want) {
			t.Errorf("saved: got %+v, want %+v", got, want)
		}
		kv, _ := s.SiteSettings(ctx)
		if kv["attachment_max_bytes"] != "26214400" || kv["attachment_types"] != "jpg,pdf" {
			t.Errorf("site_settings rows: %v", kv)
		}
	})
}
