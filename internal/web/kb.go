package web

// registerKB registers the knowledge-base workspace (articles, review,
// versions) and the agent's assistance.
func (w *Web) registerKB() {}
