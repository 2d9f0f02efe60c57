// Package routing decides where a new ticket goes: which support group's
// queue it joins and, when someone is available, which agent gets it.
//
// Admins keep an ordered list of assignment rules. A rule's conditions
// (category, priority, channel, organization, custom fields, keywords) must
// all hold, each list matching any of its values; the first enabled rule that
// matches names the group, optionally an agent and a new priority. With no
// match the ticket stays in its category's default group. Within the group
// an agent is picked by the group's strategy, round robin or least open,
// among the agents who are not away and are under their cap of open tickets.
//
// The rule list is cached in memory and revalidated on every Route against
// a version counter that every rule or strategy change bumps in the same
// transaction; the counter is read by the same query that reads the group's
// agents, so revalidating costs no round trip and every node sees a change
// on its next ticket.
package routing

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

// Strategy is how a group picks an agent for a new ticket.
type Strategy string

// The strategies.
const (
	// Manual leaves new tickets in the group's queue (待分配) for agents to
	// claim, unless a rule names an available agent. It is the default, so
	// that a new desk behaves like a shared inbox until an admin turns on
	// automatic assignment for a group.
	Manual Strategy = "manual"
	// LeastOpen picks the available agent with the fewest open tickets
	// (ties broken at random). It balances the real workload, lets an
	// agent back from leave catch up, needs no write per ticket, and stays
	// right when tickets are claimed or reassigned by hand.
	LeastOpen Strategy = "least_open"
	// RoundRobin takes turns over the available agents in id order; the
	// turn is a per-group cursor in the database, advanced atomically, so it
	// is fair across concurrent requests and nodes.
	RoundRobin Strategy = "round_robin"
)

// Strategies lists the strategies, the default first.
var Strategies = []Strategy{Manual, LeastOpen, RoundRobin}

// DefaultStrategy is the strategy of a group nobody configured.
const DefaultStrategy = Manual

// Valid reports whether s is a known strategy.
func (s Strategy) Valid() bool { return s == Manual || s == LeastOpen || s == RoundRobin }

// OpenStatuses are the statuses that count towards an agent's load and cap.
// Awaiting confirmation is left out: the customer holds the ticket, it
// closes itself if they stay silent, and counting it would hold back the
// agents who propose solutions promptly. Follow-up counts: the customer
// came back and the agent owes them work.
var OpenStatuses = []ticket.Status{ticket.StatusAssigned, ticket.StatusInProgress, ticket.StatusFollowUp}

// Limits on rules and agent settings.
const (
	// MaxRules caps the rule list, which every Route walks.
	MaxRules = 500
	// MaxValues caps each condition list of a rule.
	MaxValues = 100
	// MaxKeywordLen caps a keyword, in characters.
	MaxKeywordLen = 50
	// MaxNameLen caps a rule's name, in characters.
	MaxNameLen = 100
	// MaxValueLen caps a custom field value in a condition, in characters.
	MaxValueLen = 100
	// DefaultMaxOpen is the cap on an agent's open tickets when neither
	// the agent nor the desk sets one.
	DefaultMaxOpen = 20
	// MaxMaxOpen is the highest cap an agent can have; it is as good as
	// unlimited for a person.
	MaxMaxOpen = 1000
	// MaxCounted is where a store may stop counting an agent's open
	// tickets: past the highest cap the number decides nothing, and a
	// backlog of thousands need not be counted for every new ticket.
	MaxCounted = MaxMaxOpen + 1
)

// Rule is an assignment rule. SaveRule reads the group and agent by key and
// login (GroupKey, Agent) and organizations by id or name; the other ids are
// filled in on the way out.
type Rule struct {
	ID int64
	// Position orders the rules; the first matching enabled rule wins.
	Position   int
	Name       string
	Enabled    bool
	Conditions Conditions
	// GroupID and GroupKey name the group the ticket goes to (required).
	GroupID  int64
	GroupKey string
	// AgentID and Agent (a login) name the agent the ticket goes to when
	// they are still in the group, not away and under their cap; otherwise
	// the group's strategy picks. Zero and empty for none.
	AgentID int64
	Agent   string
	// SetPriority changes the ticket's priority; empty leaves it.
	SetPriority ticket.Priority
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Conditions say which tickets a rule applies to. All non-empty conditions
// must hold; a list holds when the ticket matches any of its values. Empty
// conditions match every ticket.
type Conditions struct {
	// Categories are category keys.
	Categories []string
	Priorities []ticket.Priority
	Channels   []ticket.Channel
	// Orgs are the requester's organization.
	Orgs []OrgRef
	// Fields must all hold: custom field Key equals one of Values.
	Fields []FieldMatch
	// Keywords match when any of them occurs in the title or the
	// description, ignoring case and full or half width (Chinese works as
	// substrings: 打印机).
	Keywords []string
}

// OrgRef names an organization by id or by name. Rules store the id, so a
// renamed organization keeps its rules.
type OrgRef struct {
	ID   int64
	Name string
}

// FieldMatch holds when the custom field Key has one of Values. Numbers and
// booleans compare in their text form ("2", "true").
type FieldMatch struct {
	Key    string
	Values []string
}

// Agent is a staff member as routing sees them.
type Agent struct {
	ID    int64
	Login string
	Role  identity.Role
	// Away agents get no new tickets, not even from a rule naming them.
	Away bool
	// MaxOpen is the agent's own cap on open tickets; zero follows the
	// desk default.
	MaxOpen int
	// Open counts the agent's open tickets (see OpenStatuses) in all
	// groups; a store may stop counting at MaxCounted.
	Open int
	// Cap is the effective cap: MaxOpen, or the desk default.
	Cap int
	// Available reports whether the agent can take a ticket now: active,
	// not away and under the cap.
	Available bool
}

// Pool is a group's staff with their load, and the group's round-robin cursor.
type Pool struct {
	// Version is the routing version read with the pool: Route checks its
	// cached rules against it instead of reading the version on its own.
	Version int64
	// Cursor is the id of the agent the round robin picked last; zero at first.
	Cursor int64
	// Agents are the active staff of the group in id order.
	Agents []Agent
}

// GroupSetting is a group's routing configuration.
type GroupSetting struct {
	GroupID  int64
	GroupKey string
	Strategy Strategy
}

// Decision is what DryRun reports: the assignment Route would make and why.
type Decision struct {
	Assignment ticket.Assignment
	// RuleID is the matched rule; zero means the category's default group.
	RuleID int64
	// Strategy is the group's strategy.
	Strategy Strategy
	// PickedBy says how the assignee was chosen: "rule", "least_open",
	// "round_robin", or empty when nobody was available.
	PickedBy string
	// Agents are the group's staff with their load and availability.
	Agents []Agent
}

// Store is what routing needs from persistence. Every change of rules or
// strategies bumps the routing version in the same transaction.
type Store interface {
	RoutingVersion(ctx context.Context) (int64, error)
	Rules(ctx context.Context) ([]Rule, error)
	RuleByID(ctx context.Context, id int64) (Rule, error)
	// CreateRule appends a rule, failing with routing.too_many_rules when
	// max rules exist already.
	CreateRule(ctx context.Context, r Rule, max int) (Rule, error)
	UpdateRule(ctx context.Context, r Rule) (Rule, error)
	DeleteRule(ctx context.Context, id int64) error
	// ReorderRules sets the order; ids must list every rule exactly once.
	ReorderRules(ctx context.Context, ids []int64) error

	GroupStrategies(ctx context.Context) (map[int64]Strategy, error)
	SetGroupStrategy(ctx context.Context, groupID int64, s Strategy) error

	// Pool returns the active staff of a group with their open tickets
	// (those in the given statuses; it may stop at MaxCounted), the cursor
	// and the routing version, in one query.
	Pool(ctx context.Context, groupID int64, open []ticket.Status) (Pool, error)
	Cursor(ctx context.Context, groupID int64) (int64, error)
	// AdvanceCursor moves the cursor from one agent to the next if it is
	// still at from, and reports whether it did (compare and swap).
	AdvanceCursor(ctx context.Context, groupID, from, to int64) (bool, error)

	AgentByID(ctx context.Context, userID int64, open []ticket.Status) (Agent, error)
	SetAway(ctx context.Context, userID int64, away bool) error
	SetMaxOpen(ctx context.Context, userID int64, n int) error
}

// Directory resolves the people, groups and organizations rules name.
type Directory interface {
	UserByLogin(ctx context.Context, login string) (identity.User, error)
	GroupByKey(ctx context.Context, key string) (identity.Group, error)
	OrgByName(ctx context.Context, name string) (identity.Org, error)
	OrgByID(ctx context.Context, id int64) (identity.Org, error)
}

// Categories looks up ticket categories: their default groups and fields.
type Categories interface {
	Categories(ctx context.Context) ([]ticket.Category, error)
	CategoryByKey(ctx context.Context, key string) (ticket.Category, error)
	CategoryByID(ctx context.Context, id int64) (ticket.Category, error)
}

// Deps are the routing service's collaborators.
type Deps struct {
	Store      Store
	Directory  Directory
	Categories Categories
	// Now is the clock; tests pass a fixed one.
	Now func() time.Time
	// DefaultMaxOpen caps the open tickets of agents without their own
	// cap; zero means DefaultMaxOpen.
	DefaultMaxOpen int
}

// Service routes new tickets and manages rules and agent availability.
type Service struct {
	store          Store
	dir            Directory
	cats           Categories
	now            func() time.Time
	defaultMaxOpen int

	// rules is the compiled rule list with the version it was read at.
	rules atomic.Pointer[ruleSet]
	// loading makes concurrent cache misses load the rules once.
	loading sync.Mutex
}

// NewService builds the routing service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.DefaultMaxOpen <= 0 {
		d.DefaultMaxOpen = DefaultMaxOpen
	}
	return &Service{store: d.Store, dir: d.Directory, cats: d.Categories, now: d.Now, defaultMaxOpen: min(d.DefaultMaxOpen, MaxMaxOpen)}
}

// Service implements ticket.Router.
var _ ticket.Router = (*Service)(nil)
