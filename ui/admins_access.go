package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ponte/store"
)

// A supervisor takes access away on a profile's Perfil tab: d disables or enables the
// profile, e removes it, r removes the key under the cursor (↑/↓ choose it). Each asks first,
// and ponte serve closes the sessions that lose their access at once.

// adminChangedMsg is a profile as a change left it (removed: it is gone).
type adminChangedMsg struct {
	admin   store.Admin
	removed bool
	done    string // the toast that says what was done
	err     error
}

// updateAccessKeys enables the Perfil tab's bindings: a supervisor's, on that tab.
func (v *adminView) updateAccessKeys() {
	on := v.tab == 0 && v.runOpen == nil && !v.editing && v.c.supervisor() && v.c.svc.Store != nil
	v.access.Disable.SetEnabled(on)
	v.access.Remove.SetEnabled(on)
	v.access.RemoveKey.SetEnabled(on && len(v.admin.Keys) > 0)
}

// accessKey handles a key on the Perfil tab; it reports whether the key was its.
func (v *adminView) accessKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	v.updateAccessKeys()
	k, a, st, actor := v.access, v.admin, v.c.base, v.c.actor
	switch {
	case v.tab != 0:
		return nil, false
	case key.Matches(msg, v.c.keys.Up) && v.keyAt > 0:
		v.keyAt--
	case key.Matches(msg, v.c.keys.Down) && v.keyAt < len(a.Keys)-1:
		v.keyAt++
	case key.Matches(msg, k.Disable):
		q, done := fmt.Sprintf(tConfirmProfileDisable, a.Name), fmt.Sprintf(tProfileDisabledOK, a.Name)
		if a.Disabled {
			q, done = fmt.Sprintf(tConfirmProfileEnable, a.Name), fmt.Sprintf(tProfileEnabledOK, a.Name)
		}
		return ask(q, func() tea.Msg {
			got, err := st.SetAdminEnabled(a.Login, a.Disabled, actor)
			if err != nil {
				got = a // refused: the profile as it was, named in the refusal
			}
			return adminChangedMsg{admin: got, done: done, err: err}
		}), true
	case key.Matches(msg, k.Remove):
		return ask(fmt.Sprintf(tConfirmProfileRemove, a.Name, plural(len(a.Keys), tKeyOne, tKeyMany)), func() tea.Msg {
			_, err := st.RemoveAdmin(a.Login, actor)
			return adminChangedMsg{admin: a, removed: true, done: fmt.Sprintf(tProfileRemovedOK, a.Name), err: err}
		}), true
	case key.Matches(msg, k.RemoveKey):
		gone := a.Keys[min(v.keyAt, len(a.Keys)-1)]
		q := fmt.Sprintf(tConfirmKeyRemove, keyText(gone), a.Name)
		if len(a.Keys) == 1 {
			q = fmt.Sprintf(tLastKey, a.Name) + " " + q
		}
		return ask(q, func() tea.Msg {
			_, err := st.RemoveAdminKey(a.Login, gone.Fingerprint, actor)
			got, _ := st.AdminByLogin(a.Login)
			return adminChangedMsg{admin: got, done: fmt.Sprintf(tKeyRemovedOK, keyText(gone), a.Name), err: err}
		}), true
	default:
		return nil, false
	}
	return nil, true
}

// accessChanged shows what a change did: the profile as it is now, or the list without it.
func (p *adminsPage) accessChanged(msg adminChangedMsg) tea.Cmd {
	switch {
	case errors.Is(msg.err, store.ErrLastSupervisor):
		return toast(false, tLastSupervisor, msg.admin.Name)
	case msg.err != nil:
		p.c.svc.Logger.Error("change an administrator", "err", msg.err)
		return tea.Batch(p.Init(), toast(false, "%s", tSaveFailed))
	case msg.removed: // the list drops it now, not when it reloads
		p.detail.Close()
		p.admins = slices.DeleteFunc(p.admins, func(a store.Admin) bool { return a.ID == msg.admin.ID })
		p.applyFilter()
	default:
		if v, ok := p.detail.Get(); ok && v.admin.ID == msg.admin.ID {
			v.admin = msg.admin
			v.keyAt = min(v.keyAt, max(0, len(msg.admin.Keys)-1))
		}
	}
	return tea.Batch(p.Init(), toast(true, "%s", msg.done))
}

// keyText is a key as the console names it: its fingerprint, and its comment when it has one.
func keyText(k store.SSHKey) string {
	if k.Comment == "" {
		return k.Fingerprint
	}
	return k.Fingerprint + " (" + k.Comment + ")"
}

// profileView is the Perfil tab: the profile's fields, its state and role, and its keys, the
// one under the cursor marked for a supervisor.
func (v *adminView) profileView() string {
	st, a := v.c.styles, v.admin
	state, role := tProfileActive, tRoleSupervisor
	if a.Disabled {
		state = tProfileDisabled
	}
	if !a.Supervisor() {
		role = tRoleOperator
	}
	var keys []string
	for i, k := range a.Keys {
		mark := "  "
		if i == v.keyAt && v.access.RemoveKey.Enabled() {
			mark = "› "
		}
		keys = append(keys, mark+keyText(k))
	}
	if len(keys) == 0 {
		keys = []string{"  " + tNoKeys}
	}
	out := fields(st, 14, v.width, [][2]string{{tName, a.Name}, {tLogin, a.Login}, {tEmail, a.Email},
		{tProfileRole, role}, {tProfileState, state}})
	return out + "\n" + st.Label.Render(tKeys) + "\n" + strings.Join(keys, "\n") + "\n"
}
