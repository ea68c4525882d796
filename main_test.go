package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"ponte/sga"
)

func TestHelpListsOnlyWorkingCommands(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"help"}, &out, io.Discard); code != exitOK {
		t.Fatalf("help exited %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(out.String(), "  "+c.name+" ") {
			t.Errorf("help does not list %s", c.name)
		}
		if c.run == nil && c.name != "help" {
			t.Errorf("%s is listed but does nothing", c.name)
		}
	}
	for _, missing := range []string{"serve", "demo", "import", "backup"} {
		if strings.Contains(out.String(), "  "+missing+" ") {
			t.Errorf("help lists %s, which this build does not have", missing)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"nonsense"},
		{"--no-such-flag", "help"},
		{"sga-sim", "--members", "5"},
		{"sga-sim", "--paging", "sideways"},
		{"sga-sim", "--fail-5xx", "2"},
		{"sga-sim", "extra"},
		{},
	} {
		var errOut bytes.Buffer
		if code := run(context.Background(), args, io.Discard, &errOut); code != exitUsage {
			t.Errorf("ponte %v exited %d, want 2", args, code)
		}
		if errOut.Len() == 0 {
			t.Errorf("ponte %v said nothing on stderr", args)
		}
	}
	if code := run(context.Background(), []string{"help", "sga-sim"}, io.Discard, io.Discard); code != exitOK {
		t.Errorf("help sga-sim exited %d", code)
	}
}

func TestSimCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"sga-sim", "--listen", "127.0.0.1:0", "--members", "40", "--page-size", "10", "--churn", "1h"}, pw, &errOut)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no credentials line: %v (stderr: %s)", err, errOut.String())
	}
	go io.Copy(io.Discard, pr)
	var creds struct {
		URL, Usuario, Senha, Chave_API, Codigo_Produto, Sync_Token string
		Members                                                    int
	}
	if err := json.Unmarshal([]byte(line), &creds); err != nil || creds.URL == "" || creds.Sync_Token == "" || creds.Members != 40 {
		t.Fatalf("credentials line %q: %v", line, err)
	}
	c := sga.New(sga.Config{BaseURL: creds.URL, RequestsPerSecond: -1, Credentials: sga.Credentials{
		User: creds.Usuario, Password: creds.Senha, APIKey: creds.Chave_API, SyncToken: creds.Sync_Token}})
	rep := c.Test(ctx)
	if !rep.OK() {
		t.Fatalf("connection test against ponte sga-sim failed: %+v", rep.Results)
	}
	pc, err := c.SyncPageCount(ctx)
	if err != nil || pc.Pages < 2 {
		t.Fatalf("page count %+v, %v", pc, err)
	}
	cancel()
	select {
	case code := <-exited:
		if code != exitOK {
			t.Fatalf("sga-sim exited %d after SIGINT: %s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sga-sim did not stop")
	}
}
