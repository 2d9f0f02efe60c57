package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// listenPostgres holds one connection in LISTEN on channel and calls wake
// for every notification.
func listenPostgres(ctx context.Context, dsn, channel string, wake func()) error {
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	if _, err := c.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	wake() // whatever happened before we listened
	for {
		if _, err := c.WaitForNotification(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("store: listen: %w", err)
		}
		wake()
	}
}
