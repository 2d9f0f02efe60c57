package identity

import (
	"context"
	"strings"
	"unicode/utf8"

	"helpdesk/internal/apperr"
)

// NewUser is the input for creating a user.
type NewUser struct {
	Login      string
	Password   string
	Name       string
	Email      string
	Phone      string
	Role       Role
	GroupKeys  []string
	OrgName    string
	OrgVisible bool
	Lang       string
}

// UserPatch changes some of a user's fields; nil fields stay as they are.
type UserPatch struct {
	Name       *string
	Email      *string
	Phone      *string
	Role       *Role
	GroupKeys  *[]string
	OrgName    *string
	OrgVisible *bool
	Lang       *string
	Active     *bool
	Password   *string
}

func errForbidden() error { return apperr.New(apperr.Forbidden, "auth.forbidden") }

func validText(field, s string, max int, required bool) *apperr.Error {
	switch {
	case !utf8.ValidString(s):
		return apperr.FieldError("field.invalid_utf8", field, nil)
	case required && strings.TrimSpace(s) == "":
		return apperr.FieldError("field.required", field, nil)
	case utf8.RuneCountInString(s) > max:
		return apperr.FieldError("field.too_long", field, map[string]any{"max": max})
	}
	return nil
}

func validLang(l string) bool { return l == "" || l == "zh-CN" || l == "en" }

// CreateUser adds a user. Only admins (and the system, for the CLI) may.
func (s *Service) CreateUser(ctx context.Context, by Actor, in NewUser) (User, error) {
	if !by.IsAdmin() {
		return User{}, errForbidden()
	}
	var m apperr.Multi
	in.Login = strings.TrimSpace(in.Login)
	if e := validText("login", in.Login, MaxLoginLen, true); e != nil {
		m.Add(e)
	} else if !loginRE.MatchString(in.Login) {
		m.Add(apperr.FieldError("user.login_invalid", "login", nil))
	}
	if e := checkPassword(in.Password); e != nil {
		m.Add(e)
	}
	if in.Name == "" {
		in.Name = in.Login
	}
	if e := validText("name", in.Name, MaxNameLen, true); e != nil {
		m.Add(e)
	}
	if !in.Role.Valid() {
		m.Add(apperr.FieldError("user.role_invalid", "role", nil))
	}
	if !validLang(in.Lang) {
		m.Add(apperr.FieldError("user.lang_invalid", "lang", nil))
	}
	if err := ValidContact(in.Phone, in.Email); err != nil {
		m.Add(apperr.FieldError("field.contact_invalid", "contact", nil))
	}
	if err := m.Err(); err != nil {
		return User{}, err
	}
	u := User{Login: in.Login, Name: in.Name, Email: in.Email, Phone: in.Phone, Role: in.Role,
		OrgVisible: in.OrgVisible, Lang: in.Lang, Active: true}
	if err := s.resolveMemberships(ctx, &u, in.GroupKeys, in.OrgName); err != nil {
		return User{}, err
	}
	h, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	u.PasswordHash = h
	now := s.now().UTC()
	u.CreatedAt, u.UpdatedAt = now, now
	return s.store.CreateUser(ctx, u)
}

func checkPassword(p string) *apperr.Error {
	n := utf8.RuneCountInString(p)
	if n < MinPasswordLen {
		return apperr.FieldError("user.password_short", "password", map[string]any{"min": MinPasswordLen})
	}
	if n > MaxPasswordLen || !utf8.ValidString(p) {
		return apperr.FieldError("field.too_long", "password", map[string]any{"max": MaxPasswordLen})
	}
	return nil
}

func (s *Service) resolveMemberships(ctx context.Context, u *User, groupKeys []string, orgName string) error {
	u.GroupIDs, u.GroupKeys = nil, nil
	for _, k := range groupKeys {
		g, err := s.store.GroupByKey(ctx, k)
		if err != nil {
			if apperr.KindOf(err) == apperr.NotFound {
				return apperr.FieldError("group.not_found", "groups", map[string]any{"key": k})
			}
			return err
		}
		u.GroupIDs = append(u.GroupIDs, g.ID)
		u.GroupKeys = append(u.GroupKeys, g.Key)
	}
	u.OrgID, u.OrgName = 0, ""
	if orgName = strings.TrimSpace(orgName); orgName != "" {
		o, err := s.store.OrgByName(ctx, orgName)
		if err != nil {
			if apperr.KindOf(err) == apperr.NotFound {
				return apperr.FieldError("org.not_found", "org", map[string]any{"name": orgName})
			}
			return err
		}
		u.OrgID, u.OrgName = o.ID, o.Name
	}
	return nil
}

// UpdateUser changes a user. Admins change anyone; users change their own
// name, contact, language and password.
func (s *Service) UpdateUser(ctx context.Context, by Actor, login string, p UserPatch) (User, error) {
	u, err := s.store.UserByLogin(ctx, login)
	if err != nil {
		return User{}, err
	}
	self := u.ID == by.UserID
	if !by.IsAdmin() {
		if !self {
			return User{}, apperr.New(apperr.NotFound, "user.not_found")
		}
		if p.Role != nil || p.GroupKeys != nil || p.OrgName != nil || p.OrgVisible != nil || p.Active != nil {
			return User{}, errForbidden()
		}
	}
	var m apperr.Multi
	if p.Name != nil {
		if e := validText("name", *p.Name, MaxNameLen, true); e != nil {
			m.Add(e)
		}
		u.Name = *p.Name
	}
	if p.Email != nil {
		u.Email = *p.Email
	}
	if p.Phone != nil {
		u.Phone = *p.Phone
	}
	if err := ValidContact(u.Phone, u.Email); err != nil {
		m.Add(apperr.FieldError("field.contact_invalid", "contact", nil))
	}
	if p.Role != nil {
		if !p.Role.Valid() {
			m.Add(apperr.FieldError("user.role_invalid", "role", nil))
		}
		u.Role = *p.Role
	}
	if p.Lang != nil {
		if !validLang(*p.Lang) {
			m.Add(apperr.FieldError("user.lang_invalid", "lang", nil))
		}
		u.Lang = *p.Lang
	}
	if p.OrgVisible != nil {
		u.OrgVisible = *p.OrgVisible
	}
	if p.Active != nil {
		u.Active = *p.Active
	}
	if p.Password != nil {
		if e := checkPassword(*p.Password); e != nil {
			m.Add(e)
		}
	}
	if err := m.Err(); err != nil {
		return User{}, err
	}
	if p.Password != nil {
		if u.PasswordHash, err = HashPassword(*p.Password); err != nil {
			return User{}, err
		}
	}
	if p.GroupKeys != nil || p.OrgName != nil {
		keys, org := u.GroupKeys, u.OrgName
		if p.GroupKeys != nil {
			keys = *p.GroupKeys
		}
		if p.OrgName != nil {
			org = *p.OrgName
		}
		if err := s.resolveMemberships(ctx, &u, keys, org); err != nil {
			return User{}, err
		}
	}
	u.UpdatedAt = s.now().UTC()
	return s.store.UpdateUser(ctx, u)
}

// Users lists users. Staff may list; customers may not.
func (s *Service) Users(ctx context.Context, by Actor, f UserFilter) ([]User, error) {
	if !by.Role.Staff() && !by.System {
		return nil, errForbidden()
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	return s.store.ListUsers(ctx, f)
}

// Groups lists the support groups; everyone signed in may see them.
func (s *Service) Groups(ctx context.Context, _ Actor) ([]Group, error) {
	return s.store.ListGroups(ctx)
}

// GroupByKey returns one group.
func (s *Service) GroupByKey(ctx context.Context, key string) (Group, error) {
	return s.store.GroupByKey(ctx, key)
}

// SaveGroup creates a group, or updates it when one with the key exists.
func (s *Service) SaveGroup(ctx context.Context, by Actor, g Group) (Group, error) {
	if !by.IsAdmin() {
		return Group{}, errForbidden()
	}
	var m apperr.Multi
	if !keyRE.MatchString(g.Key) {
		m.Add(apperr.FieldError("field.key_invalid", "key", nil))
	}
	if e := validText("name_zh", g.NameZH, MaxNameLen, true); e != nil {
		m.Add(e)
	}
	if e := validText("name_en", g.NameEN, MaxNameLen, true); e != nil {
		m.Add(e)
	}
	if !validEmail(g.Email) {
		m.Add(apperr.FieldError("field.email_invalid", "email", nil))
	}
	if err := m.Err(); err != nil {
		return Group{}, err
	}
	old, err := s.store.GroupByKey(ctx, g.Key)
	switch {
	case err == nil:
		g.ID, g.CreatedAt = old.ID, old.CreatedAt
		return s.store.UpdateGroup(ctx, g)
	case apperr.KindOf(err) == apperr.NotFound:
		g.CreatedAt = s.now().UTC()
		return s.store.CreateGroup(ctx, g)
	}
	return Group{}, err
}

// Orgs lists customer organizations (staff only).
func (s *Service) Orgs(ctx context.Context, by Actor) ([]Org, error) {
	if !by.Role.Staff() && !by.System {
		return nil, errForbidden()
	}
	return s.store.ListOrgs(ctx)
}

// CreateOrg adds a customer organization.
func (s *Service) CreateOrg(ctx context.Context, by Actor, name string) (Org, error) {
	if !by.IsAdmin() && by.Role != RoleSupervisor {
		return Org{}, errForbidden()
	}
	name = strings.TrimSpace(name)
	if e := validText("name", name, 200, true); e != nil {
		return Org{}, e
	}
	return s.store.CreateOrg(ctx, Org{Name: name, CreatedAt: s.now().UTC()})
}

// RenameOrg renames an organization.
func (s *Service) RenameOrg(ctx context.Context, by Actor, id int64, name string) (Org, error) {
	if !by.IsAdmin() {
		return Org{}, errForbidden()
	}
	name = strings.TrimSpace(name)
	if e := validText("name", name, 200, true); e != nil {
		return Org{}, e
	}
	o, err := s.store.OrgByID(ctx, id)
	if err != nil {
		return Org{}, err
	}
	o.Name = name
	return s.store.UpdateOrg(ctx, o)
}
