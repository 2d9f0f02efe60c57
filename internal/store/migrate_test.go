package store_test

import (
	"context"
	"slices"
	"testing"

	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

func TestMigrationVersionsMatch(t *testing.T) {
	lite, err := store.MigrationVersions(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.MigrationVersions(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 {
		t.Fatal("sqlite migrations: got none, want some")
	}
	if !slices.Equal(lite, pg) {
		t.Errorf("got sqlite %v and postgres %v, want the same versions", lite, pg)
	}
	for _, tc := range []struct {
		engine   store.Engine
		versions []string
	}{{store.SQLite, lite}, {store.Postgres, pg}} {
		t.Run(string(tc.engine), func(t *testing.T) {
			if !slices.IsSorted(tc.versions) || len(slices.Compact(slices.Clone(tc.versions))) != len(tc.versions) {
				t.Errorf("got %v, want strictly increasing versions", tc.versions)
			}
		})
	}
}

// freshEngines runs fn on a fresh, unmigrated database of each engine.
func freshEngines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	open := func(t *testing.T, url, dir string) {
		db, err := store.Open(context.Background(), url, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	}
	t.Run("sqlite", func(t *testing.T) { open(t, "", t.TempDir()) })
	t.Run("postgres", func(t *testing.T) { open(t, storetest.PostgresURL(t), "") })
}

func TestMigrateAndReady(t *testing.T) {
	freshEngines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Ready(ctx); err == nil {
			t.Errorf("Ready before Migrate: got nil, want an error")
		}
		for i := range 2 { // a second run finds nothing to do
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("Migrate run %d: %v", i+1, err)
			}
			if err := db.Ready(ctx); err != nil {
				t.Errorf("Ready after Migrate run %d: got %v, want nil", i+1, err)
			}
		}
	})
}

func TestDefaults(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		groups, err := db.Identity().ListGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var groupKeys []string
		for _, g := range groups {
			groupKeys = append(groupKeys, g.Key)
			if g.NameZH == "" || g.NameEN == "" {
				t.Errorf("group %s: got names %q %q, want both", g.Key, g.NameZH, g.NameEN)
			}
		}
		wantGroups := []string{"hardware", "software", "network", "training", "complaint"}
		if !slices.Equal(groupKeys, wantGroups) {
			t.Errorf("groups: got %v, want %v", groupKeys, wantGroups)
		}

		cats, err := db.Tickets().Categories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ key, group string }{
			{"software", "software"},
			{"hardware", "hardware"},
			{"network", "network"},
			{"consultation", "training"},
			{"complaint", "complaint"},
		} {
			t.Run(tc.key, func(t *testing.T) {
				i := slices.IndexFunc(cats, func(c ticket.Category) bool { return c.Key == tc.key })
				if i < 0 {
					t.Fatalf("got no category %s", tc.key)
				}
				c := cats[i]
				if c.GroupKey != tc.group || !c.Active || c.NameZH == "" || c.NameEN == "" || c.GuideZH == "" || c.GuideEN == "" {
					t.Errorf("got %+v, want active, in group %s, with names and guides", c, tc.group)
				}
			})
		}
		if len(cats) != 5 {
			t.Errorf("categories: got %d, want 5", len(cats))
		}

		t.Run("software fields", func(t *testing.T) {
			c, err := db.Tickets().CategoryByKey(ctx, "software")
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, f := range c.Fields {
				keys = append(keys, f.Key+":"+string(f.Type))
			}
			if want := []string{"version:text", "os:select", "network:select"}; !slices.Equal(keys, want) {
				t.Errorf("got %v, want %v", keys, want)
			}
			if v, _ := c.Field("version"); v.MaxLen != 50 {
				t.Errorf("version max: got %d, want 50", v.MaxLen)
			}
			os, _ := c.Field("os")
			if want := []string{"Windows", "macOS", "Linux", "iOS", "Android", "其他 Other"}; !slices.Equal(os.Options, want) {
				t.Errorf("os options: got %v, want %v", os.Options, want)
			}
		})

		t.Run("groups usable by identity", func(t *testing.T) {
			g, err := db.Identity().GroupByKey(ctx, "training")
			if err != nil || g.Key != "training" {
				t.Errorf("got %+v (%v), want the training group", g, err)
			}
		})
	})
}
