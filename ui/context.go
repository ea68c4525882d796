// Package ui is ponte's console: a Bubble Tea program with the pages of the guide. One Model
// per session; nothing mutable is shared between sessions but the services they are given.
package ui

import (
	"context"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/textinput"

	"ponte/sga/syncer"
	"ponte/store"
)

// Services are what every session of one ponte process shares.
type Services struct {
	Store  store.Backend
	Engine *syncer.Engine
	Logger *slog.Logger
	Now    func() time.Time
	// SGAURL overrides the stored SGA base URL (ponte --sga-url), for tests and the demo.
	SGAURL string
	// Served is set by ponte serve: the sync runs in the server, so a session that quits
	// leaves it running. Otherwise quitting the console stops it at a checkpoint.
	Served bool
}

// Session is who is at the console, and how long they are there.
type Session struct {
	Actor store.Actor
	// Admin is the administrator at the console, when known (an SSH key's): an operator sees
	// and works in their associations only. Nil: the local terminal, which sees everything.
	Admin *store.Admin
	// Association is the short name of the association the console opens on; empty or
	// unknown: the first (by short name) that is enabled.
	Association string
	// Context ends with the session (an SSH disconnect, the program's end); every command
	// the session started ends with it. Nil: the console's own lifetime (until Close).
	Context context.Context
}

// common is the per-session context every component gets.
type common struct {
	ctx    context.Context
	cancel context.CancelFunc
	svc    Services
	actor  store.Actor
	admin  *store.Admin
	// base is the store as this session's administrator may see it; st is base seen from the
	// current association, assoc. Pages read and write through st.
	base   store.Backend
	st     store.Backend
	assoc  store.Association
	styles Styles
	dark   bool
	keys   KeyMap
	inputs []*textinput.Model // restyled when the terminal reports its background
	width  int
	height int
	demo   *demoNote // ponte demo's note on the first screen; nil outside the demo
}

func newCommon(svc Services, s Session) *common {
	if svc.Now == nil {
		svc.Now = time.Now
	}
	if svc.Logger == nil {
		svc.Logger = slog.New(slog.DiscardHandler)
	}
	parent := s.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	// Dark until the terminal answers the background query (most terminals, and what a
	// terminal that never answers most likely is).
	c := &common{ctx: ctx, cancel: cancel, svc: svc, actor: s.Actor, admin: s.Admin, styles: NewStyles(true), dark: true, keys: DefaultKeys()}
	c.base = svc.Store
	if s.Admin != nil && c.base != nil {
		c.base = c.base.ForAdmin(*s.Admin)
	}
	if c.base != nil {
		c.st = c.base
		if all, err := c.base.Associations(); err == nil && len(all) > 0 {
			first := all[0]
			for _, a := range all { // the one asked for, else the first that syncs, else the first
				if a.Slug == s.Association {
					first = a
					break
				}
			}
			if first.Slug != s.Association {
				for _, a := range all {
					if !a.Disabled {
						first = a
						break
					}
				}
			}
			c.setAssociation(first)
		} else if err != nil {
			svc.Logger.Error("list associations", "err", err)
		}
	}
	return c
}

// setAssociation makes a the session's current association.
func (c *common) setAssociation(a store.Association) bool {
	st, err := c.base.ForAssociation(a.Slug)
	if err != nil {
		c.svc.Logger.Error("open association", "association", a.Slug, "err", err)
		return false
	}
	c.st, c.assoc = st, a
	return true
}

// supervisor reports whether the session's administrator may change integrations and add
// associations: the store's rule, which it enforces.
func (c *common) supervisor() bool { return c.base == nil || c.base.Supervises() }

// setDark restyles the session for the background its terminal reported.
func (c *common) setDark(dark bool) {
	if dark == c.dark {
		return
	}
	c.dark, c.styles = dark, NewStyles(dark)
	for _, in := range c.inputs {
		in.SetStyles(inputStyles(c.styles))
	}
}

// newInput is a text field in the session's styles.
func (c *common) newInput() *textinput.Model {
	in := textinput.New()
	in.SetStyles(inputStyles(c.styles))
	c.inputs = append(c.inputs, &in)
	return &in
}

func inputStyles(st Styles) textinput.Styles {
	s := textinput.DefaultStyles(true)
	state := textinput.StyleState{Text: st.Plain, Placeholder: st.Hint, Suggestion: st.Hint, Prompt: st.Plain}
	s.Focused, s.Blurred = state, state
	return s
}

// ShutdownMsg tells a console that serves an SSH session that the server is stopping: it
// says so, then quits.
type ShutdownMsg struct{}
