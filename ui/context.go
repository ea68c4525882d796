// Package ui is ponte's console: a Bubble Tea program with the pages of the guide. One Model
// per session; nothing mutable is shared between sessions but the services they are given.
package ui

import (
	"log/slog"
	"time"

	"github.com/charmbracelet/lipgloss"

	"ponte/sga/syncer"
	"ponte/store"
)

// Services are what every session of one ponte process shares.
type Services struct {
	Store  *store.Store
	Engine *syncer.Engine
	Logger *slog.Logger
	Now    func() time.Time
	// SGAURL overrides the stored SGA base URL (ponte --sga-url), for tests and the demo.
	SGAURL string
}

// Session is who is at the console and how their terminal renders.
type Session struct {
	Actor    store.Actor
	Renderer *lipgloss.Renderer
}

// common is the per-session context every component gets.
type common struct {
	svc    Services
	actor  store.Actor
	styles Styles
	keys   KeyMap
	width  int
	height int
}

func newCommon(svc Services, s Session) *common {
	if svc.Now == nil {
		svc.Now = time.Now
	}
	if svc.Logger == nil {
		svc.Logger = slog.New(slog.DiscardHandler)
	}
	r := s.Renderer
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	return &common{svc: svc, actor: s.Actor, styles: NewStyles(r), keys: DefaultKeys()}
}
