package web

import (
	"net/http"
	"net/url"

	"helpdesk/internal/identity"
)

// urlValues is a submitted form's values.
type urlValues = url.Values

// renderNewErr shows the new-ticket form again with the service's errors.
func (w *Web) renderNewErr(rw http.ResponseWriter, r *http.Request, by identity.Actor, form url.Values, err error, labels map[string]string) {
	w.renderNewWith(rw, r, by, statusOf(kindOf(err)), form, errorsOf(reqOf(r).Lang, err, labels))
}
