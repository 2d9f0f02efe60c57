package kb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
)

// Limits on article content.
const (
	MaxTitleLen   = 200
	MaxBodyLen    = 100000
	MaxTags       = 10
	MaxTagLen     = 30
	MaxCommentLen = 2000
)

// Store keeps articles. Writes that change content also write the new
// version, the review trail entry and the search document in the same
// transaction.
type Store interface {
	CreateArticle(ctx context.Context, a Article, r Review, maskings []Masking) (Article, error)
	// SaveArticle writes a's fields if the article is still at state
	// expect and version expectVersion; newVersion adds a's content as
	// version a.Version. It fails with kb.conflict otherwise.
	SaveArticle(ctx context.Context, a Article, expect State, expectVersion int, newVersion bool, r Review) (Article, error)
	Article(ctx context.Context, id int64) (Article, error)
	ListArticles(ctx context.Context, q ListQuery) ([]Article, error)
	Versions(ctx context.Context, id int64) ([]Version, error)
	VersionOf(ctx context.Context, id int64, n int) (Version, error)
	Reviews(ctx context.Context, id int64) ([]Review, error)
	Maskings(ctx context.Context, id int64) ([]Masking, error)
	ConfirmMasking(ctx context.Context, id int64, seq int) error
	AddFeedback(ctx context.Context, f Feedback) (Article, error)
	// AnonymousFeedback counts an anonymous voter's answers: on the article
	// since onArticleSince, and on any article since anySince.
	AnonymousFeedback(ctx context.Context, voter string, article int64, onArticleSince, anySince time.Time) (onArticle, any int, err error)
	AddDeflection(ctx context.Context, d Deflection) (Deflection, error)
	CategoryID(ctx context.Context, key string) (int64, error)
}

// ListQuery selects articles for a listing.
type ListQuery struct {
	States     []State
	Audiences  []string
	CategoryID int64
	Lang       string
	// Title keeps the articles whose title contains it, any case.
	Title string
	Limit int
	// AfterID pages: articles with a smaller id than this (newest first).
	AfterID int64
	// SourceTicketID keeps the articles drafted from that ticket.
	SourceTicketID int64
}

// Deps are the knowledge base's collaborators.
type Deps struct {
	Store   Store
	Tickets Tickets
	Search  Searcher
	// Users finds the requester's display name to mask in drafts.
	Users Users
	// Suggester runs the category and priority suggestions (suggest.go).
	Suggester *Suggester
	// Blobs and Attachments keep article files (attach.go).
	Blobs       Blobs
	Attachments AttachmentStore
	// Macros keeps canned responses, Actions runs them (macro.go).
	Macros  MacroStore
	Actions TicketActions
	Now     func() time.Time
}

// Users looks people up by login.
type Users interface {
	UserByLogin(ctx context.Context, by identity.Actor, login string) (identity.User, error)
}

// Service runs the knowledge base's use cases.
type Service struct {
	store   Store
	tickets Tickets
	search  Searcher
	users   Users
	sug     *Suggester
	macros  MacroStore
	actions TicketActions
	blobs   Blobs
	atts    AttachmentStore
	now     func() time.Time
}

// NewService builds the knowledge base service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{store: d.Store, tickets: d.Tickets, search: d.Search, users: d.Users, sug: d.Suggester,
		macros: d.Macros, actions: d.Actions, blobs: d.Blobs, atts: d.Attachments, now: d.Now}
}

// Draft is an article's editable content as a caller gives it.
type Draft struct {
	Title    string
	Body     string
	Category string // key, optional
	Tags     []string
	Audience string
	Lang     string
}

func isStaff(a identity.Actor) bool    { return a.System || a.Role.Staff() }
func isReviewer(a identity.Actor) bool { return CanReview(a) }

// CanReview reports whether an actor may review articles (approve, send
// back, archive, confirm maskings): supervisors and admins.
func CanReview(a identity.Actor) bool {
	return a.IsAdmin() || a.Role == identity.RoleSupervisor
}

func errForbidden() error        { return apperr.New(apperr.Forbidden, "kb.forbidden") }
func errNotFound(id int64) error { return apperr.NotFoundf("kb.not_found", "article %d", id) }

// check validates a draft into an article's content fields.
func (s *Service) check(ctx context.Context, d Draft, a *Article) error {
	var m apperr.Multi
	title := strings.TrimSpace(d.Title)
	switch n := utf8.RuneCountInString(title); {
	case !utf8.ValidString(d.Title) || !utf8.ValidString(d.Body):
		m.Add(apperr.FieldError("field.invalid_utf8", "body", nil))
	case n == 0:
		m.Add(apperr.FieldError("field.required", "title", nil))
	case n > MaxTitleLen:
		m.Add(apperr.FieldError("field.too_long", "title", map[string]any{"max": MaxTitleLen}))
	case strings.ContainsAny(title, "\r\n"):
		m.Add(apperr.FieldError("field.control_char", "title", nil))
	}
	if utf8.RuneCountInString(d.Body) > MaxBodyLen {
		m.Add(apperr.FieldError("field.too_long", "body", map[string]any{"max": MaxBodyLen}))
	}
	if strings.TrimSpace(d.Body) == "" {
		m.Add(apperr.FieldError("field.required", "body", nil))
	}
	aud := Audience(d.Audience)
	if aud == "" {
		aud = AudienceInternal
	}
	if !aud.Valid() {
		m.Add(apperr.FieldError("kb.audience_invalid", "audience", nil))
	}
	lang := d.Lang
	if lang == "" {
		lang = "zh-CN"
	}
	if !slices.Contains(Languages, lang) {
		m.Add(apperr.FieldError("kb.lang_invalid", "lang", nil))
	}
	var tags []string
	for _, t := range d.Tags {
		t = strings.TrimSpace(t)
		if t == "" || slices.Contains(tags, t) {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTagLen || strings.ContainsAny(t, ",\r\n") {
			m.Add(apperr.FieldError("kb.tag_invalid", "tags", map[string]any{"max": MaxTagLen}))
			break
		}
		tags = append(tags, t)
	}
	if len(tags) > MaxTags {
		m.Add(apperr.FieldError("kb.too_many_tags", "tags", map[string]any{"max": MaxTags}))
	}
	var catID int64
	if d.Category != "" {
		id, err := s.store.CategoryID(ctx, d.Category)
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
			m.Add(apperr.FieldError("category.not_found", "category", map[string]any{"key": d.Category}))
		case err != nil:
			return err
		}
		catID = id
	}
	if err := m.Err(); err != nil {
		return err
	}
	a.Title, a.Body, a.CategoryID, a.CategoryKey, a.Tags, a.Audience, a.Lang = title, d.Body, catID, d.Category, tags, aud, lang
	return nil
}

func checkComment(c string, required bool) (string, error) {
	c = strings.TrimSpace(c)
	if required && c == "" {
		return "", apperr.FieldError("kb.comment_required", "comment", nil)
	}
	if utf8.RuneCountInString(c) > MaxCommentLen || !utf8.ValidString(c) {
		return "", apperr.FieldError("field.too_long", "comment", map[string]any{"max": MaxCommentLen})
	}
	return c, nil
}

// Create writes a new draft article (staff only).
func (s *Service) Create(ctx context.Context, by identity.Actor, d Draft) (Article, error) {
	if !isStaff(by) {
		return Article{}, errForbidden()
	}
	now := s.now().UTC()
	a := Article{State: StateDraft, Version: 1, AuthorID: by.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.check(ctx, d, &a); err != nil {
		return Article{}, err
	}
	return s.store.CreateArticle(ctx, a, Review{Version: 1, ActorID: by.UserID, Action: ActCreate, CreatedAt: now}, nil)
}

// Get returns an article the actor may read: staff any, others only a
// published one of an audience they belong to (anything else is not found).
func (s *Service) Get(ctx context.Context, by identity.Actor, id int64) (Article, error) {
	a, err := s.store.Article(ctx, id)
	if err != nil {
		return a, err
	}
	if isStaff(by) {
		return a, nil
	}
	if a.State != StatePublished || !slices.Contains(AudiencesFor(by), string(a.Audience)) {
		return Article{}, errNotFound(id)
	}
	return a, nil
}

// ListInput is a listing as a caller asks for it.
type ListInput struct {
	States   []string
	Category string
	Lang     string
	// Title filters by words of the title (at most MaxTitleFilter characters).
	Title   string
	Limit   int
	AfterID int64
}

// MaxTitleFilter bounds ListInput.Title; a longer filter is cut.
const MaxTitleFilter = 100

// List returns articles, newest first: staff see every state, others
// published articles of their audiences only.
func (s *Service) List(ctx context.Context, by identity.Actor, in ListInput) ([]Article, error) {
	q := ListQuery{Audiences: AudiencesFor(by), Lang: in.Lang, Limit: in.Limit, AfterID: in.AfterID,
		Title: strings.ToLower(strings.TrimSpace(in.Title))}
	if r := []rune(q.Title); len(r) > MaxTitleFilter {
		q.Title = string(r[:MaxTitleFilter])
	}
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 50
	}
	for _, st := range in.States {
		if !slices.Contains([]State{StateDraft, StateInReview, StatePublished, StateArchived}, State(st)) {
			return nil, apperr.FieldError("kb.state_invalid", "state", map[string]any{"state": st})
		}
		q.States = append(q.States, State(st))
	}
	if !isStaff(by) {
		q.States = []State{StatePublished}
	}
	if in.Category != "" {
		id, err := s.store.CategoryID(ctx, in.Category)
		if err != nil {
			return nil, err
		}
		q.CategoryID = id
	}
	return s.store.ListArticles(ctx, q)
}

// Update saves new content as a new version. A published article that is
// edited goes back to draft and needs review again.
func (s *Service) Update(ctx context.Context, by identity.Actor, id int64, ifVersion int, d Draft, note string) (Article, error) {
	if !isStaff(by) {
		return Article{}, errForbidden()
	}
	a, err := s.store.Article(ctx, id)
	if err != nil {
		return a, err
	}
	if ifVersion != 0 && ifVersion != a.Version {
		return Article{}, apperr.New(apperr.Conflict, "kb.conflict")
	}
	if a.State == StateArchived || a.State == StateInReview {
		return Article{}, apperr.New(apperr.Conflict, "kb.state_invalid").With("state", string(a.State))
	}
	if note, err = checkComment(note, false); err != nil {
		return Article{}, err
	}
	prev, prevVersion := a.State, a.Version
	if err := s.check(ctx, d, &a); err != nil {
		return Article{}, err
	}
	now := s.now().UTC()
	a.Version++
	a.State, a.UpdatedAt = StateDraft, now
	return s.store.SaveArticle(ctx, a, prev, prevVersion, true,
		Review{Version: a.Version, ActorID: by.UserID, Action: ActEdit, Comment: note, CreatedAt: now})
}

// transition moves an article from one state to another, recording the action.
func (s *Service) transition(ctx context.Context, by identity.Actor, id int64, from []State, to State, act Action,
	comment string, check func(a Article) error) (Article, error) {
	a, err := s.store.Article(ctx, id)
	if err != nil {
		return a, err
	}
	if !slices.Contains(from, a.State) {
		return Article{}, apperr.New(apperr.Conflict, "kb.state_invalid").With("state", string(a.State))
	}
	if check != nil {
		if err := check(a); err != nil {
			return Article{}, err
		}
	}
	now := s.now().UTC()
	prev := a.State
	a.State, a.UpdatedAt = to, now
	if to == StatePublished {
		a.PublishedAt = now
	}
	return s.store.SaveArticle(ctx, a, prev, a.Version, false,
		Review{Version: a.Version, ActorID: by.UserID, Action: act, Comment: comment, CreatedAt: now})
}

// Submit sends a draft for review.
func (s *Service) Submit(ctx context.Context, by identity.Actor, id int64, comment string) (Article, error) {
	if !isStaff(by) {
		return Article{}, errForbidden()
	}
	c, err := checkComment(comment, false)
	if err != nil {
		return Article{}, err
	}
	return s.transition(ctx, by, id, []State{StateDraft}, StateInReview, ActSubmit, c, nil)
}

// Approve publishes an article in review. Only supervisors and admins
// review; a supervisor may not approve their own article, and every
// masking of personal data must have been confirmed first.
func (s *Service) Approve(ctx context.Context, by identity.Actor, id int64, comment string) (Article, error) {
	if !isReviewer(by) {
		return Article{}, errForbidden()
	}
	c, err := checkComment(comment, false)
	if err != nil {
		return Article{}, err
	}
	return s.transition(ctx, by, id, []State{StateInReview}, StatePublished, ActApprove, c, func(a Article) error {
		if a.AuthorID == by.UserID && !by.IsAdmin() {
			return apperr.New(apperr.Forbidden, "kb.self_review")
		}
		ms, err := s.store.Maskings(ctx, id)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !m.Confirmed {
				return apperr.New(apperr.Conflict, "kb.maskings_unconfirmed")
			}
		}
		return nil
	})
}

// Reject sends an article in review back to draft with the reviewer's comment.
func (s *Service) Reject(ctx context.Context, by identity.Actor, id int64, comment string) (Article, error) {
	if !isReviewer(by) {
		return Article{}, errForbidden()
	}
	c, err := checkComment(comment, true)
	if err != nil {
		return Article{}, err
	}
	return s.transition(ctx, by, id, []State{StateInReview}, StateDraft, ActReject, c, nil)
}

// Archive withdraws a published (or abandoned draft) article.
func (s *Service) Archive(ctx context.Context, by identity.Actor, id int64, comment string) (Article, error) {
	if !isReviewer(by) {
		return Article{}, errForbidden()
	}
	c, err := checkComment(comment, false)
	if err != nil {
		return Article{}, err
	}
	return s.transition(ctx, by, id, []State{StatePublished, StateDraft}, StateArchived, ActArchive, c, nil)
}

// Restore makes an earlier version's content the latest version again, as
// a draft; archived articles come back this way too.
func (s *Service) Restore(ctx context.Context, by identity.Actor, id int64, version int) (Article, error) {
	if !isStaff(by) {
		return Article{}, errForbidden()
	}
	a, err := s.store.Article(ctx, id)
	if err != nil {
		return a, err
	}
	if a.State == StateInReview {
		return Article{}, apperr.New(apperr.Conflict, "kb.state_invalid").With("state", string(a.State))
	}
	v, err := s.store.VersionOf(ctx, id, version)
	if err != nil {
		return Article{}, err
	}
	now := s.now().UTC()
	prev, prevVersion := a.State, a.Version
	a.Title, a.Body, a.CategoryID, a.CategoryKey, a.Tags, a.Audience, a.Lang = v.Title, v.Body, v.CategoryID, v.CategoryKey, v.Tags, v.Audience, v.Lang
	a.Version++
	a.State, a.UpdatedAt = StateDraft, now
	return s.store.SaveArticle(ctx, a, prev, prevVersion, true, Review{Version: a.Version, ActorID: by.UserID, Action: ActRestore,
		Comment: "v" + itoa(version), CreatedAt: now})
}

// Versions lists every version of an article (staff).
func (s *Service) Versions(ctx context.Context, by identity.Actor, id int64) ([]Version, error) {
	if !isStaff(by) {
		return nil, errNotFound(id)
	}
	return s.store.Versions(ctx, id)
}

// Reviews lists an article's review trail (staff).
func (s *Service) Reviews(ctx context.Context, by identity.Actor, id int64) ([]Review, error) {
	if !isStaff(by) {
		return nil, errNotFound(id)
	}
	return s.store.Reviews(ctx, id)
}

// Maskings lists the personal data masked in a draft made from a ticket (staff).
func (s *Service) Maskings(ctx context.Context, by identity.Actor, id int64) ([]Masking, error) {
	if !isStaff(by) {
		return nil, errNotFound(id)
	}
	return s.store.Maskings(ctx, id)
}

// ConfirmMasking records a reviewer's confirmation of one masking.
func (s *Service) ConfirmMasking(ctx context.Context, by identity.Actor, id int64, seq int) error {
	if !isReviewer(by) {
		return errForbidden()
	}
	return s.store.ConfirmMasking(ctx, id, seq)
}

// MaxAnonymousVotesPerHour bounds the "was this helpful?" answers one
// address gives without signing in, over all articles.
const MaxAnonymousVotesPerHour = 30

// Feedback is one "was this helpful?" answer as stored.
type Feedback struct {
	Article int64
	// UserID is the signed-in reader, or 0; Voter then names the anonymous
	// one (a hash of their address, never the address itself).
	UserID  int64
	Voter   string
	Helpful bool
	At      time.Time
}

// Feedback records "was this helpful?" for a published article the actor
// may read; a signed-in reader's later answer replaces their earlier one.
// An anonymous reader is known by from (the client's address): their
// second answer on an article within a day is not counted again, and more
// than MaxAnonymousVotesPerHour answers an hour are refused.
func (s *Service) Feedback(ctx context.Context, by identity.Actor, id int64, helpful bool, from string) (Article, error) {
	a, err := s.Get(ctx, by, id)
	if err != nil {
		return a, err
	}
	if a.State != StatePublished {
		return Article{}, apperr.New(apperr.Conflict, "kb.state_invalid").With("state", string(a.State))
	}
	now := s.now().UTC()
	f := Feedback{Article: id, UserID: by.UserID, Helpful: helpful, At: now}
	if by.UserID == 0 {
		f.Voter = voterOf(from)
		onArticle, any, err := s.store.AnonymousFeedback(ctx, f.Voter, id, now.Add(-24*time.Hour), now.Add(-time.Hour))
		if err != nil {
			return Article{}, err
		}
		if onArticle > 0 {
			return a, nil
		}
		if any >= MaxAnonymousVotesPerHour {
			return Article{}, apperr.New(apperr.RateLimited, "kb.feedback_rate").With("max", MaxAnonymousVotesPerHour)
		}
	}
	return s.store.AddFeedback(ctx, f)
}

// voterOf names an anonymous voter by a hash of their address, so the
// address itself is not kept.
func voterOf(from string) string {
	sum := sha256.Sum256([]byte("kb-voter:" + from))
	return hex.EncodeToString(sum[:12])
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// Diff compares two versions of an article line by line: the title, then
// the body (staff).
func (s *Service) Diff(ctx context.Context, by identity.Actor, id int64, from, to int) ([]DiffLine, error) {
	if !isStaff(by) {
		return nil, errNotFound(id)
	}
	a, err := s.store.VersionOf(ctx, id, from)
	if err != nil {
		return nil, err
	}
	b, err := s.store.VersionOf(ctx, id, to)
	if err != nil {
		return nil, err
	}
	return LineDiff("# "+a.Title+"\n\n"+a.Body, "# "+b.Title+"\n\n"+b.Body), nil
}
