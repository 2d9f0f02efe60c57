package kb

import (
	"math"
	"slices"

	"helpdesk/internal/search"
)

// Example is a labelled ticket text for training or evaluating a classifier.
type Example struct {
	ID    int64
	Text  string
	Label string
}

// Model is a multinomial naive Bayes classifier over the search tokens
// (words and CJK bigrams) of a ticket's title and description, with
// add-one smoothing.
type Model struct {
	Labels []string         `json:"labels"`
	Docs   map[string]int   `json:"docs"`
	Total  map[string]int   `json:"total"`
	Counts map[string][]int `json:"counts"` // token → count per label (Labels order)
}

// maxFeatureTokens bounds the tokens read from one text.
const maxFeatureTokens = 400

func features(text string) []string {
	seq := search.Tokenize(text).Seq
	return seq[:min(len(seq), maxFeatureTokens)]
}

// Train fits a model; tokens seen only once in the whole set are dropped.
func Train(examples []Example) Model {
	m := Model{Docs: map[string]int{}, Total: map[string]int{}, Counts: map[string][]int{}}
	for _, e := range examples {
		if !slices.Contains(m.Labels, e.Label) {
			m.Labels = append(m.Labels, e.Label)
		}
	}
	slices.Sort(m.Labels)
	idx := map[string]int{}
	for i, l := range m.Labels {
		idx[l] = i
	}
	for _, e := range examples {
		m.Docs[e.Label]++
		li := idx[e.Label]
		for _, t := range features(e.Text) {
			c := m.Counts[t]
			if c == nil {
				c = make([]int, len(m.Labels))
				m.Counts[t] = c
			}
			c[li]++
		}
	}
	for t, c := range m.Counts {
		sum := 0
		for _, n := range c {
			sum += n
		}
		if sum < 2 {
			delete(m.Counts, t)
			continue
		}
		for i, n := range c {
			m.Total[m.Labels[i]] += n
		}
	}
	return m
}

// Prediction is a classifier's best label and its probability.
type Prediction struct {
	Label      string
	Confidence float64
}

// Predict returns the most probable label for text; the zero Prediction
// when the model is empty.
func (m Model) Predict(text string) Prediction {
	if len(m.Labels) == 0 {
		return Prediction{}
	}
	docs := 0
	for _, n := range m.Docs {
		docs += n
	}
	v := float64(len(m.Counts))
	scores := make([]float64, len(m.Labels))
	for i, l := range m.Labels {
		scores[i] = math.Log(float64(m.Docs[l]) / float64(docs))
	}
	for _, t := range features(text) {
		c, ok := m.Counts[t]
		if !ok {
			continue
		}
		for i, l := range m.Labels {
			scores[i] += math.Log((float64(c[i]) + 1) / (float64(m.Total[l]) + v))
		}
	}
	best := 0
	for i := range scores {
		if scores[i] > scores[best] {
			best = i
		}
	}
	// Softmax, shifted by the best score for stability.
	sum := 0.0
	for _, s := range scores {
		sum += math.Exp(s - scores[best])
	}
	return Prediction{Label: m.Labels[best], Confidence: 1 / sum}
}

// Split divides examples into a training and a held-out set: every fifth
// ticket by id (id % 5 == 0) is held out, so the split is stable as the
// desk grows and never depends on order.
func Split(examples []Example) (train, test []Example) {
	for _, e := range examples {
		if e.ID%5 == 0 {
			test = append(test, e)
		} else {
			train = append(train, e)
		}
	}
	return train, test
}

// Accuracy is the share of examples the model labels correctly (0 for none).
func (m Model) Accuracy(examples []Example) float64 {
	if len(examples) == 0 {
		return 0
	}
	ok := 0
	for _, e := range examples {
		if m.Predict(e.Text).Label == e.Label {
			ok++
		}
	}
	return float64(ok) / float64(len(examples))
}
