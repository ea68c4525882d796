package ui

import (
	"errors"
	"fmt"
	"strings"

	"ponte/sga/syncer"
)

// headline is what a save's connection test means for the operator: the field to fix when
// SGA refused the credentials or the token, the routes to enable when they are not enabled.
func headline(checks []syncer.RouteCheck) (string, bool) {
	var login, token, denied, failed, answered bool
	for _, c := range checks {
		answered = answered || c.OK || c.Refused || c.Denied || c.UnknownProduct
		switch {
		case c.Optional && !c.Refused:
			// Without the change feeds the daily sync reads everything: said on the route's line.
		case c.Refused && c.API == "sync":
			token = true
		case c.Refused:
			login = true
		case c.Denied:
			denied = true
		case !c.OK && !c.Skipped:
			failed = true
		}
	}
	switch {
	case login && token:
		return tBadLogin + " " + tBadSyncToken, false
	case login:
		return tBadLogin, false
	case token:
		return tBadSyncToken, false
	case denied:
		return tSavedWarn, false
	case failed && !answered:
		return tSavedUntested, false
	case failed:
		return tSavedFailed, false
	}
	return tSuccess, true
}

// refusedText is why Salvar or Atualizar Token saved nothing: SGA refused what was typed
// (syncer.Vet), and what was stored before stays.
func refusedText(err error) string {
	var said []string
	if errors.Is(err, syncer.ErrLoginRefused) {
		said = append(said, tLoginNotSaved)
	}
	if errors.Is(err, syncer.ErrTokenRefused) {
		said = append(said, tTokenNotSaved)
	}
	return tNotSaved + strings.Join(said, " ")
}

// checksView is the connection test, route by route.
func (p *integrationPage) checksView() string {
	st := p.c.styles
	refused := map[string]bool{}
	for _, c := range p.checks {
		if c.Refused {
			refused[c.API] = true
		}
	}
	var b strings.Builder
	for _, c := range p.checks {
		mark, text, style := "✓", tRouteOK, st.Success
		switch {
		case c.Refused && c.API == "sync":
			mark, text, style = "✗", tTokenRefused, st.Error
		case c.Refused:
			mark, text, style = "✗", tLoginRefused, st.Error
		case c.Denied && c.Optional:
			mark, text, style = "·", tRouteDeniedOptional, st.Warning
		case c.Denied:
			mark, text, style = "✗", tRouteDenied, st.Error
		case c.Skipped && refused[c.API]:
			mark, text, style = "·", tSkippedRefused, st.Hint
		case c.Skipped:
			mark, text, style = "·", tSkippedUnset, st.Hint
		case !c.OK && c.Optional:
			mark, text, style = "·", tRouteFailedOptional, st.Warning
		case !c.OK:
			mark, text, style = "✗", tRouteFailed, st.Error
		}
		what := c.Route
		if c.ProductCode != "" {
			what = fmt.Sprintf(tProductCheck, c.ProductCode)
		}
		if c.UnknownProduct {
			text = tUnknownProduct
			if len(c.KnownProducts) > 0 {
				text += fmt.Sprintf(tKnownProducts, strings.Join(c.KnownProducts, ", "))
			}
		}
		line := fmt.Sprintf("  %s %s: %s", mark, what, text)
		if c.Message != "" && !c.OK && !c.Skipped && !c.Refused {
			line += " (" + c.Message + ")" // SGA's own text
		}
		b.WriteString(style.Render(cell(line, p.width)) + "\n")
	}
	return b.String()
}
