package cli

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"ponte/ui/uitest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// closedByServer reads c until the server closes it; it fails loudly if that does not happen
// within a generous deadline, or if what arrives is not an end of the connection.
func closedByServer(t *testing.T, c net.Conn, what string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("%s: the server kept the connection open for 30s", what)
	}
}

// The metrics listener holds at most metricsLimits.MaxConns connections: one past it is
// closed at once, and once one is let go a scrape gets in again.
func TestMetricsListenerCapsConnections(t *testing.T) {
	var log uitest.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	stop, err := serveMetrics("127.0.0.1:0", h, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	addr := regexp.MustCompile(`msg="serving metrics" addr=(\S+)`).FindStringSubmatch(log.String())
	if addr == nil {
		t.Fatalf("no address logged:\n%s", log.String())
	}
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// Each connection asks once and keeps its keep-alive, as a flood of health checks does.
	get := func() (net.Conn, *http.Response, error) {
		c, err := net.Dial("tcp", addr[1])
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
		}
		return c, resp, err
	}
	for range metricsLimits.MaxConns {
		c, resp, err := get()
		held = append(held, c)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("connection %d of %d: %v", len(held), metricsLimits.MaxConns, err)
		}
	}
	extra, resp, err := get()
	defer extra.Close()
	if err == nil {
		t.Fatalf("a connection past the cap of %d was answered: %s", metricsLimits.MaxConns, resp.Status)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("a connection past the cap was held open instead of closed: %v", err)
	}
	if !strings.Contains(log.String(), "http connection refused: too many open") {
		t.Errorf("the refusal is not logged:\n%s", log.String())
	}
	held[0].Close()
	held = held[1:]
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr[1] + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no scrape got in for 30s after a connection was let go: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A server newHTTPServer builds closes an idle keep-alive, a client that never ends its
// header, and refuses a header past MaxHeaderBytes.
func TestHTTPServerLimits(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := httpLimits{ReadHeaderTimeout: 100 * time.Millisecond, ReadTimeout: 200 * time.Millisecond,
		WriteTimeout: time.Second, IdleTimeout: 100 * time.Millisecond, MaxHeaderBytes: 1 << 10, MaxConns: 4}
	srv, capped := newHTTPServer(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }), l, nil)
	go func() { _ = srv.Serve(capped) }()
	defer srv.Close()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}

	c := dial()
	_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 || resp.Close {
		t.Fatalf("keep-alive request: %v %+v", err, resp)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	closedByServer(t, c, "an idle keep-alive")

	c = dial()
	_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
	closedByServer(t, c, "a header never ended")

	c = dial()
	_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("a", 8<<10)+"\r\n\r\n")
	resp, err = http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("oversized header: %v %+v", err, resp)
	}
}

// Every HTTP server ponte opens is built by newHTTPServer, so none goes without its limits.
func TestEveryHTTPServerHasLimits(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			path == filepath.Join(root, "ui", "cli", "httpserver.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, bad := range []string{"http.Server{", "http.ListenAndServe(", "http.Serve("} {
			if bytes.Contains(b, []byte(bad)) {
				t.Errorf("%s: %s outside newHTTPServer; build the server with newHTTPServer", path, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
