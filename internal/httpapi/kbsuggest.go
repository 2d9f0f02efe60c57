package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"helpdesk/internal/kb"
)

// PredictionJSON is a suggested label with its probability.
type PredictionJSON struct {
	Value      string  `json:"value" doc:"Empty while no model is trained."`
	Confidence float64 `json:"confidence" doc:"0–1."`
}

// SuggestionJSON is a suggested category and priority.
type SuggestionJSON struct {
	Category PredictionJSON `json:"category"`
	Priority PredictionJSON `json:"priority"`
}

// ModelJSON is one suggestion model's figures.
type ModelJSON struct {
	Name      string    `json:"name" enum:"category,priority"`
	Accuracy  float64   `json:"accuracy" doc:"On the held-out fifth of the resolved tickets (ticket id divisible by 5)."`
	NTrain    int       `json:"n_train"`
	NTest     int       `json:"n_test"`
	TrainedAt time.Time `json:"trained_at"`
}

func suggestionJSON(s kb.Suggestion) SuggestionJSON {
	return SuggestionJSON{Category: PredictionJSON{s.Category.Label, s.Category.Confidence},
		Priority: PredictionJSON{s.Priority.Label, s.Priority.Confidence}}
}

func modelsJSON(ms []kb.ModelRecord) []ModelJSON {
	out := make([]ModelJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, ModelJSON{Name: m.Name, Accuracy: m.Accuracy, NTrain: m.NTrain, NTest: m.NTest, TrainedAt: m.TrainedAt})
	}
	return out
}

func (a *API) registerKBSuggest(tags []string) {
	type classifyIn struct {
		Title       string `query:"title" maxLength:"200"`
		Description string `query:"description" maxLength:"20000"`
	}
	type suggestionOut struct{ Body SuggestionJSON }
	huma.Register(a.h, huma.Operation{OperationID: "kb-classify", Method: http.MethodGet, Path: "/api/v1/kb/classify",
		Summary: "Suggested category and priority for a text (staff)", Description: "Learned from the desk's resolved tickets.",
		Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, in *classifyIn) (*suggestionOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			s, err := a.d.KB.Classify(ctx, by, in.Title, in.Description)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &suggestionOut{Body: suggestionJSON(s)}, nil
		})
	huma.Register(a.h, huma.Operation{OperationID: "ticket-suggestion", Method: http.MethodGet, Path: "/api/v1/tickets/{number}/suggestion",
		Summary: "Suggested category and priority for a ticket (staff)", Tags: tags, Errors: []int{401, 403, 404}},
		func(ctx context.Context, in *ticketPath) (*suggestionOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			s, err := a.d.KB.ClassifyTicket(ctx, by, in.Number)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			return &suggestionOut{Body: suggestionJSON(s)}, nil
		})

	type statusOut struct {
		Body struct {
			Models    []ModelJSON `json:"models"`
			AutoApply float64     `json:"auto_apply_threshold" doc:"0 = off; otherwise a new ticket's priority follows the suggestion at this confidence or more."`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "kb-classifier-status", Method: http.MethodGet, Path: "/api/v1/admin/kb/classifier",
		Summary: "Suggestion models: held-out accuracy and threshold (admins)", Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, in *struct{}) (*statusOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			st, err := a.d.KB.Status(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &statusOut{}
			out.Body.Models, out.Body.AutoApply = modelsJSON(st.Models), st.AutoApply
			return out, nil
		})
	type thresholdIn struct {
		Body struct {
			Threshold float64 `json:"auto_apply_threshold" minimum:"0" maximum:"1"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "kb-classifier-threshold", Method: http.MethodPut, Path: "/api/v1/admin/kb/classifier",
		Summary: "Set the auto-apply threshold (admins)", Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{401, 403, 422}},
		func(ctx context.Context, in *thresholdIn) (*struct{}, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			if err := a.d.KB.SetAutoApply(ctx, by, in.Body.Threshold); err != nil {
				return nil, a.fail(ctx, err)
			}
			return nil, nil
		})
	type retrainOut struct {
		Body struct {
			Models []ModelJSON `json:"models"`
		}
	}
	huma.Register(a.h, huma.Operation{OperationID: "kb-classifier-retrain", Method: http.MethodPost, Path: "/api/v1/admin/kb/classifier/retrain",
		Summary: "Retrain the suggestion models now (admins)", Description: "A durable job also retrains them daily.",
		Tags: tags, Errors: []int{401, 403}},
		func(ctx context.Context, in *struct{}) (*retrainOut, error) {
			by, err := a.caller(ctx)
			if err != nil {
				return nil, err
			}
			ms, err := a.d.KB.RetrainNow(ctx, by)
			if err != nil {
				return nil, a.fail(ctx, err)
			}
			out := &retrainOut{}
			out.Body.Models = modelsJSON(ms)
			return out, nil
		})
}
