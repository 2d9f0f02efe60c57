package ticket

import (
	"context"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// RemoteState is where a remote-assistance session stands.
type RemoteState string

// The remote-assistance states.
const (
	RemoteRequested RemoteState = "requested"
	RemoteActive    RemoteState = "active"
	RemoteEnded     RemoteState = "ended"
)

// RemoteSession is a remote-assistance session on a ticket: an agent asks,
// the customer consents (time, scope, tool and session code are recorded),
// and either side ends it.
type RemoteSession struct {
	ID          int64
	TicketID    int64
	State       RemoteState
	Tool        string
	Scope       string
	SessionCode string
	RequestedBy int64
	RequestedAt time.Time
	GrantedBy   int64
	GrantedAt   time.Time
	EndedBy     int64
	EndedAt     time.Time
}

func (s *Service) remoteSession(ctx context.Context, t *Ticket, id int64) (RemoteSession, error) {
	all, err := s.store.RemoteSessions(ctx, t.ID)
	if err != nil {
		return RemoteSession{}, err
	}
	for _, r := range all {
		if r.ID == id {
			return r, nil
		}
	}
	return RemoteSession{}, apperr.New(apperr.NotFound, "remote.not_found")
}

// RemoteSessions lists a ticket's remote-assistance sessions.
func (s *Service) RemoteSessions(ctx context.Context, by identity.Actor, number string) ([]RemoteSession, error) {
	t, rel, err := s.load(ctx, by, number)
	if err != nil {
		return nil, err
	}
	rs, err := s.store.RemoteSessions(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	// The session code opens the customer's computer: only the two sides
	// of the session (and supervisors) see it, and only while it is live.
	for i := range rs {
		if rel&(Requester|Assignee|Supervisor|Admin) == 0 || rs[i].State != RemoteActive {
			rs[i].SessionCode = ""
		}
	}
	return rs, nil
}

// RequestRemote asks the customer for remote access with a tool (e.g. 向日葵,
// ToDesk, TeamViewer) and a scope (what the agent will do).
func (s *Service) RequestRemote(ctx context.Context, by identity.Actor, number, tool, scope string) (RemoteSession, error) {
	tool, scope = strings.TrimSpace(tool), strings.TrimSpace(scope)
	var m apperr.Multi
	if e := checkText("tool", tool, 100, true); e != nil {
		m.Add(e)
	}
	if e := checkText("scope", scope, MaxCommentLen, true); e != nil {
		m.Add(e)
	}
	if err := m.Err(); err != nil {
		return RemoteSession{}, err
	}
	var rs RemoteSession
	_, err := s.apply(ctx, by, number, 0, func(t *Ticket, rel Relation, now time.Time) (Change, error) {
		if rel&(Assignee|Supervisor|Admin) == 0 {
			return Change{}, errForbidden("remote.forbidden")
		}
		if !t.Status.Open() {
			return Change{}, apperr.New(apperr.Conflict, "ticket.not_open")
		}
		rs = RemoteSession{TicketID: t.ID, State: RemoteRequested, Tool: tool, Scope: scope, RequestedBy: by.UserID, RequestedAt: now}
		ev := s.event(by, now, EventRemote, "remote", "", string(RemoteRequested))
		ev.Comment = tool + ": " + scope
		return Change{Remote: &rs, Events: []Event{ev},
			Notices: []Notice{{UserID: t.RequesterID, Kind: "remote.requested", Params: map[string]any{"number": t.Number, "tool": tool}}}}, nil
	})
	return rs, err
}

// GrantRemote records the requester's consent to a requested session, with
// the session code of their remote tool.
func (s *Service) GrantRemote(ctx context.Context, by identity.Actor, number string, id int64, code string) (RemoteSession, error) {
	code = strings.TrimSpace(code)
	if e := checkText("session_code", code, 100, true); e != nil {
		return RemoteSession{}, e
	}
	var rs RemoteSession
	_, err := s.apply(ctx, by, number, 0, func(t *Ticket, rel Relation, now time.Time) (Change, error) {
		if rel&Requester == 0 {
			return Change{}, errForbidden("remote.consent_forbidden")
		}
		r, err := s.remoteSession(ctx, t, id)
		if err != nil {
			return Change{}, err
		}
		if r.State != RemoteRequested {
			return Change{}, apperr.New(apperr.Conflict, "remote.not_requested")
		}
		r.State, r.SessionCode, r.GrantedBy, r.GrantedAt = RemoteActive, code, by.UserID, now
		rs = r
		ev := s.event(by, now, EventRemote, "remote", string(RemoteRequested), string(RemoteActive))
		ev.Comment = fmt.Sprintf("%s: %s", r.Tool, r.Scope)
		var notices []Notice
		if t.AssigneeID != 0 {
			notices = append(notices, Notice{UserID: t.AssigneeID, Kind: "remote.granted", Params: map[string]any{"number": t.Number}})
		}
		return Change{Remote: &rs, Events: []Event{ev}, Notices: notices}, nil
	})
	return rs, err
}

// EndRemote ends (or declines, if not yet granted) a session; the requester
// and staff of the ticket may.
func (s *Service) EndRemote(ctx context.Context, by identity.Actor, number string, id int64) (RemoteSession, error) {
	var rs RemoteSession
	_, err := s.apply(ctx, by, number, 0, func(t *Ticket, rel Relation, now time.Time) (Change, error) {
		if rel&(Requester|Assignee|Supervisor|Admin) == 0 {
			return Change{}, errForbidden("remote.forbidden")
		}
		r, err := s.remoteSession(ctx, t, id)
		if err != nil {
			return Change{}, err
		}
		if r.State == RemoteEnded {
			return Change{}, apperr.New(apperr.Conflict, "remote.ended")
		}
		ev := s.event(by, now, EventRemote, "remote", string(r.State), string(RemoteEnded))
		r.State, r.EndedBy, r.EndedAt = RemoteEnded, by.UserID, now
		rs = r
		return Change{Remote: &rs, Events: []Event{ev}}, nil
	})
	return rs, err
}
