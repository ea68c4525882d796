package sga

import "errors"

// Codes a run records for an SGA failure (store.Run.ReasonCode for a run it ended,
// store.RunError.Kind for a page it failed). The console's Portuguese and the CLI's next
// steps are looked up by them; stored runs hold them, so they never change.
const (
	CodeCredentials = "credentials" // SGA refused the manual login (usuário, senha)
	CodeSyncToken   = "sync_token"  // SGA refused the Sincronismo SGA token
	CodeRoute       = "route"       // a route is not enabled for the token
	CodeHours       = "hours"       // the SGA user may not work at this hour
	CodeUnreachable = "unreachable" // no reply from SGA's address: a wrong URL or the network
	CodeTransient   = "transient"   // SGA failed or did not answer, after the retries
	CodeRate        = "rate"        // too many requests
	CodeInvalid     = "invalid"     // a reply that could not be read
)

// Kind is one kind of SGA failure and everything ponte does about it. Kinds is the one list of
// them: the client's metrics (Outcome) and retries (Error.Retryable), the sync engine's
// reasons, and, through the codes, the console's texts and the CLI's next steps (each of
// those has a test that every code of Kinds has its entry).
type Kind struct {
	Err    error  // the sentinel an *Error of this kind carries (errors.Is)
	ID     string // its name in metrics (Outcome)
	Retry  bool   // the same request may succeed if sent again soon
	Stops  bool   // no retry can fix it: a sync stops on it, saying Reason
	Reason string // why a sync stopped on it, in English: the engine's reason
	// Code is what a run records for it: as its reason code when the kind stops a sync (Stops),
	// as the run error's kind when it fails a page (Retry); "" when it records nothing of its own.
	Code string
	// TokenCode is the reason code when what SGA refused was the Sincronismo SGA token.
	TokenCode string
	// NoReply marks the one row with no sentinel: a call that got no reply at all
	// (Unreachable), whatever its kind. A run that cannot go on without a reply ends with its
	// Reason and Code.
	NoReply bool
}

// Kinds lists every kind of SGA failure. An error that matches more than one (errors.Join) is
// taken for the first.
var Kinds = []Kind{
	{Err: ErrUnauthorized, ID: "unauthorized", Stops: true, Reason: "SGA refused the credentials",
		Code: CodeCredentials, TokenCode: CodeSyncToken},
	{Err: ErrBlocked, ID: "blocked"},
	{Err: ErrRouteNotAllowed, ID: "route_not_allowed", Stops: true,
		Reason: "a route ponte needs is not enabled for the token in SGA's Gerenciar APIs", Code: CodeRoute},
	{Err: ErrNotFound, ID: "not_found"},
	{Err: ErrAccessHours, ID: "access_hours", Stops: true, Reason: "the SGA user may not work at this hour", Code: CodeHours},
	{Err: ErrTransient, ID: "transient", Retry: true, Code: CodeTransient},
	{Err: ErrRateLimited, ID: "rate_limited", Retry: true, Code: CodeRate},
	{Err: ErrInvalidResponse, ID: "invalid_response", Retry: true, Code: CodeInvalid},
	{NoReply: true, ID: "unreachable", Reason: "no reply from SGA", Code: CodeUnreachable},
}

// KindOf returns the first kind of Kinds that err matches (errors.Is).
func KindOf(err error) (Kind, bool) {
	if err == nil {
		return Kind{}, false
	}
	for _, k := range Kinds {
		if !k.NoReply && errors.Is(err, k.Err) {
			return k, true
		}
	}
	return Kind{}, false
}

// Unreached is the row of a call that got no reply at all.
func Unreached() Kind {
	for _, k := range Kinds {
		if k.NoReply {
			return k
		}
	}
	panic("sga: Kinds has no NoReply row")
}

func kindOf(sentinel error) (Kind, bool) {
	for _, k := range Kinds {
		if !k.NoReply && k.Err == sentinel {
			return k, true
		}
	}
	return Kind{}, false
}

// RunCodes are the reason codes a run ended by this kind may record.
func (k Kind) RunCodes() []string {
	var out []string
	if (k.Stops || k.NoReply) && k.Code != "" {
		out = append(out, k.Code)
	}
	if k.TokenCode != "" {
		out = append(out, k.TokenCode)
	}
	return out
}

// Codes are every code a run may record for this kind: its reason codes and its page code.
func (k Kind) Codes() []string {
	out := k.RunCodes()
	if c := k.PageCode(); c != "" {
		out = append(out, c)
	}
	return out
}

// CodeKinds maps every code a run may record for an SGA failure to its kind's ID: what the
// console's texts and the CLI's next steps must each have an entry for.
func CodeKinds() map[string]string {
	m := map[string]string{}
	for _, k := range Kinds {
		for _, c := range k.Codes() {
			m[c] = k.ID
		}
	}
	return m
}

// PageCode is the run error's kind a page failed by this kind records, "" for none.
func (k Kind) PageCode() string {
	if k.Stops || k.NoReply {
		return ""
	}
	return k.Code
}
