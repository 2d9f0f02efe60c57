// Package demo seeds a realistic demo desk.
package demo

import (
	"context"
	"errors"
	"time"

	"helpdesk/internal/store"
)

// Deps are what seeding needs.
type Deps struct {
	DB       *store.DB
	Location *time.Location
	DataDir  string
}

// Login is a demo account to print.
type Login struct{ Role, Login, Password, Note string }

// Result says what seeding did.
type Result struct {
	Seeded bool
	Logins []Login
}

// Seed is being written.
func Seed(ctx context.Context, d Deps) (Result, error) { return Result{}, errors.New("demo: not yet written") }
