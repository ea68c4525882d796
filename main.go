// Command ponte is a terminal console for the operators of a vehicle-tracking company whose
// customers are vehicle-protection associations running Hinova's SGA. See README.md; the
// commands live in ui/cli.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"ponte/ui/cli"
)

func main() {
	ctx, stop := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	hangups := make(chan struct{}, 1)
	go func() {
		for sig := range signals {
			switch {
			case sig == syscall.SIGHUP:
				select {
				case hangups <- struct{}{}:
				default: // one is already waiting
				}
			case ctx.Err() != nil:
				os.Exit(128 + int(sig.(syscall.Signal))) // a second signal: do not wait for the clean stop
			default:
				stop(cli.Interrupted{Signal: sig})
			}
		}
	}()
	stopProfile := profile(os.Getenv("PONTE_CPUPROFILE"))
	code := cli.Execute(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Hangup: hangups})
	stopProfile()
	os.Exit(code)
}

// profile writes a CPU profile of the whole command to path, when set (PONTE_CPUPROFILE: how
// docs/performance.md's figures were found). It returns what stops and writes it.
func profile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ponte: PONTE_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
