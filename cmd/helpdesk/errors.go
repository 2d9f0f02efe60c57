package main

import (
	"errors"
	"fmt"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/i18n"
)

// describe turns a service error into a readable CLI message in English.
func describe(err error) error {
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	var multi *apperr.Multi
	var parts []string
	if errors.As(e, &multi) {
		for _, fe := range multi.Errors {
			parts = append(parts, msg(fe))
		}
	} else {
		parts = append(parts, msg(e))
	}
	return fmt.Errorf("%s", strings.Join(parts, "; "))
}

func msg(e *apperr.Error) string {
	params := e.Args()
	return i18n.T(i18n.EN, e.Code, params) + " [" + e.Code + "]"
}
