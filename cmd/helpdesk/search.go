package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// searchReindex rebuilds the full-text index from the data.
func searchReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	a, err := open(ctx, "search reindex", args, stderr, false, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	n, err := a.DB.Search().Reindex(ctx)
	if err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Fprintf(stdout, "indexed %d tickets, %d messages, %d articles in %s (%.0f tickets/s)\n",
		n.Tickets, n.Messages, n.Articles, d.Round(time.Millisecond), float64(n.Tickets)/d.Seconds())
	return nil
}
