package syncer

import (
	"errors"
	"fmt"

	"ponte/sga"
)

// Why a run failed, in words (the errors) and in codes (what the console translates).

var (
	errNoProduct     = errors.New("the Código do Produto is not set: without it ponte cannot tell our vehicles")
	errNoCredentials = errors.New("neither a Sincronismo SGA token nor the manual credentials (usuário, senha, chave API) are set")
	errNotFound      = errors.New("no vehicle with our product for this CPF in SGA")
	errTooManyGone   = errors.New("SGA no longer lists too large a part of the fleet with our product; check the Código do Produto, or run ponte sync --max-gone 100 if they really left")
)

// Why a run ended other than well, as Run.ReasonCode and Progress.ReasonCode say it.
const (
	ReasonCredentials   = "credentials"    // SGA refused the manual login (usuário, senha)
	ReasonSyncToken     = "sync_token"     // SGA refused the Sincronismo SGA token
	ReasonRoute         = "route"          // a route is not enabled for the token
	ReasonHours         = "hours"          // the SGA user may not work at this hour
	ReasonNoProduct     = "no_product"     // the Código do Produto is not set
	ReasonNoCredentials = "no_credentials" // nothing to log in with
	ReasonNotFound      = "not_found"      // the CPF has no vehicle of ours in SGA
	ReasonBadCPF        = "bad_cpf"
	ReasonNoKey         = "no_key" // the secrets' key is missing or is not this database's
	ReasonCancelled     = "cancelled"
	ReasonPagesFailed   = "pages_failed"
	ReasonTooManyGone   = "too_many_gone" // the run would have marked too much of the fleet gone
	ReasonNoneOurs      = "none_ours"     // no vehicle of SGA's listing carries the Código do Produto
	ReasonUnreachable   = "unreachable"   // no reply from SGA's address: a wrong URL or the network
	ReasonOther         = "other"
)

// What a run error was, as store.RunError.Kind says it.
const (
	KindRecord    = "record"    // a record that could not be read
	KindTransient = "transient" // SGA failed or did not answer, after the retries
	KindRate      = "rate"      // too many requests
	KindInvalid   = "invalid"   // a reply that could not be read
	KindOther     = "other"
)

func reasonCode(err error) string {
	switch {
	case errors.Is(err, sga.ErrUnauthorized):
		return ReasonCredentials
	case errors.Is(err, sga.ErrRouteNotAllowed):
		return ReasonRoute
	case errors.Is(err, sga.ErrAccessHours):
		return ReasonHours
	case errors.Is(err, errNoProduct):
		return ReasonNoProduct
	case errors.Is(err, errNoCredentials):
		return ReasonNoCredentials
	case errors.Is(err, errNotFound):
		return ReasonNotFound
	case errors.Is(err, ErrBadCPF):
		return ReasonBadCPF
	case errors.Is(err, errTooManyGone):
		return ReasonTooManyGone
	case errors.Is(err, errNoneOurs):
		return ReasonNoneOurs
	case sga.Unreachable(err):
		return ReasonUnreachable
	}
	return ReasonOther
}

func errorKind(err error) string {
	switch {
	case errors.Is(err, sga.ErrTransient):
		return KindTransient
	case errors.Is(err, sga.ErrRateLimited):
		return KindRate
	case errors.Is(err, sga.ErrInvalidResponse):
		return KindInvalid
	}
	return KindOther
}

// isFatal reports the errors no retry can fix: the run stops with a clear reason.
func isFatal(err error) bool {
	return errors.Is(err, sga.ErrUnauthorized) || errors.Is(err, sga.ErrRouteNotAllowed) ||
		errors.Is(err, sga.ErrAccessHours) || errors.Is(err, sga.ErrClosed)
}

func fatalReason(err error) error {
	switch {
	case errors.Is(err, sga.ErrUnauthorized):
		return fmt.Errorf("SGA refused the credentials: %w", err)
	case errors.Is(err, sga.ErrRouteNotAllowed):
		return fmt.Errorf("a route ponte needs is not enabled for the token in SGA's Gerenciar APIs: %w", err)
	case errors.Is(err, sga.ErrAccessHours):
		return fmt.Errorf("the SGA user may not work at this hour: %w", err)
	}
	return err
}
