package cli

import (
	"runtime/debug"
	"strings"
)

// A release build stamps these (see .goreleaser.yaml):
//
//	go build -ldflags "-X ponte/ui/cli.version=v1.2.0 -X ponte/ui/cli.commit=… -X ponte/ui/cli.date=…"
//
// Otherwise Version reads what the Go toolchain recorded in the binary.
var version, commit, date string

// Version is this binary's version, commit and build date: "v1.2.0 (commit 1a2b3c4d5e6f,
// 2026-11-27T17:41:59Z)", with "modified" for a build from a tree with uncommitted changes.
func Version() string {
	v, c, d, modified := version, commit, date, false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if c == "" {
					c = s.Value
				}
			case "vcs.time":
				if d == "" {
					d = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true" && version == ""
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	var about []string
	if c != "" {
		about = append(about, "commit "+c[:min(len(c), 12)])
	}
	if d != "" {
		about = append(about, d)
	}
	if modified {
		about = append(about, "modified")
	}
	if len(about) == 0 {
		return v
	}
	return v + " (" + strings.Join(about, ", ") + ")"
}
