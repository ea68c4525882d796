package cli

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"ponte/sga"
	"ponte/store"
)

// The next step for each failure a user can mend, said after the error itself, a line each.
const (
	hintPassword = "SGA refused the Usuário or Senha: set them again with ponte config set --user USER --password-stdin " +
		"(the password on stdin, or in PONTE_SGA_PASSWORD), then run ponte config test"
	hintSyncToken = "SGA refused the Sincronismo SGA token: generate a new one in SGA (Fornecedor > Configurar Sincronismo) " +
		"and set it with ponte config set --sync-token-stdin, or clear it with ponte config unset sync-token to read with the manual credentials"
	hintRoutes = "routes marked \"not allowed\" must be enabled for the token in SGA: Área Cliente > APIs > Gerenciar APIs"
)

// nextStep is what the CLI says after an SGA failure: the next step (nil where the user has
// nothing to mend), and whether the command exits ExitRefused.
type nextStep struct {
	text    func(url string) string
	refused bool
}

// nextSteps holds, for every code a run records for an SGA failure (sga.Kinds), its next step.
// TestNextSteps holds one for every code.
var nextSteps = map[string]nextStep{
	sga.CodeCredentials: {text: func(string) string { return hintPassword }, refused: true},
	sga.CodeSyncToken:   {text: func(string) string { return hintSyncToken }, refused: true},
	sga.CodeRoute:       {text: func(string) string { return hintRoutes }},
	sga.CodeUnreachable: {text: unreachableHint},
	sga.CodeHours:       {}, // the user's hours are set in SGA, by whoever manages it
	sga.CodeTransient:   {},
	sga.CodeRate:        {},
	sga.CodeInvalid:     {},
}

// nextStepText is the next step for the SGA failure of code, "" when there is none.
func nextStepText(code, url string) string {
	if s := nextSteps[code]; s.text != nil {
		return s.text(url)
	}
	return ""
}

// unreachableHint says which address got no reply and what to check.
func unreachableHint(url string) string {
	if url == "" {
		url = sga.DefaultBaseURL
	}
	return fmt.Sprintf("no reply from SGA at %s: check the URL (--sga-url, or ponte config set --sga-url) and the network", url)
}

// inUseHint adds to a database-in-use error what to do. Held by ponte serve, the same
// command runs through it over SSH, and the hint spells that command line out; held by
// another command, wait for it or stop it (the PID, when the system tells).
func (a *app) inUseHint(err error) error {
	var e *store.InUseError
	if !errors.As(err, &e) {
		return err
	}
	switch {
	case strings.Contains(" "+e.Command+" ", " serve "):
		listen := listenOf(e.Command)
		if addr, pid, ok := readServing(e.Path); ok && pid == e.PID {
			listen = addr
		}
		return fmt.Errorf("%w\nponte serve holds it while it runs: run the command through it, as an administrator with a key:\n  %s",
			err, sshLine(listen, a.args))
	case e.PID != 0:
		return fmt.Errorf("%w\nwait for it to end, or stop it (kill -INT %d)", err, e.PID)
	}
	return fmt.Errorf("%w\nwait for the other ponte to end, or stop it", err)
}

// listenOf is the --listen of a ponte serve command line, or serve's default.
func listenOf(serving string) string {
	listen := defaultListen
	fields := strings.Fields(serving)
	for i, f := range fields {
		if v, ok := strings.CutPrefix(f, "--listen="); ok {
			listen = v
		} else if f == "--listen" && i+1 < len(fields) {
			listen = fields[i+1]
		}
	}
	return listen
}

// sshLine is the ssh command line that runs args inside the ponte serve listening on listen,
// on this machine: localhost, unless it listens on one other address. --db, which names the
// server's database here, is left out; a line that begins with a flag gets "--" before it, which
// ends OpenSSH's own options.
func sshLine(listen string, args []string) string {
	port, host := "PORT", "localhost"
	if h, p, err := net.SplitHostPort(listen); err == nil {
		if p != "" && p != "0" {
			port = p
		}
		if ip := net.ParseIP(h); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() {
			host = h // it listens on that address only
		}
	}
	var rest []string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--db" && i+1 < len(args):
			i++
		case strings.HasPrefix(args[i], "--db="):
		default:
			rest = append(rest, shellQuote(args[i]))
		}
	}
	if len(rest) > 0 && strings.HasPrefix(rest[0], "-") {
		rest = append([]string{"--"}, rest...) // OpenSSH reads options after the host too
	}
	return strings.TrimSpace("ssh -p " + port + " " + host + " " + strings.Join(rest, " "))
}

// shellQuote quotes a word for a POSIX shell when it needs it.
func shellQuote(w string) string {
	if w != "" && strings.IndexFunc(w, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,@+%", r))
	}) < 0 {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// runError is a run that failed, as the command's error: its reason and, where the user can
// mend it, the next step (named for its association through name); refused credentials exit
// ExitRefused.
func runError(r store.Run, url string, name func(string) string) error {
	err := fmt.Errorf("run %d %s: %s", r.ID, r.Status, r.Reason)
	next := nextStepText(r.ReasonCode, url)
	if next == "" {
		return err
	}
	err = fmt.Errorf("%w\n%s", err, name(next))
	if nextSteps[r.ReasonCode].refused {
		return statusError{status: ExitRefused, err: err}
	}
	return err
}

// naming makes a next step's commands name the association s is seen from, when the
// database has more than one: "ponte config set" becomes "ponte --association norte config set".
func (a *app) naming(s store.Backend, text string) string {
	here, ok := s.Current()
	all, err := s.Associations()
	if !ok || err != nil || len(all) < 2 {
		return text
	}
	return strings.ReplaceAll(text, "ponte config ", "ponte --association "+here.Slug+" config ")
}
