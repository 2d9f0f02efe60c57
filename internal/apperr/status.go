package apperr

import "net/http"

// HTTPStatus is the status both HTTP edges (the JSON API and the web desk)
// answer an error of kind k with; one table, so they never disagree.
func HTTPStatus(k Kind) int {
	switch k {
	case Invalid:
		return http.StatusUnprocessableEntity
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case PreconditionFailed:
		return http.StatusPreconditionFailed
	case Unauthenticated:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Unsupported:
		return http.StatusUnsupportedMediaType
	case RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}
