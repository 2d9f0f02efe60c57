package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"helpdesk/internal/apperr"
)

// Store is what the identity service needs from persistence.
type Store interface {
	CreateUser(ctx context.Context, u User) (User, error)
	UpdateUser(ctx context.Context, u User) (User, error)
	UserByLogin(ctx context.Context, login string) (User, error)
	UserByID(ctx context.Context, id int64) (User, error)
	ListUsers(ctx context.Context, f UserFilter) ([]User, error)

	CreateSession(ctx context.Context, s Session) error
	SessionUser(ctx context.Context, hash []byte) (Session, User, error)
	TouchSession(ctx context.Context, hash []byte, seen, expires time.Time) error
	DeleteSession(ctx context.Context, hash []byte) error

	LoginFailures(ctx context.Context, login string, since time.Time) (int, error)
	RecordLoginFailure(ctx context.Context, login string, at, before time.Time) error
	ClearLoginFailures(ctx context.Context, login string) error

	CreateToken(ctx context.Context, t Token) (Token, error)
	TokenUser(ctx context.Context, hash []byte) (Token, User, error)
	ListTokens(ctx context.Context, userID int64) ([]Token, error)
	RevokeToken(ctx context.Context, id, userID int64, at time.Time) error

	CreateGroup(ctx context.Context, g Group) (Group, error)
	UpdateGroup(ctx context.Context, g Group) (Group, error)
	GroupByKey(ctx context.Context, key string) (Group, error)
	ListGroups(ctx context.Context) ([]Group, error)

	CreateOrg(ctx context.Context, o Org) (Org, error)
	UpdateOrg(ctx context.Context, o Org) (Org, error)
	OrgByName(ctx context.Context, name string) (Org, error)
	OrgByID(ctx context.Context, id int64) (Org, error)
	ListOrgs(ctx context.Context) ([]Org, error)
}

// UserFilter narrows a user listing.
type UserFilter struct {
	Role    Role
	GroupID int64
	OrgID   int64
	// Query matches login, name or email (substring, case-insensitive).
	Query string
	Limit int
}

// Deps are the service's collaborators.
type Deps struct {
	Store Store
	// Now is the clock; tests pass a fixed one.
	Now func() time.Time
	// SessionTTL is how long an idle session stays valid.
	SessionTTL time.Duration
}

// Service runs identity use cases.
type Service struct {
	store Store
	now   func() time.Time
	ttl   time.Duration
	// dummyHash is checked when a login is unknown so that the response time
	// does not reveal which logins exist.
	dummyHash string
}

// NewService builds the identity service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.SessionTTL == 0 {
		d.SessionTTL = 14 * 24 * time.Hour
	}
	h, _ := HashPassword("not a real password")
	return &Service{store: d.Store, now: d.Now, ttl: d.SessionTTL, dummyHash: h}
}

// Limits on identity input.
const (
	MaxLoginLen    = 64
	MaxNameLen     = 100
	MinPasswordLen = 8
	MaxPasswordLen = 256
)

var loginRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]*$`)
var keyRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 -]{4,24}$`)

// secretPrefix marks tokens and session ids so leaked ones are recognisable.
const secretPrefix = "hd_"

func newSecret() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("identity: random: %w", err)
	}
	s := secretPrefix + base64.RawURLEncoding.EncodeToString(b)
	return s, Digest(s), nil
}

// Digest is the SHA-256 of a session id or token, the only form stored.
func Digest(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

var errBadCredentials = apperr.New(apperr.Unauthenticated, "auth.bad_credentials")

// Sign-in throttling: after MaxLoginFailures failed attempts on one login
// within LoginFailureWindow, further attempts are refused until the window
// has passed, whatever the password. Counted in the database, so the limit
// holds across nodes.
const (
	MaxLoginFailures   = 10
	LoginFailureWindow = 15 * time.Minute
)

// Login checks a password and opens a session. It returns the session secret
// for the cookie.
func (s *Service) Login(ctx context.Context, login, password string) (string, User, error) {
	login = strings.TrimSpace(login)
	if len(login) > MaxLoginLen || !utf8.ValidString(login) {
		return "", User{}, errBadCredentials
	}
	now := s.now().UTC()
	n, err := s.store.LoginFailures(ctx, login, now.Add(-LoginFailureWindow))
	if err != nil {
		return "", User{}, err
	}
	if n >= MaxLoginFailures {
		return "", User{}, apperr.New(apperr.RateLimited, "auth.rate_limited").With("minutes", int(LoginFailureWindow.Minutes()))
	}
	fail := func() (string, User, error) {
		if err := s.store.RecordLoginFailure(ctx, login, now, now.Add(-24*time.Hour)); err != nil {
			return "", User{}, err
		}
		return "", User{}, errBadCredentials
	}
	u, err := s.store.UserByLogin(ctx, login)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			CheckPassword(s.dummyHash, password)
			return fail()
		}
		return "", User{}, err
	}
	if !CheckPassword(u.PasswordHash, password) || !u.Active {
		return fail()
	}
	if n > 0 {
		if err := s.store.ClearLoginFailures(ctx, login); err != nil {
			return "", User{}, err
		}
	}
	secret, hash, err := newSecret()
	if err != nil {
		return "", User{}, err
	}
	if err := s.store.CreateSession(ctx, Session{Hash: hash, UserID: u.ID, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(s.ttl)}); err != nil {
		return "", User{}, err
	}
	return secret, u, nil
}

// Logout ends a session. Ending an unknown session is not an error.
func (s *Service) Logout(ctx context.Context, secret string) error {
	return s.store.DeleteSession(ctx, Digest(secret))
}

// SessionActor authenticates a session secret from a cookie. Sessions slide:
// a session seen again more than a minute later is extended, so an active
// user stays signed in without a write on every request.
func (s *Service) SessionActor(ctx context.Context, secret string) (Actor, error) {
	if !strings.HasPrefix(secret, secretPrefix) {
		return Actor{}, apperr.New(apperr.Unauthenticated, "auth.session_invalid")
	}
	hash := Digest(secret)
	sess, u, err := s.store.SessionUser(ctx, hash)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return Actor{}, apperr.New(apperr.Unauthenticated, "auth.session_invalid")
		}
		return Actor{}, err
	}
	now := s.now().UTC()
	if !now.Before(sess.ExpiresAt) || !u.Active {
		return Actor{}, apperr.New(apperr.Unauthenticated, "auth.session_expired")
	}
	if now.Sub(sess.SeenAt) > time.Minute {
		if err := s.store.TouchSession(ctx, hash, now, now.Add(s.ttl)); err != nil {
			return Actor{}, err
		}
	}
	return ActorOf(u), nil
}

// TokenActor authenticates an API bearer token: one keyed lookup of its digest.
func (s *Service) TokenActor(ctx context.Context, secret string) (Actor, error) {
	if !strings.HasPrefix(secret, secretPrefix) {
		return Actor{}, apperr.New(apperr.Unauthenticated, "auth.token_invalid")
	}
	tok, u, err := s.store.TokenUser(ctx, Digest(secret))
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return Actor{}, apperr.New(apperr.Unauthenticated, "auth.token_invalid")
		}
		return Actor{}, err
	}
	if !tok.RevokedAt.IsZero() || !u.Active {
		return Actor{}, apperr.New(apperr.Unauthenticated, "auth.token_invalid")
	}
	return ActorOf(u), nil
}

// CreateToken issues an API token for login. Users may issue tokens for
// themselves; admins for anyone. The secret is returned once and never stored.
func (s *Service) CreateToken(ctx context.Context, by Actor, login, name string) (string, Token, error) {
	u, err := s.store.UserByLogin(ctx, login)
	if err != nil {
		return "", Token{}, err
	}
	if u.ID != by.UserID && !by.IsAdmin() {
		return "", Token{}, apperr.New(apperr.NotFound, "user.not_found")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "api"
	}
	if utf8.RuneCountInString(name) > MaxNameLen || !utf8.ValidString(name) {
		return "", Token{}, apperr.FieldError("field.too_long", "name", map[string]any{"max": MaxNameLen})
	}
	secret, hash, err := newSecret()
	if err != nil {
		return "", Token{}, err
	}
	t, err := s.store.CreateToken(ctx, Token{UserID: u.ID, Name: name, Hash: hash, CreatedAt: s.now().UTC()})
	return secret, t, err
}

// Tokens lists the caller's tokens (digests are never returned).
func (s *Service) Tokens(ctx context.Context, by Actor) ([]Token, error) {
	return s.store.ListTokens(ctx, by.UserID)
}

// RevokeToken revokes one of the caller's tokens (admins: anyone's).
func (s *Service) RevokeToken(ctx context.Context, by Actor, id int64) error {
	owner := by.UserID
	if by.IsAdmin() {
		owner = 0
	}
	return s.store.RevokeToken(ctx, id, owner, s.now().UTC())
}

// Me returns the caller's own profile.
func (s *Service) Me(ctx context.Context, by Actor) (User, error) {
	return s.store.UserByID(ctx, by.UserID)
}

// UserByLogin returns a user; staff may look anyone up, customers only themselves.
func (s *Service) UserByLogin(ctx context.Context, by Actor, login string) (User, error) {
	u, err := s.store.UserByLogin(ctx, login)
	if err != nil {
		return User{}, err
	}
	if !by.Role.Staff() && !by.System && u.ID != by.UserID {
		return User{}, apperr.New(apperr.NotFound, "user.not_found")
	}
	return u, nil
}

func validEmail(s string) bool {
	if s == "" {
		return true
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}

func validPhone(s string) bool { return s == "" || phoneRE.MatchString(s) }

// ValidContact checks a phone number and an email address, either may be empty.
func ValidContact(phone, email string) error {
	var m apperr.Multi
	if !validPhone(phone) {
		m.Add(apperr.FieldError("field.phone_invalid", "contact_phone", nil))
	}
	if !validEmail(email) {
		m.Add(apperr.FieldError("field.email_invalid", "contact_email", nil))
	}
	return m.Err()
}
