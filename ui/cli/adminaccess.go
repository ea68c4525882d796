package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"ponte/store"
	uissh "ponte/ui/ssh"
)

// sessionsNote is what every change that takes access away says of the open sessions: ponte
// serve closes them at once (a change made here while serve is stopped has none to close).
const sessionsNote = "its open SSH sessions are closed"

func (a *app) adminRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove LOGIN",
		Short: "Remove an administrator and their keys; their open sessions are closed",
		Long: "Remove an administrator's profile and every key of it, recorded in the audit. Their open\n" +
			"SSH sessions are closed at once. The last enabled supervisor cannot be removed: make\n" +
			"another administrator supervisor first. To keep the profile, use ponte admin disable.",
		Example: "  ponte admin remove ana",
		Args:    exactArgs(1, "the administrator's login"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			s, done, err := a.openStore(writing, wholeDatabase)
			if err != nil {
				return err
			}
			defer done(&err)
			ad, err := s.RemoveAdmin(args[0], a.actor())
			if err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "administrator %s (%s) removed with %s; %s\n", ad.Login, ad.Name, plural(len(ad.Keys), "key", "keys"), sessionsNote)
			return nil
		},
	}
}

func (a *app) adminEnableCmd(enable bool) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "disable LOGIN",
		Short: "Disable an administrator: the profile and keys stay, no session opens; open ones are closed",
		Long: "Disable an administrator, recorded in the audit: the profile keeps its keys and history,\n" +
			"but no session opens with them, and the open ones are closed at once. The last enabled\n" +
			"supervisor cannot be disabled. ponte admin enable lets the profile in again.",
		Example: "  ponte admin disable ana",
	}
	if enable {
		cmd.Use, cmd.Short, cmd.Long = "enable LOGIN", "Enable a disabled administrator again", ""
		cmd.Example = "  ponte admin enable ana"
	}
	cmd.Args = exactArgs(1, "the administrator's login")
	cmd.RunE = func(cmd *cobra.Command, args []string) (err error) {
		s, done, err := a.openStore(writing, wholeDatabase)
		if err != nil {
			return err
		}
		defer done(&err)
		ad, err := s.SetAdminEnabled(args[0], enable, a.actor())
		if err != nil {
			return err
		}
		if enable {
			printf(cmd.OutOrStdout(), "administrator %s enabled\n", ad.Login)
		} else {
			printf(cmd.OutOrStdout(), "administrator %s disabled; %s\n", ad.Login, sessionsNote)
		}
		return nil
	}
	return cmd
}

func (a *app) adminKeyCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "key",
		Short: "Give an administrator a key, or take one away",
	})
	cmd.AddCommand(a.adminKeyAddCmd(), a.adminKeyRemoveCmd())
	return cmd
}

func (a *app) adminKeyAddCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "add LOGIN KEY",
		Short: "Give an administrator one more SSH key: an authorized_keys line, or - to read it from stdin",
		Long: "Give an administrator one more SSH public key, recorded in the audit. KEY is one line in\n" +
			"authorized_keys form (type, key, optional comment; quote it, or pass - and the line on\n" +
			"stdin). RSA keys under 2048 bits are refused.",
		Example: "  ponte admin key add maria \"$(cat maria.pub)\"\n  ponte admin key add maria - < maria.pub",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("admin key add needs the administrator's login and the key (an authorized_keys line, or -)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			line, from := []byte(strings.Join(args[1:], " ")), "the key"
			if len(args) == 2 && args[1] == "-" {
				data, err := a.readInput(cmd, "-")
				if err != nil {
					return fmt.Errorf("read the key from stdin: %w", err)
				}
				line, from = data, "stdin"
			}
			k, err := uissh.ParseKey(line)
			if err != nil {
				return fmt.Errorf("%s is not an SSH public key: %w", from, err)
			}
			s, done, err := a.openStore(writing, wholeDatabase)
			if err != nil {
				return err
			}
			defer done(&err)
			if err := s.AddAdminKey(args[0], k, a.actor()); err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "%s: %s\n", strings.ToLower(args[0]), keyLabel(k))
			return nil
		},
	}
}

func (a *app) adminKeyRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove LOGIN KEY",
		Short: "Take a key from an administrator, by its SHA256 fingerprint or its comment; its sessions are closed",
		Long: "Take one SSH key from an administrator, recorded in the audit: KEY is its fingerprint\n" +
			"(SHA256:..., as ponte admin list shows it) or its comment (maria@laptop). The sessions\n" +
			"opened with it are closed at once; the profile and its other keys stay.",
		Example: "  ponte admin key remove maria SHA256:2d4P...\n  ponte admin key remove maria maria@laptop",
		Args:    exactArgs(2, "the administrator's login and the key's fingerprint or comment"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			s, done, err := a.openStore(writing, wholeDatabase)
			if err != nil {
				return err
			}
			defer done(&err)
			k, err := s.RemoveAdminKey(args[0], args[1], a.actor())
			if err != nil {
				return err
			}
			printf(cmd.OutOrStdout(), "key %s removed from %s; the sessions opened with it are closed\n", keyLabel(k), strings.ToLower(args[0]))
			return nil
		},
	}
}

// keyLabel is a key as the commands name it: its fingerprint, and its comment when it has one.
func keyLabel(k store.SSHKey) string {
	if k.Comment == "" {
		return k.Fingerprint
	}
	return k.Fingerprint + " (" + k.Comment + ")"
}
