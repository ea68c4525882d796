package cli

import (
	"strings"
	"testing"

	"ponte/sga"
)

func TestSSHLine(t *testing.T) {
	for _, tc := range []struct {
		listen string
		args   []string
		want   string
	}{
		{"127.0.0.1:2222", []string{"export", "clients"}, "ssh -p 2222 localhost export clients"},
		{"0.0.0.0:2299", []string{"--db", "/srv/p.db", "--association", "norte", "runs"}, "ssh -p 2299 localhost -- --association norte runs"},
		{"10.1.2.3:22", []string{"--db=/srv/p.db", "export", "vehicles", "--format", "csv"}, "ssh -p 22 10.1.2.3 export vehicles --format csv"},
		{"[::]:2222", []string{"pending", "dismiss", "1", "--reason", "já retirado"}, "ssh -p 2222 localhost pending dismiss 1 --reason 'já retirado'"},
		{"127.0.0.1:0", []string{"runs"}, "ssh -p PORT localhost runs"},
		{"x", []string{"order", "show", "it's"}, `ssh -p PORT localhost order show 'it'\''s'`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			if got := sshLine(tc.listen, tc.args); got != tc.want {
				t.Errorf("sshLine(%q, %q) = %q, want %q", tc.listen, tc.args, got, tc.want)
			}
		})
	}
	if got := listenOf("/usr/bin/ponte --db x serve --listen=0.0.0.0:2299 --log y"); got != "0.0.0.0:2299" {
		t.Errorf("listenOf: %q", got)
	}
	if got := listenOf("ponte serve"); got != defaultListen {
		t.Errorf("listenOf without --listen: %q", got)
	}
}

func TestMetricsAddress(t *testing.T) {
	for flag, want := range map[string]string{"": "", "9464": "127.0.0.1:9464", ":9464": "127.0.0.1:9464",
		"0.0.0.0:9464": "0.0.0.0:9464", "[::1]:9464": "[::1]:9464", "a:b:c": "error", "host:": "error"} {
		got, err := metricsAddress(flag)
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("metricsAddress(%q) = %q, want %q", flag, got, want)
		}
	}
}

// CommandName names the command past the global flags, whatever their form.
func TestCommandName(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-a", "norte", "export", "clients"}, "export"},
		{[]string{"--association=norte", "order", "show", "OS-1"}, "order show"},
		{[]string{"--association", "norte", "runs", "-a", "x"}, "runs"},
		{[]string{"-a", "norte"}, ""},
		{[]string{"nonsense", "x"}, ""},
		{nil, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			if got := CommandName(tc.args); got != tc.want {
				t.Errorf("CommandName(%q) = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
}

// TestNextSteps holds the CLI's next steps for SGA failures to the one table of their kinds:
// every code a run may record for one (sga.Kinds) has its entry in nextSteps, a step or none
// said so, and nextSteps keeps none for a code the table does not have.
func TestNextSteps(t *testing.T) {
	codes := sga.CodeKinds()
	for c, kind := range codes {
		t.Run(kind+"/"+c, func(t *testing.T) {
			if _, ok := nextSteps[c]; !ok {
				t.Errorf("no next step for code %q of kind %s: add it to nextSteps (ui/cli/errors.go), {} for none", c, kind)
			}
		})
	}
	for c := range nextSteps {
		if _, ok := codes[c]; !ok {
			t.Errorf("nextSteps has %q, which no kind of sga.Kinds records", c)
		}
	}
}
