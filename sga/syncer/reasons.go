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
	ReasonCredentials   = sga.CodeCredentials // SGA refused the manual login (usuário, senha)
	ReasonSyncToken     = sga.CodeSyncToken   // SGA refused the Sincronismo SGA token
	ReasonRoute         = sga.CodeRoute       // a route is not enabled for the token
	ReasonHours         = sga.CodeHours       // the SGA user may not work at this hour
	ReasonNoProduct     = "no_product"        // the Código do Produto is not set
	ReasonNoCredentials = "no_credentials"    // nothing to log in with
	ReasonNotFound      = "not_found"         // the CPF has no vehicle of ours in SGA
	ReasonBadCPF        = "bad_cpf"
	ReasonNoKey         = "no_key" // the secrets' key is missing or is not this database's
	ReasonCancelled     = "cancelled"
	ReasonPagesFailed   = "pages_failed"
	ReasonTooManyGone   = "too_many_gone"     // the run would have marked too much of the fleet gone
	ReasonNoneOurs      = "none_ours"         // no vehicle of SGA's listing carries the Código do Produto
	ReasonUnreachable   = sga.CodeUnreachable // no reply from SGA's address: a wrong URL or the network
	ReasonOther         = "other"
)

// What a run error was, as store.RunError.Kind says it.
const (
	KindRecord    = "record"          // a record that could not be read
	KindTransient = sga.CodeTransient // SGA failed or did not answer, after the retries
	KindRate      = sga.CodeRate      // too many requests
	KindInvalid   = sga.CodeInvalid   // a reply that could not be read
	KindOther     = "other"
)

// reasonCode is the code of why a run ended on err: the SGA failure's (sga.Kinds), or the
// engine's own.
func reasonCode(err error) string {
	switch {
	case stopping(err) != nil:
		return stopping(err).Code
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
		return sga.Unreached().Code
	}
	return ReasonOther
}

// errorKind is the kind a page's run error records for err.
func errorKind(err error) string {
	for _, k := range sga.Kinds {
		if k.PageCode() != "" && errors.Is(err, k.Err) {
			return k.PageCode()
		}
	}
	return KindOther
}

// tokenCode is the reason code of a run that read with the Sincronismo SGA token and ended on
// code: the token's own, when SGA refused it.
func tokenCode(code string) string {
	for _, k := range sga.Kinds {
		if k.Stops && k.Code == code && k.TokenCode != "" {
			return k.TokenCode
		}
	}
	return code
}

// isFatal reports the errors no retry can fix: the run stops with a clear reason.
func isFatal(err error) bool {
	return stopping(err) != nil || errors.Is(err, sga.ErrClosed)
}

// stopping is the first kind that stops a sync err matches, or nil.
func stopping(err error) *sga.Kind {
	for i, k := range sga.Kinds {
		if k.Stops && errors.Is(err, k.Err) {
			return &sga.Kinds[i]
		}
	}
	return nil
}

// fatalReason is err with the engine's reason for the kind that stopped the run.
func fatalReason(err error) error {
	if k := stopping(err); k != nil {
		return fmt.Errorf("%s: %w", k.Reason, err)
	}
	return err
}

// noReply is err, a call that got no reply at all, with the engine's reason for it.
func noReply(err error) error {
	return fmt.Errorf("%s: %w", sga.Unreached().Reason, err)
}
