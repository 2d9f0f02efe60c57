package mailin

import (
	"context"
	"crypto/tls"

	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Ingester is the one intake method every entry point calls.
type Ingester interface {
	Ingest(ctx context.Context, mb Mailbox, raw []byte) (Outcome, error)
}

// PositionStore reads a mailbox and records the IMAP position it reached.
type PositionStore interface {
	Mailbox(ctx context.Context, id int64) (Mailbox, error)
	SetPosition(ctx context.Context, id int64, uidValidity, lastUID uint32) error
}

// PollerDeps are an IMAP poller's collaborators.
type PollerDeps struct {
	Intake Ingester
	Store  PositionStore
	Log    *slog.Logger
	// Poll is how often a server without IDLE is asked for new mail
	// (default 60 s); IdleRestart how long one IDLE lasts before it is
	// renewed (default 25 min, under the 30 min servers allow).
	Poll        time.Duration
	IdleRestart time.Duration
	// TLS configures TLS and STARTTLS connections (nil: system roots).
	TLS *tls.Config
	// Batch is how many messages are fetched per round trip (default 20).
	Batch int
	// NoIdle forces polling even when the server supports IDLE.
	NoIdle bool
}

// Poller fetches new mail from one IMAP mailbox and hands each message to
// intake, in UID order. The position (UIDVALIDITY and the last processed
// UID) is stored after each message, before it is flagged or moved, so a
// restart resumes where it stopped: nothing is fetched twice or skipped. A
// message fetched again after a crash between intake and recording the
// position is a duplicate by Message-ID and creates nothing.
type Poller struct {
	d PollerDeps
}

// NewPoller builds a poller.
func NewPoller(d PollerDeps) *Poller {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Poll <= 0 {
		d.Poll = time.Minute
	}
	if d.IdleRestart <= 0 {
		d.IdleRestart = 25 * time.Minute
	}
	if d.Batch <= 0 {
		d.Batch = 20
	}
	return &Poller{d: d}
}

// Run polls a mailbox until ctx ends, reconnecting with backoff after errors.
func (p *Poller) Run(ctx context.Context, mailboxID int64) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := p.session(ctx, mailboxID, true)
		if ctx.Err() != nil {
			return
		}
		p.d.Log.Warn("imap session ended", "mailbox", mailboxID, "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Minute)
	}
}

// Sync connects once, ingests every new message and returns how many it
// processed.
func (p *Poller) Sync(ctx context.Context, mailboxID int64) (int, error) {
	n := 0
	err := p.sessionN(ctx, mailboxID, false, &n)
	return n, err
}

func (p *Poller) session(ctx context.Context, id int64, wait bool) error {
	var n int
	return p.sessionN(ctx, id, wait, &n)
}

// sessionN is one IMAP connection: select, catch up, then (when wait)
// IDLE or poll and catch up again until ctx ends or the connection fails.
func (p *Poller) sessionN(ctx context.Context, id int64, wait bool, n *int) error {
	mb, err := p.d.Store.Mailbox(ctx, id)
	if err != nil {
		return err
	}
	if !mb.Enabled || mb.Mode != ModeIMAP {
		return fmt.Errorf("mailin: mailbox %d is not an enabled IMAP mailbox", id)
	}
	newMail := make(chan struct{}, 1)
	opts := &imapclient.Options{TLSConfig: p.tlsConfig(mb), UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(data *imapclient.UnilateralDataMailbox) {
			if data.NumMessages != nil {
				select {
				case newMail <- struct{}{}:
				default:
				}
			}
		}}}
	c, err := dial(mb, opts)
	if err != nil {
		return err
	}
	// The connection is not closed when ctx ends: the message in hand is
	// finished (ingested, position recorded, flagged or moved) first, and
	// the wait for new mail watches ctx itself.
	defer c.Close()
	if err := c.Login(mb.IMAP.Username, mb.IMAP.Password).Wait(); err != nil {
		return fmt.Errorf("mailin: imap login: %w", err)
	}
	sel, err := c.Select(mb.IMAP.Folder, nil).Wait()
	if err != nil {
		return fmt.Errorf("mailin: select %s: %w", mb.IMAP.Folder, err)
	}
	if mb.UIDValidity != sel.UIDValidity {
		// A new folder, or the server renumbered it: every UID is new. The
		// folder is read again from the start; Message-ID dedupe keeps that
		// from creating anything twice.
		mb.UIDValidity, mb.LastUID = sel.UIDValidity, 0
		if err := p.d.Store.SetPosition(ctx, mb.ID, mb.UIDValidity, 0); err != nil {
			return err
		}
	}
	if mb.Processed == ActionMove && mb.MoveTo != "" {
		// Create the target folder if it is missing; an error means it exists.
		c.Create(mb.MoveTo, nil).Wait()
	}
	if mb.LastUID > 0 {
		// Mail processed before a crash may still be waiting for its flag
		// or move; doing it again is harmless.
		if err := p.markProcessed(c, mb, imap.UIDSet{imap.UIDRange{Start: 1, Stop: imap.UID(mb.LastUID)}}); err != nil {
			return err
		}
	}
	idle := c.Caps().Has(imap.CapIdle) && !p.d.NoIdle
	for {
		k, err := p.catchUp(ctx, c, &mb)
		*n += k
		if err != nil || !wait {
			return err
		}
		if idle {
			cmd, err := c.Idle()
			if err != nil {
				return fmt.Errorf("mailin: idle: %w", err)
			}
			select {
			case <-ctx.Done():
			case <-newMail:
			case <-time.After(p.d.IdleRestart):
			case <-c.Closed():
			}
			if err := cmd.Close(); err != nil {
				return fmt.Errorf("mailin: idle: %w", err)
			}
			if err := cmd.Wait(); err != nil {
				return fmt.Errorf("mailin: idle: %w", err)
			}
		} else {
			select {
			case <-ctx.Done():
			case <-time.After(p.d.Poll):
			}
			if ctx.Err() == nil {
				if err := c.Noop().Wait(); err != nil {
					return fmt.Errorf("mailin: noop: %w", err)
				}
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func (p *Poller) tlsConfig(mb Mailbox) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if p.d.TLS != nil {
		cfg = p.d.TLS.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = mb.IMAP.Host
	}
	return cfg
}

func dial(mb Mailbox, opts *imapclient.Options) (*imapclient.Client, error) {
	addr := net.JoinHostPort(mb.IMAP.Host, strconv.Itoa(mb.IMAP.Port))
	var c *imapclient.Client
	var err error
	switch mb.IMAP.TLS {
	case TLSStart:
		c, err = imapclient.DialStartTLS(addr, opts)
	case TLSNone:
		c, err = imapclient.DialInsecure(addr, opts)
	default:
		c, err = imapclient.DialTLS(addr, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("mailin: imap %s: %w", addr, err)
	}
	return c, nil
}

// catchUp ingests every message above the last processed UID, oldest first.
func (p *Poller) catchUp(ctx context.Context, c *imapclient.Client, mb *Mailbox) (int, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(mb.LastUID+1), 0) // last+1:*
	found, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("mailin: uid search: %w", err)
	}
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		// "n:*" always matches the highest UID, even below n.
		if uint32(u) > mb.LastUID {
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	done := 0
	for len(uids) > 0 {
		batch := uids[:min(len(uids), p.d.Batch)]
		uids = uids[len(batch):]
		msgs, err := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{UID: true,
			BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
		if err != nil {
			return done, fmt.Errorf("mailin: fetch: %w", err)
		}
		slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
		for _, m := range msgs {
			if ctx.Err() != nil {
				return done, ctx.Err()
			}
			var raw []byte
			if len(m.BodySection) > 0 {
				raw = m.BodySection[0].Bytes
			}
			if _, err := p.d.Intake.Ingest(ctx, *mb, raw); err != nil {
				// The desk could not record it (database down): stop here,
				// the position stays, and the next session fetches it again.
				return done, err
			}
			mb.LastUID = uint32(m.UID)
			// Recorded even when ctx ended meanwhile: the message was ingested.
			if err := p.d.Store.SetPosition(context.WithoutCancel(ctx), mb.ID, mb.UIDValidity, mb.LastUID); err != nil {
				return done, err
			}
			done++
			if err := p.markProcessed(c, *mb, imap.UIDSetNum(m.UID)); err != nil {
				return done, err
			}
		}
	}
	return done, nil
}

// markProcessed flags or moves processed messages, as the mailbox says.
func (p *Poller) markProcessed(c *imapclient.Client, mb Mailbox, set imap.UIDSet) error {
	if mb.Processed == ActionMove && mb.MoveTo != "" {
		if _, err := c.Move(set, mb.MoveTo).Wait(); err != nil {
			return fmt.Errorf("mailin: move to %s: %w", mb.MoveTo, err)
		}
		return nil
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		return fmt.Errorf("mailin: flag: %w", err)
	}
	return nil
}
