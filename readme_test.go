package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ponte/ui/cli"
)

// sshServer is ponte serve on a database of its own whose administrators' keys ssh-keygen
// made: maria a supervisor, ana an operator of norte-seguro, and a stranger's key that is
// no one's. Tests drive it with the OpenSSH client.
type sshServer struct {
	t                  *testing.T
	bin, db, dir, port string
	ssh                string // the OpenSSH client
}

// newSSHServer makes the database and the keys; the test is skipped without OpenSSH.
func newSSHServer(t *testing.T) *sshServer {
	t.Helper()
	sshBin, errS := exec.LookPath("ssh")
	keygen, errK := exec.LookPath("ssh-keygen")
	if errS != nil || errK != nil {
		t.Skip("the OpenSSH client is needed (.ci/run installs it)")
	}
	dir := t.TempDir()
	s := &sshServer{t: t, bin: ponteBinary(t), db: filepath.Join(dir, "ponte.db"), dir: dir, ssh: sshBin}
	for _, k := range []string{"maria", "ana", "stranger"} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", k, "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v %s", err, out)
		}
	}
	for _, args := range [][]string{
		{"admin", "add", "--login", "maria", "--name", "Maria", "--ssh-key", filepath.Join(dir, "maria.pub")},
		{"association", "add", "norte-seguro", "--name", "Norte Seguro"},
		{"admin", "add", "--login", "ana", "--name", "Ana", "--role", "operator", "--associations", "norte-seguro", "--ssh-key", filepath.Join(dir, "ana.pub")},
	} {
		if out, err := exec.Command(s.bin, append([]string{"--db", s.db}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", strings.Join(args, " "), err, out)
		}
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	s.port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	return s
}

// serve starts ponte serve and waits until it listens.
func (s *sshServer) serve() *exec.Cmd {
	cmd := exec.Command(s.bin, "--db", s.db, "serve", "--listen", "127.0.0.1:"+s.port)
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	for range 100 { // listening?
		if c, err := net.Dial("tcp", "127.0.0.1:"+s.port); err == nil {
			c.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cmd
}

func (s *sshServer) stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
}

// args are ssh's options for the server with key's identity, host keys checked as strict says
// (against a known_hosts file of the test's own), then extra.
func (s *sshServer) args(key string, strict string, extra ...string) []string {
	return append([]string{"-p", s.port, "-i", filepath.Join(s.dir, key), "-o", "IdentitiesOnly=yes",
		"-o", "StrictHostKeyChecking=" + strict, "-o", "UserKnownHostsFile=" + filepath.Join(s.dir, "known_hosts"), "-o", "BatchMode=yes"}, extra...)
}

// readmeLine is a line of a code block of the README or docs/, with its file and line number.
type readmeLine struct {
	file string
	n    int
	text string
}

// docFiles are the README, the guides under docs/ it points to, and the contributors' guide and
// changelog beside it. A changelog entry for a command or flag since removed names it without
// "ponte " before it (`sync --old-flag`), which these tests would take for a line to check.
func docFiles(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	return append([]string{"README.md", "CONTRIBUTING.md", "CHANGELOG.md"}, docs...)
}

// readmeCode is every line of the README's code blocks, a line continued with "\" joined to
// the next, the generated command reference left out (TestReadmeReference holds it to the
// tree), and a "$ " prompt taken off.
func readmeCode(t *testing.T) []readmeLine {
	t.Helper()
	var out []readmeLine
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		inBlock, inReference := false, false
		var cont string
		for i, line := range strings.Split(string(b), "\n") {
			switch {
			case strings.HasPrefix(line, "<!-- commands: generated"):
				inReference = true
			case strings.HasPrefix(line, "<!-- commands: end"):
				inReference = false
			case strings.HasPrefix(line, "```"):
				inBlock = !inBlock
			case inBlock && !inReference:
				if c, ok := strings.CutSuffix(line, "\\"); ok {
					cont += c
					continue
				}
				out = append(out, readmeLine{file, i + 1, strings.TrimPrefix(cont+line, "$ ")})
				cont = ""
			}
		}
	}
	return out
}

// shellCommands splits a shell line into its simple commands, each as its words: quotes
// taken off, a comment, a redirection with its target, and the control operators (| ; & && ||)
// left out; leading assignments (VAR=value) are dropped.
func shellCommands(line string) [][]string {
	var cmds [][]string
	var words []string
	var w strings.Builder
	inWord, skipNext := false, false
	endWord := func() {
		if inWord {
			if skipNext {
				skipNext = false
			} else {
				words = append(words, w.String())
			}
		}
		w.Reset()
		inWord = false
	}
	endCmd := func() {
		endWord()
		for len(words) > 0 && isAssignment(words[0]) {
			words = words[1:]
		}
		if len(words) > 0 {
			cmds = append(cmds, words)
		}
		words = nil
	}
	r := []rune(line)
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(r) && r[j] != c {
				j++
			}
			w.WriteString(string(r[i+1 : min(j, len(r))]))
			inWord, i = true, j
		case c == '$' && i+1 < len(r) && r[i+1] == '(':
			depth, j := 0, i
			for ; j < len(r); j++ {
				if r[j] == '(' {
					depth++
				} else if r[j] == ')' {
					if depth--; depth == 0 {
						break
					}
				}
			}
			w.WriteString(string(r[i:min(j+1, len(r))]))
			inWord, i = true, j
		case c == '\\' && i+1 < len(r):
			i++
			w.WriteRune(r[i])
			inWord = true
		case c == '#' && !inWord:
			endCmd()
			return cmds
		case c == ' ' || c == '\t':
			endWord()
		case c == '|' || c == ';' || c == '&':
			endCmd()
			if i+1 < len(r) && r[i+1] == c {
				i++
			}
		case c == '>' || c == '<':
			if s := w.String(); inWord && strings.Trim(s, "0123456789") == "" {
				w.Reset() // 2>: the descriptor is no word
				inWord = false
			}
			endWord()
			for i+1 < len(r) && (r[i+1] == '>' || r[i+1] == '&') {
				i++
			}
			skipNext = true
		default:
			w.WriteRune(c)
			inWord = true
		}
	}
	endCmd()
	return cmds
}

func isAssignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	return ok && name != "" && strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789") == ""
}

// sshOptionsWithValue are OpenSSH's options that take a value.
const sshOptionsWithValue = "BbcDEeFIiJLlmOoPpQRSWw"

// ponteArgs is what a command of the README runs of ponte's: the arguments of "ponte ...",
// "/usr/local/bin/ponte ...", "go run . ..." or, after the host, "ssh ... host ..."; ok is false
// for any other command. A synopsis's optional parts ("[--json]") count as given, and a
// COMMAND placeholder ends it.
func ponteArgs(words []string) (args []string, viaSSH, ok bool) {
	switch {
	case len(words) > 0 && filepath.Base(words[0]) == "ponte":
		args = words[1:]
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == ".":
		args = words[3:]
	case len(words) > 0 && words[0] == "ssh":
		i := 1
		for i < len(words) && strings.HasPrefix(words[i], "-") {
			if f := words[i]; len(f) == 2 && strings.ContainsRune(sshOptionsWithValue, rune(f[1])) {
				i++
			}
			i++
		}
		// ssh sends its words joined by spaces; the server splits them again as a shell would.
		if cmds := shellCommands(strings.Join(words[min(i+1, len(words)):], " ")); len(cmds) > 0 {
			args = cmds[0]
		}
		viaSSH = true
	default:
		return nil, false, false
	}
	var out []string
	for _, a := range args {
		a = strings.Trim(a, "[]")
		if a == "COMMAND" {
			break
		}
		if strings.HasPrefix(a, "$(") {
			a = "1" // a command's output stands for one value (the command itself is checked apart)
		}
		out = append(out, a)
	}
	return out, viaSSH, true
}

// Every command line of the README's code blocks, and of the commands' help examples, parses
// with the real command tree: no unknown command or flag, no arguments its command refuses;
// and an ssh line's command begins with a command, not a flag, which OpenSSH would take as an
// option of its own.
func TestReadmeCommandLines(t *testing.T) {
	lines := readmeCode(t)
	for _, ex := range cli.Examples() {
		lines = append(lines, readmeLine{"", 0, ex})
	}
	checked := 0
	for _, l := range lines {
		where := fmt.Sprintf("%s:%d", l.file, l.n)
		if l.n == 0 {
			where = "a command's help example"
		}
		cmds := shellCommands(l.text)
		for i := 0; i < len(cmds); i++ {
			for _, w := range cmds[i] {
				if inner, ok := strings.CutPrefix(w, "$("); ok {
					cmds = append(cmds, shellCommands(strings.TrimSuffix(inner, ")"))...)
				}
			}
		}
		for _, words := range cmds {
			args, viaSSH, ok := ponteArgs(words)
			if !ok {
				continue
			}
			checked++
			if viaSSH && len(args) > 0 && strings.HasPrefix(args[0], "-") {
				t.Errorf("%s: OpenSSH takes %q for an option of its own: %s", where, args[0], l.text)
			}
			if err := cli.Check(args, viaSSH); err != nil {
				t.Errorf("%s: %v\n\t%s", where, err, l.text)
			}
		}
	}
	if checked < 60 {
		t.Fatalf("only %d command lines found in the README's code blocks and the help's examples", checked)
	}
}

// Every command the README's prose names in a code span ("`ponte association add`", "`ssh -p
// 2222 host backup > FILE`") exists, with the flags it names.
func TestReadmeCommandNames(t *testing.T) {
	checked := 0
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range regexp.MustCompile("`((?:ponte|go run \\.|ssh) [^`]*)`").FindAllStringSubmatch(line, -1) {
				for _, words := range shellCommands(m[1]) {
					args, _, ok := ponteArgs(words)
					if !ok {
						continue
					}
					checked++
					if err := cli.CheckNames(args); err != nil {
						t.Errorf("%s:%d: %v\n\t%s", file, i+1, err, m[1])
					}
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d commands named in the README's prose", checked)
	}
}

// Every ssh line of the README runs, as written, with the OpenSSH client against ponte serve:
// the host is this server, the key maria's (a supervisor), and the files the lines read and
// write are in a directory of the test's own. What ssh itself refuses exits 255, and what ponte
// refuses as bad usage exits 2; a line may fail for want of data (an order that is not there),
// with ponte's 1.
func TestReadmeSSHLines(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ponte serve and ssh")
	}
	srv := newSSHServer(t)
	server := srv.serve()
	defer srv.stop(server)
	work := t.TempDir()
	pub, err := os.ReadFile(filepath.Join(srv.dir, "ana.pub"))
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"senha.txt": "senha-do-teste\n", "joao.pub": strings.Replace(string(pub), " ana", " joao", 1)} {
		if err := os.WriteFile(filepath.Join(work, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ssh := srv.ssh + " " + strings.Join(srv.args("maria", "no"), " ")
	ran := 0
	for _, l := range readmeCode(t) {
		line := l.text
		if f := strings.Fields(line); len(f) > 6 && f[0] != "ssh" && strings.Contains(line, " ssh ") {
			line = strings.Join(f[6:], " ") // a crontab line: minute hour day month weekday user, then the command
		}
		if !strings.HasPrefix(line, "ssh ") && !strings.Contains(line, "; ssh ") {
			continue
		}
		if cmds := shellCommands(line); len(cmds) == 1 {
			if args, _, _ := ponteArgs(cmds[0]); len(args) == 0 {
				continue // the console: TestServeWithOpenSSH opens it
			}
		}
		line = strings.NewReplacer("ssh -p 2222", ssh, "-i ~/.ssh/ponte_backup ", "", "ponte.example.com", "127.0.0.1",
			"/var/backups/ponte", filepath.Join(work, "backups")).Replace(line)
		if err := os.MkdirAll(filepath.Join(work, "backups"), 0o700); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("sh", "-c", line)
		cmd.Dir = work
		out, _ := cmd.CombinedOutput()
		code := cmd.ProcessState.ExitCode()
		ran++
		if code != 0 && code != 1 || strings.Contains(string(out), "unknown option") {
			t.Errorf("%s:%d: exit %d\n\t%s\n%s", l.file, l.n, code, l.text, out)
		}
	}
	if ran < 8 {
		t.Fatalf("only %d ssh lines ran", ran)
	}
}
