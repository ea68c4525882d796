package sga_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"ponte/sga"
)

// TestSleep holds the one context-aware wait: it waits out d on a live context, and gives
// the context's error, without waiting, on one that has ended.
func TestSleep(t *testing.T) {
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want error
	}{
		{"live, short wait", context.Background(), time.Millisecond, nil},
		{"live, no wait", context.Background(), 0, nil},
		{"live, negative wait", context.Background(), -time.Second, nil},
		{"ended, long wait", ended, time.Hour, context.Canceled},
		{"ended, no wait", ended, 0, context.Canceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := sga.Sleep(c.ctx, c.d); !errors.Is(err, c.want) {
				t.Fatalf("Sleep(%v) = %v, want %v", c.d, err, c.want)
			}
		})
	}
}
