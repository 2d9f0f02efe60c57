package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// searchReindex rebuilds the full-text index from the data: while the
// desk serves, or with --offline for a maintenance window (faster on
// PostgreSQL: see store.Search.Rebuild).
func searchReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var offline bool
	a, err := open(ctx, "search reindex", args, stderr, false, func(fs *flag.FlagSet) {
		fs.BoolVar(&offline, "offline", false, "rebuild for a maintenance window: searches are slow and incomplete until it ends")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	reindex := a.DB.Search().Reindex
	if offline {
		reindex = a.DB.Search().Rebuild
	}
	n, err := reindex(ctx)
	if err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Fprintf(stdout, "indexed %d tickets, %d messages, %d articles in %s (%.0f tickets/s)\n",
		n.Tickets, n.Messages, n.Articles, d.Round(time.Millisecond), float64(n.Tickets)/d.Seconds())
	return nil
}
