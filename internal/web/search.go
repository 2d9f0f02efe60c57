package web

// registerSearch registers the search pages of the portal and the workspace
// and the public help center.
func (w *Web) registerSearch() {}
