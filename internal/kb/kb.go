// Package kb owns the knowledge base: articles in Markdown with their
// review workflow (draft → in review → published → archived), every
// version with diffs and restore, drafts made from resolved tickets with
// personal data masked, reader feedback, and the assistance built on it —
// article suggestions that deflect tickets, similar tickets, category and
// priority suggestions learned from the desk's history, and canned
// responses (macros).
//
// Like every domain package it knows no HTTP, SQL or translations.
package kb

import (
	"slices"
	"time"

	"helpdesk/internal/identity"
)

// State is where an article is in its review workflow.
type State string

// The states.
const (
	StateDraft     State = "draft"
	StateInReview  State = "in_review"
	StatePublished State = "published"
	StateArchived  State = "archived"
)

// Audience says who may read a published article.
type Audience string

// The audiences.
const (
	AudiencePublic    Audience = "public"    // anyone, signed in or not
	AudienceCustomers Audience = "customers" // signed-in customers and staff
	AudienceInternal  Audience = "internal"  // staff only
)

// Audiences lists every audience.
var Audiences = []Audience{AudiencePublic, AudienceCustomers, AudienceInternal}

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool { return slices.Contains(Audiences, a) }

// Languages are the languages an article can be written in.
var Languages = []string{"zh-CN", "en"}

// AudiencesFor lists the audiences an actor may read (the anonymous
// visitor is the zero Actor).
func AudiencesFor(a identity.Actor) []string {
	switch {
	case a.System || a.Role.Staff():
		return []string{string(AudiencePublic), string(AudienceCustomers), string(AudienceInternal)}
	case a.UserID != 0:
		return []string{string(AudiencePublic), string(AudienceCustomers)}
	}
	return []string{string(AudiencePublic)}
}

// Article is a knowledge base article at its latest version.
type Article struct {
	ID          int64
	Title       string
	Body        string // Markdown
	CategoryID  int64
	CategoryKey string
	Tags        []string
	Audience    Audience
	Lang        string
	State       State
	// Version is the number of the latest version (1, 2, …).
	Version  int
	AuthorID int64
	Author   string
	// SourceTicketID is the ticket the draft was made from, if any.
	SourceTicketID int64
	Helpful        int
	Unhelpful      int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	PublishedAt    time.Time
}

// Version is one saved state of an article's content.
type Version struct {
	ArticleID   int64
	Version     int
	Title       string
	Body        string
	CategoryID  int64
	CategoryKey string
	Tags        []string
	Audience    Audience
	Lang        string
	EditorID    int64
	Editor      string
	Note        string
	CreatedAt   time.Time
}

// Action is a step in an article's review trail.
type Action string

// The actions recorded in the review trail.
const (
	ActCreate  Action = "create"
	ActEdit    Action = "edit"
	ActSubmit  Action = "submit"
	ActApprove Action = "approve"
	ActReject  Action = "reject"
	ActArchive Action = "archive"
	ActRestore Action = "restore"
)

// Review is one entry of an article's review trail: who did what, with
// which comment, to which version.
type Review struct {
	ID        int64
	ArticleID int64
	Version   int
	ActorID   int64
	Actor     string
	Action    Action
	Comment   string
	CreatedAt time.Time
}

// Masking is one piece of personal data masked in a draft made from a
// ticket, for a reviewer to confirm before the article can be published.
type Masking struct {
	Seq         int
	Kind        string
	Hint        string
	Replacement string
	Confirmed   bool
}

// Attachment is a file attached to an article; its content is in the blob store.
type Attachment struct {
	ID          int64
	ArticleID   int64
	UploaderID  int64
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	CreatedAt   time.Time
}

// Deflection records a customer who found the answer in an article
// instead of filing a ticket.
type Deflection struct {
	ID         int64
	UserID     int64
	ArticleID  int64
	CategoryID int64
	CreatedAt  time.Time
}
