package httpapi

import (
	"net/http"
	"strings"
)

// Route returns the OpenAPI path template an API request matches
// (/api/v1/tickets/{number}), for metrics labels that stay bounded.
func (a *API) Route(method, path string) (string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	best, bestVars := "", -1
	for tmpl, item := range a.h.OpenAPI().Paths {
		if item == nil || !hasMethod(item.Get != nil, item.Post != nil, item.Put != nil, item.Patch != nil, item.Delete != nil, method) {
			continue
		}
		ts := strings.Split(strings.Trim(tmpl, "/"), "/")
		if len(ts) != len(segs) {
			continue
		}
		vars, ok := 0, true
		for i, t := range ts {
			if strings.HasPrefix(t, "{") {
				vars++
			} else if t != segs[i] {
				ok = false
				break
			}
		}
		// The most literal template wins (/tickets/export over /tickets/{number}).
		if ok && (bestVars < 0 || vars < bestVars) {
			best, bestVars = tmpl, vars
		}
	}
	return best, bestVars >= 0
}

func hasMethod(get, post, put, patch, del bool, m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead:
		return get
	case http.MethodPost:
		return post
	case http.MethodPut:
		return put
	case http.MethodPatch:
		return patch
	case http.MethodDelete:
		return del
	}
	return false
}
