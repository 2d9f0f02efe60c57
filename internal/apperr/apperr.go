// Package apperr defines the typed errors every domain package returns.
//
// An Error carries a Kind (what went wrong, in terms an HTTP edge can map to a
// status code), a stable machine Code that clients may translate (for example
// "ticket.transition_forbidden"), and optional Params that the edge
// interpolates into a localized message. The package has no dependencies so
// that every layer can use it.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind int

// The kinds of error. The zero value is Internal so that an unclassified
// error never leaks as a client error.
const (
	Internal Kind = iota
	Invalid
	NotFound
	Conflict
	PreconditionFailed
	Unauthenticated
	Forbidden
	TooLarge
	Unsupported
	RateLimited
)

// String names the kind for logs.
func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not_found"
	case Conflict:
		return "conflict"
	case PreconditionFailed:
		return "precondition_failed"
	case Unauthenticated:
		return "unauthenticated"
	case Forbidden:
		return "forbidden"
	case TooLarge:
		return "too_large"
	case Unsupported:
		return "unsupported"
	case RateLimited:
		return "rate_limited"
	}
	return "internal"
}

// Error is a classified application error.
type Error struct {
	Kind Kind
	// Code is stable across releases; clients and the message catalog key on it.
	Code string
	// Field names the input field at fault, when there is one.
	Field string
	// Params are interpolated into the localized message ({name} placeholders).
	Params map[string]any
	// Err is the underlying cause, kept for logs and errors.Is.
	Err error
}

// Error describes the error for logs; user-facing text comes from the catalog.
func (e *Error) Error() string {
	s := e.Kind.String() + ": " + e.Code
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New builds an error of the given kind and code.
func New(kind Kind, code string) *Error { return &Error{Kind: kind, Code: code} }

// FieldError builds an Invalid error about one input field.
func FieldError(code, field string, params map[string]any) *Error {
	return &Error{Kind: Invalid, Code: code, Field: field, Params: params}
}

// Wrap builds an error of the given kind around a cause.
func Wrap(kind Kind, code string, err error) *Error { return &Error{Kind: kind, Code: code, Err: err} }

// With returns a copy of e with the parameter set.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Params = make(map[string]any, len(e.Params)+1)
	for k, v := range e.Params {
		c.Params[k] = v
	}
	c.Params[key] = value
	return &c
}

// KindOf reports the kind of err, Internal when it is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is an *Error with the given code.
func Is(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// As extracts the *Error from err.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// NotFoundf builds a NotFound error with a code and a cause description.
func NotFoundf(code, format string, args ...any) *Error {
	return &Error{Kind: NotFound, Code: code, Err: fmt.Errorf(format, args...)}
}

// Multi collects several field errors so a form can show them all at once.
type Multi struct{ Errors []*Error }

// Error joins the contained errors.
func (m *Multi) Error() string {
	s := "invalid input:"
	for _, e := range m.Errors {
		s += " " + e.Error() + ";"
	}
	return s
}

// Add appends a field error.
func (m *Multi) Add(e *Error) { m.Errors = append(m.Errors, e) }

// Err returns nil when nothing was added, otherwise an Invalid *Error whose
// cause is m, so callers see one error and the edge can list every field.
func (m *Multi) Err() error {
	switch len(m.Errors) {
	case 0:
		return nil
	case 1:
		return m.Errors[0]
	}
	return &Error{Kind: Invalid, Code: "validation_failed", Err: m}
}

// Args returns the parameters a message template may use: Params plus
// "field", the input field at fault.
func (e *Error) Args() map[string]any {
	args := make(map[string]any, len(e.Params)+1)
	args["field"] = e.Field
	for k, v := range e.Params {
		args[k] = v
	}
	return args
}
