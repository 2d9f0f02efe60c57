package kb

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/ticket"
)

// The suggestion models.
const (
	ModelCategory = "category"
	ModelPriority = "priority"
)

// SettingAutoApply is the setting that holds the confidence above which a
// new ticket's priority is set from the suggestion; empty or 0 is off.
const SettingAutoApply = "suggest.auto_apply_threshold"

// JobRetrain is the kind of the durable job that retrains the models;
// JobRetrainKey its unique key, RetrainEvery its period.
const (
	JobRetrain    = "kb.retrain"
	JobRetrainKey = "kb:retrain"
	RetrainEvery  = 24 * time.Hour
)

// MaxTrainingTickets bounds the resolved tickets one training reads (the newest).
const MaxTrainingTickets = 50000

// ModelRecord is a trained model as stored, with how well it did on the
// held-out split.
type ModelRecord struct {
	Name      string
	Data      []byte
	Accuracy  float64
	NTrain    int
	NTest     int
	TrainedAt time.Time
}

// TrainingTicket is a resolved ticket the models learn from.
type TrainingTicket struct {
	ID          int64
	Title       string
	Description string
	Category    string
	Priority    string
}

// ModelStore keeps models, settings and reads the training tickets.
type ModelStore interface {
	TrainingTickets(ctx context.Context, limit int) ([]TrainingTicket, error)
	SaveModel(ctx context.Context, m ModelRecord) error
	ModelInfo(ctx context.Context, name string) (ModelRecord, error)
	Model(ctx context.Context, name string) (ModelRecord, error)
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Suggester trains, keeps and applies the suggestion models. It stands
// apart from Service so the ticket service's router can use it (Router)
// before the knowledge base service, which needs the ticket service, exists.
type Suggester struct {
	ms    ModelStore
	cache models
	now   func() time.Time
}

// NewSuggester builds a suggester on a model store.
func NewSuggester(ms ModelStore, now func() time.Time) *Suggester {
	if now == nil {
		now = time.Now
	}
	return &Suggester{ms: ms, now: now}
}

// models caches decoded models per name, revalidated by training time.
type models struct {
	mu sync.Mutex
	m  map[string]cachedModel
}

type cachedModel struct {
	trainedAt time.Time
	model     Model
}

// Retrain trains the category and priority models on the desk's resolved
// and closed tickets (80 % by id, see Split) and stores them with their
// accuracy on the held-out 20 %.
func (g *Suggester) Retrain(ctx context.Context) ([]ModelRecord, error) {
	ts, err := g.ms.TrainingTickets(ctx, MaxTrainingTickets)
	if err != nil {
		return nil, err
	}
	now := g.now().UTC()
	var out []ModelRecord
	for _, name := range []string{ModelCategory, ModelPriority} {
		ex := make([]Example, 0, len(ts))
		for _, t := range ts {
			label := t.Category
			if name == ModelPriority {
				label = t.Priority
			}
			ex = append(ex, Example{ID: t.ID, Text: t.Title + "\n" + t.Description, Label: label})
		}
		train, test := Split(ex)
		m := Train(train)
		data, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("kb: encode model: %w", err)
		}
		rec := ModelRecord{Name: name, Data: data, Accuracy: m.Accuracy(test), NTrain: len(train), NTest: len(test), TrainedAt: now}
		if err := g.ms.SaveModel(ctx, rec); err != nil {
			return nil, err
		}
		rec.Data = nil
		out = append(out, rec)
	}
	return out, nil
}

// model returns a trained model, cached until it is retrained.
func (g *Suggester) model(ctx context.Context, name string) (Model, error) {
	info, err := g.ms.ModelInfo(ctx, name)
	if apperr.KindOf(err) == apperr.NotFound {
		return Model{}, nil
	}
	if err != nil {
		return Model{}, err
	}
	g.cache.mu.Lock()
	c, ok := g.cache.m[name]
	g.cache.mu.Unlock()
	if ok && c.trainedAt.Equal(info.TrainedAt) {
		return c.model, nil
	}
	rec, err := g.ms.Model(ctx, name)
	if err != nil {
		return Model{}, err
	}
	var m Model
	if err := json.Unmarshal(rec.Data, &m); err != nil {
		return Model{}, fmt.Errorf("kb: decode model %s: %w", name, err)
	}
	g.cache.mu.Lock()
	if g.cache.m == nil {
		g.cache.m = map[string]cachedModel{}
	}
	g.cache.m[name] = cachedModel{trainedAt: rec.TrainedAt, model: m}
	g.cache.mu.Unlock()
	return m, nil
}

// Suggestion is a suggested category and priority with their confidences
// (0–1); empty labels when no model is trained yet.
type Suggestion struct {
	Category Prediction
	Priority Prediction
}

func (g *Suggester) suggest(ctx context.Context, title, description string) (Suggestion, error) {
	text := title + "\n" + description
	var out Suggestion
	for _, p := range []struct {
		name string
		dst  *Prediction
	}{{ModelCategory, &out.Category}, {ModelPriority, &out.Priority}} {
		m, err := g.model(ctx, p.name)
		if err != nil {
			return out, err
		}
		*p.dst = m.Predict(text)
	}
	return out, nil
}

// Classify suggests a category and priority for a ticket's text (staff).
func (s *Service) Classify(ctx context.Context, by identity.Actor, title, description string) (Suggestion, error) {
	if !isStaff(by) {
		return Suggestion{}, errForbidden()
	}
	return s.sug.suggest(ctx, title, description)
}

// ClassifyTicket suggests a category and priority for an existing ticket
// (staff who may see it).
func (s *Service) ClassifyTicket(ctx context.Context, by identity.Actor, number string) (Suggestion, error) {
	if !isStaff(by) {
		return Suggestion{}, errForbidden()
	}
	t, err := s.tickets.Get(ctx, by, number)
	if err != nil {
		return Suggestion{}, err
	}
	return s.sug.suggest(ctx, t.Title, t.Description)
}

// ClassifierStatus is what admins see of the suggestion models.
type ClassifierStatus struct {
	Models []ModelRecord
	// AutoApply is the confidence threshold for applying the priority
	// suggestion at creation; 0 is off.
	AutoApply float64
}

// Status reports the models' held-out accuracy and the auto-apply threshold (admins).
func (s *Service) Status(ctx context.Context, by identity.Actor) (ClassifierStatus, error) {
	if !by.IsAdmin() {
		return ClassifierStatus{}, errForbidden()
	}
	var st ClassifierStatus
	for _, name := range []string{ModelCategory, ModelPriority} {
		info, err := s.sug.ms.ModelInfo(ctx, name)
		if apperr.KindOf(err) == apperr.NotFound {
			continue
		}
		if err != nil {
			return st, err
		}
		st.Models = append(st.Models, info)
	}
	t, err := s.sug.threshold(ctx)
	st.AutoApply = t
	return st, err
}

// RetrainNow retrains the models at an admin's request.
func (s *Service) RetrainNow(ctx context.Context, by identity.Actor) ([]ModelRecord, error) {
	if !by.IsAdmin() {
		return nil, errForbidden()
	}
	return s.sug.Retrain(ctx)
}

// SetAutoApply sets the auto-apply confidence threshold (admins): 0 turns
// it off, otherwise 0.5–1.
func (s *Service) SetAutoApply(ctx context.Context, by identity.Actor, threshold float64) error {
	if !by.IsAdmin() {
		return errForbidden()
	}
	if threshold != 0 && (threshold < 0.5 || threshold > 1) {
		return apperr.FieldError("kb.threshold_invalid", "threshold", map[string]any{"min": 0.5, "max": 1})
	}
	return s.sug.ms.SetSetting(ctx, SettingAutoApply, strconv.FormatFloat(threshold, 'f', -1, 64))
}

func (g *Suggester) threshold(ctx context.Context) (float64, error) {
	v, err := g.ms.Setting(ctx, SettingAutoApply)
	if apperr.KindOf(err) == apperr.NotFound || v == "" {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, nil
	}
	return f, nil
}

// Router wraps the desk's router: when the admin set a threshold and the
// priority model is at least that confident about a new ticket, the
// routing decision carries the suggested priority (unless a routing rule
// set one). inner may be nil (the category's group, unassigned).
func (g *Suggester) Router(inner ticket.Router) ticket.Router {
	return suggestRouter{g: g, inner: inner}
}

type suggestRouter struct {
	g     *Suggester
	inner ticket.Router
}

// Route implements ticket.Router.
func (r suggestRouter) Route(ctx context.Context, t ticket.Ticket) (ticket.Assignment, error) {
	a := ticket.Assignment{GroupID: t.GroupID, GroupKey: t.GroupKey}
	if r.inner != nil {
		var err error
		if a, err = r.inner.Route(ctx, t); err != nil {
			return a, err
		}
		if a.GroupID == 0 {
			a.GroupID, a.GroupKey = t.GroupID, t.GroupKey
		}
	}
	if a.Priority != "" {
		return a, nil
	}
	th, err := r.g.threshold(ctx)
	if err != nil || th == 0 {
		return a, nil // suggestions never block filing a ticket
	}
	sg, err := r.g.suggest(ctx, t.Title, t.Description)
	if err == nil && sg.Priority.Confidence >= th && ticket.Priority(sg.Priority.Label).Valid() {
		a.Priority = ticket.Priority(sg.Priority.Label)
		if a.Rule == "" {
			a.Rule = "suggestion"
		}
	}
	return a, nil
}
