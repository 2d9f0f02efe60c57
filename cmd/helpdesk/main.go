// Command helpdesk runs the Helpdesk service desk and its administrative
// subcommands: serve, migrate, user create, token create, version.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	_ "time/tzdata" // time zones work on hosts without zoneinfo (business calendars need them)

	"helpdesk/internal/app"
	"helpdesk/internal/config"
	"helpdesk/internal/demo"
	"helpdesk/internal/identity"
)

const usage = `Helpdesk — technical support and after-sales service desk

Usage:
  helpdesk serve [--demo] [--addr A] [--data D] [--db URL] [--tz Z] [--lang L]
  helpdesk migrate [--data D] [--db URL]
  helpdesk user create --login L --password P --role R [--group G] [--org O] [--name N] [--email E] [--phone P]
  helpdesk token create --login L [--name N]
  helpdesk search reindex [--offline] [--data D] [--db URL]
  helpdesk version

Every setting can also come from the environment (HELPDESK_ADDR, HELPDESK_DATA,
HELPDESK_DATABASE_URL, HELPDESK_TIMEZONE, HELPDESK_LANGUAGE …); flags win.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "helpdesk:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], stdout, stderr)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			return fmt.Errorf("usage: helpdesk user create --login L --password P --role R")
		}
		return userCreate(ctx, args[2:], stdout, stderr)
	case "token":
		if len(args) < 2 || args[1] != "create" {
			return fmt.Errorf("usage: helpdesk token create --login L")
		}
		return tokenCreate(ctx, args[2:], stdout, stderr)
	case "search":
		if len(args) < 2 || args[1] != "reindex" {
			return fmt.Errorf("usage: helpdesk search reindex")
		}
		return searchReindex(ctx, args[2:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "helpdesk", app.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// open parses the shared flags plus extra ones and opens the desk.
func open(ctx context.Context, name string, args []string, stderr io.Writer, server bool, extra func(*flag.FlagSet)) (*app.App, error) {
	cfg := config.Defaults()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Bind(fs, server)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%s: unexpected argument %q", name, fs.Arg(0))
	}
	return app.Open(ctx, cfg, newLogger(cfg, stderr))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var withDemo bool
	a, err := open(ctx, "serve", args, stderr, true, func(fs *flag.FlagSet) {
		fs.BoolVar(&withDemo, "demo", false, "seed a demo desk on first start")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	var logins []demo.Login
	if withDemo {
		// With three months of settled tickets, so reports, the dashboard
		// and suggestions have something to show from the first start.
		res, err := demo.Seed(ctx, demo.Deps{DB: a.DB, Location: a.Location, DataDir: a.Config.DataDir, History: true})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		logins = res.Logins
	}
	// Migrating (and seeding, which hashes a dozen passwords and plays
	// a few thousand ticket changes) borrowed
	// memory an idle desk does not need: hand it back now rather than
	// whenever the scavenger gets to it.
	debug.FreeOSMemory()
	return a.Serve(ctx, func(addr string) {
		fmt.Fprintf(stdout, "Helpdesk %s is running on http://%s/  (database: %s)\n", app.Version, addr, a.DB.Engine())
		fmt.Fprintf(stdout, "API docs: http://%s/api/docs\n", addr)
		if len(logins) > 0 {
			fmt.Fprintln(stdout, "Demo logins (password for all shown):")
			for _, l := range logins {
				fmt.Fprintf(stdout, "  %-11s %-10s password %-10s %s\n", l.Role, l.Login, l.Password, l.Note)
			}
		}
		fmt.Fprintln(stdout, "Press Ctrl+C to stop.")
	})
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	a, err := open(ctx, "migrate", args, stderr, false, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(stdout, "migrations applied (%s)\n", a.DB.Engine())
	return nil
}

func userCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var in identity.NewUser
	var role, groups string
	a, err := open(ctx, "user create", args, stderr, false, func(fs *flag.FlagSet) {
		fs.StringVar(&in.Login, "login", "", "login name (required)")
		fs.StringVar(&in.Password, "password", "", "password, at least 8 characters (required)")
		fs.StringVar(&role, "role", "", "customer, agent, supervisor or admin (required)")
		fs.StringVar(&groups, "group", "", "support group key(s), comma-separated")
		fs.StringVar(&in.OrgName, "org", "", "customer organization (created if missing)")
		fs.StringVar(&in.Name, "name", "", "display name")
		fs.StringVar(&in.Email, "email", "", "email address")
		fs.StringVar(&in.Phone, "phone", "", "phone number")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	in.Role = identity.Role(role)
	for _, g := range strings.Split(groups, ",") {
		if g = strings.TrimSpace(g); g != "" {
			in.GroupKeys = append(in.GroupKeys, g)
		}
	}
	if in.OrgName != "" {
		if _, err := a.Identity.CreateOrg(ctx, identity.System, in.OrgName); err != nil && !strings.Contains(err.Error(), "org.name_taken") {
			return err
		}
	}
	u, err := a.Identity.CreateUser(ctx, identity.System, in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "created %s %s\n", u.Role, u.Login)
	return nil
}

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var login, name string
	a, err := open(ctx, "token create", args, stderr, false, func(fs *flag.FlagSet) {
		fs.StringVar(&login, "login", "", "user the token acts as (required)")
		fs.StringVar(&name, "name", "cli", "a name to recognise the token by")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	secret, _, err := a.Identity.CreateToken(ctx, identity.System, login, name)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(stdout, secret)
	return nil
}
