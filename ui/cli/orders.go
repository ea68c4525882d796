package cli

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"ponte/store"
)

// pendingCmd lists, accepts and dismisses the orders ponte proposes from SGA's changes.
func (a *app) pendingCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "pending",
		Short: "The removal and reinstallation orders ponte proposes from SGA's changes",
		Long: "When SGA cancels, inactivates or excludes a vehicle that has a contract, or it leaves SGA's\n" +
			"list, ponte proposes a removal order (Retirada); when such a vehicle comes back to ATIVO after\n" +
			"its removal was done, a reinstallation (Reinstalação). A proposal never becomes an order by\n" +
			"itself: accept it to generate its order, or dismiss it with a reason.",
	})
	cmd.AddCommand(a.pendingListCmd(), a.pendingAcceptCmd(), a.pendingDismissCmd())
	return cmd
}

// pendingListOptions are pending list's flags.
type pendingListOptions struct {
	all    bool   // every proposal, decided ones too
	kind   string // only this kind: Retirada or Reinstalação
	asJSON bool
}

func (a *app) pendingListCmd() *cobra.Command {
	var o pendingListOptions
	list := &cobra.Command{
		Use:     "list",
		Short:   "List the proposals waiting for a decision (--all: every one, decided too)",
		Example: "  ponte pending list\n  ponte pending list --all --json | jq '.[] | select(.kind==\"Retirada\")'",
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return a.runPendingList(cmd, o) },
	}
	list.Flags().BoolVar(&o.all, "all", false, "every proposal, decided ones too")
	list.Flags().StringVar(&o.kind, "kind", "", "only Retirada or Reinstalação")
	list.Flags().BoolVar(&o.asJSON, "json", false, "print the proposals as a JSON array")
	return list
}

// runPendingList is pending list's work, on its flags.
func (a *app) runPendingList(cmd *cobra.Command, o pendingListOptions) (err error) {
	if o.kind != "" && !slices.Contains([]string{store.OrderKindRemoval, store.OrderKindReinstallation}, o.kind) {
		return usagef("--kind must be %s or %s", store.OrderKindRemoval, store.OrderKindReinstallation)
	}
	s, done, err := a.openStore(reading, namedOrAll)
	if err != nil {
		return err
	}
	defer done(&err)
	f := store.ProposalFilter{Status: store.ProposalPending, Kind: o.kind}
	if o.all {
		f.Status = ""
	}
	ps, err := s.ProposalViews(f, 0)
	if err != nil {
		return err
	}
	if o.asJSON {
		return writeJSON(cmd.OutOrStdout(), proposalsJSON(ps))
	}
	if len(ps) == 0 {
		// A sentence, not a table's header over nothing (--json: an empty array).
		if o.all {
			fmt.Fprintln(cmd.OutOrStdout(), "no proposals")
		} else {
			fmt.Fprintln(cmd.OutOrStdout(), "no proposals waiting for a decision")
		}
		return nil
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tASSOCIATION\tKIND\tSTATUS\tPLATE\tCLIENT\tPHONE\tCONTRACT\tMOTIVE\tCHANGE\tWHEN\tBY (SGA)")
	for _, p := range ps {
		printf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s → %s\t%s\t%s\n", p.ID, p.AssociationSlug, p.Kind, proposalStatus(p.Status),
			p.Plate, orNone(p.Client.Name), orNone(p.Client.Phone), p.Proposal.Contract, p.Cause.Motive, p.Cause.Before, p.Cause.After,
			when(p.Cause.ChangedAt), p.Cause.ChangedBy)
	}
	return tw.Flush()
}

func (a *app) pendingAcceptCmd() *cobra.Command {
	var acceptJSON bool
	accept := &cobra.Command{
		Use:     "accept ID...",
		Short:   "Generate the orders of proposals (all or nothing)",
		Example: "  ponte pending accept 12 13\n  ponte pending accept $(ponte pending list --json | jq -r '.[].id')",
		Args:    proposalIDs,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ids, _ := parseIDs(args)
			s, done, err := a.openStore(writing, namedOrAll)
			if err != nil {
				return err
			}
			defer done(&err)
			orders, err := s.AcceptProposals(ids, a.actor())
			if err != nil {
				return err
			}
			if acceptJSON {
				return writeJSON(cmd.OutOrStdout(), ordersJSON(orders))
			}
			for _, o := range orders {
				printf(cmd.OutOrStdout(), "%s: %s, status %q, for %s, contract %s\n", o.Number, o.Kind, o.Status, o.Plate, o.ContractNumber)
			}
			return nil
		},
	}
	accept.Flags().BoolVar(&acceptJSON, "json", false, "print the orders generated as a JSON array")
	return accept
}

func (a *app) pendingDismissCmd() *cobra.Command {
	var reason string
	var dismissJSON bool
	dismiss := &cobra.Command{
		Use:     "dismiss ID... --reason TEXT",
		Short:   "Dismiss proposals without an order, saying why",
		Example: "  ponte pending dismiss 12 --reason \"rastreador já retirado pela associação\"",
		Args: func(cmd *cobra.Command, args []string) error {
			if err := proposalIDs(cmd, args); err != nil {
				return err
			}
			if strings.TrimSpace(reason) == "" {
				return usagef("dismiss needs --reason TEXT")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ids, _ := parseIDs(args)
			s, done, err := a.openStore(writing, namedOrAll)
			if err != nil {
				return err
			}
			defer done(&err)
			if err := s.DismissProposals(ids, reason, a.actor()); err != nil {
				return err
			}
			if dismissJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"dismissed": ids, "reason": strings.TrimSpace(reason)})
			}
			printf(cmd.OutOrStdout(), "dismissed %s\n", plural(len(ids), "proposal", "proposals"))
			return nil
		},
	}
	dismiss.Flags().StringVar(&reason, "reason", "", "why no order is needed (required; "+atMost(store.MaxReason)+")")
	dismiss.Flags().BoolVar(&dismissJSON, "json", false, "print what was dismissed as JSON")
	return dismiss
}

// proposalStatus is a proposal's status as a name in English output: the store keeps it in
// lower case ("pendente"), and the command line says it as the console would name it
// ("Pendente"), as it does an order's ("Aberta").
func proposalStatus(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	return string(unicode.ToUpper(r[0])) + string(r[1:])
}

func proposalIDs(_ *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usagef("name the proposals by ID (ponte pending list shows them)")
	}
	if _, bad := parseIDs(args); bad != "" {
		return usagef("%q is not a proposal ID", bad)
	}
	return nil
}

func parseIDs(args []string) ([]uint64, string) {
	var ids []uint64
	for _, a := range args {
		id, err := strconv.ParseUint(a, 10, 64)
		if err != nil || id == 0 {
			return nil, a
		}
		ids = append(ids, id)
	}
	return ids, ""
}

// timeLayout is how the command line writes a date and time for a person, in local time
// (--json: RFC 3339).
const timeLayout = "2006-01-02 15:04"

// when is t for a person, or "-" when it is unset.
func when(t time.Time) string {
	if t.IsZero() {
		return orNone("")
	}
	return t.Local().Format(timeLayout)
}

// proposalJSON is a proposal as --json prints it: its association by name, and its client's
// name and phone, to call them.
type proposalJSON struct {
	store.Proposal
	AssociationSlug string     `json:"association_slug"`
	Client          clientJSON `json:"client"`
}

func proposalsJSON(ps []store.ProposalView) []proposalJSON {
	out := make([]proposalJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, proposalJSON{Proposal: p.Proposal, AssociationSlug: p.AssociationSlug,
			Client: clientJSON{SGACode: p.ClientSGACode, Name: p.Client.Name, Phone: p.Client.Phone}})
	}
	return out
}

// orderJSON is an order as --json prints it: its life always included, and in order show
// its client's name and phone, for the contact attempts.
type orderJSON struct {
	store.Order
	Life   []store.OrderEvent `json:"history"`
	Client *clientJSON        `json:"client,omitempty"`
}

// clientJSON is an order's or a proposal's client as the register has it now (name and phone
// empty when it is no longer there).
type clientJSON struct {
	SGACode int64  `json:"sga_code"`
	Name    string `json:"name"`
	Phone   string `json:"phone"`
}

func ordersJSON(os []store.Order) []orderJSON {
	out := make([]orderJSON, 0, len(os))
	for _, o := range os {
		out = append(out, orderJSON{Order: o, Life: o.Life()})
	}
	return out
}

// orderCmd shows a service order and moves it through its life.
func (a *app) orderCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "order",
		Short: "Show a service order and move it through its life",
		Long: "A service order goes Aberta → Agendada (date and time, technician, contact attempts) →\n" +
			"Em execução → Concluída, or Cancelada with a reason. Each step records who and when, in the\n" +
			"order and in the audit. A Retirada Concluída closes its contract (Encerrado); a Reinstalação\n" +
			"Concluída opens it again. Cancelling an Instalação says whether its contract stays Ativo or\n" +
			"closes with it (--contract keep|close). A visit is never in the past. An order keeps its newest\n" +
			fmt.Sprintf("%d contact attempts and its opening with its newest %d steps; older ones are counted, not\n", store.MaxOrderAttempts, store.MaxOrderHistory-1) +
			"kept (the audit keeps every step).",
	})
	cmd.AddCommand(a.orderShowCmd(), a.orderScheduleCmd(), a.orderContactCmd(), a.orderStartCmd(), a.orderFinishCmd(), a.orderCancelCmd())
	return cmd
}

func (a *app) orderShowCmd() *cobra.Command {
	var showJSON bool
	show := &cobra.Command{
		Use:     "show NUMBER",
		Short:   "Show an order, its contract and its life",
		Example: "  ponte order show OS-2026-000042\n  ponte order show OS-2026-000042 --json | jq -r .status",
		Args:    orderNumber,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			s, done, err := a.openStore(reading, namedOrAll)
			if err != nil {
				return err
			}
			defer done(&err)
			o, c, err := s.Order(args[0])
			if err != nil {
				return err
			}
			cl, err := s.OrderClient(o)
			if err != nil {
				return err
			}
			if showJSON {
				return writeJSON(cmd.OutOrStdout(), orderJSON{Order: o, Life: o.Life(),
					Client: &clientJSON{SGACode: o.ClientSGACode, Name: cl.Name, Phone: cl.Phone}})
			}
			showOrder(cmd.OutOrStdout(), o, c, cl)
			return nil
		},
	}
	show.Flags().BoolVar(&showJSON, "json", false, "print the order as JSON, with its history")
	return show
}

// orderStepCmd is a command that moves an order one step: flags adds the step's own flags to
// the command and returns the check that fills st from them once they are parsed.
func (a *app) orderStepCmd(use, short, example string, flags func(*cobra.Command, *store.OrderStep) func() error) *cobra.Command {
	var st store.OrderStep
	var asJSON bool
	var check func() error
	c := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args: func(cmd *cobra.Command, args []string) error {
			if err := orderNumber(cmd, args); err != nil {
				return err
			}
			return check()
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			s, done, err := a.openStore(writing, namedOrAll)
			if err != nil {
				return err
			}
			defer done(&err)
			o, err := s.AdvanceOrder(args[0], st, a.actor())
			switch {
			case errors.Is(err, store.ErrContractDecision) && st.Contract == "":
				return usagef("%w\ncancel it with --contract %s or --contract %s", err, store.KeepContract, store.CloseContract)
			case errors.Is(err, store.ErrContractDecision):
				return usagef("%w\ncancel it without --contract", err)
			case errors.Is(err, store.ErrPastVisit):
				return usageError{err}
			case err != nil:
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), orderJSON{Order: o, Life: o.Life()})
			}
			printf(cmd.OutOrStdout(), "%s\n", stepDone(o, st))
			return nil
		},
	}
	check = flags(c, &st)
	c.Flags().BoolVar(&asJSON, "json", false, "print the order as JSON, with its history")
	return c
}

func (a *app) orderScheduleCmd() *cobra.Command {
	return a.orderStepCmd("schedule NUMBER --at \"DD/MM/YYYY HH:MM\" --technician NAME",
		"Schedule an order's visit (again, to reschedule)",
		"  ponte order schedule OS-2026-000042 --at \"05/03/2027 14:00\" --technician \"Carlos Souza\" --contact Agendado",
		func(c *cobra.Command, st *store.OrderStep) func() error {
			var at, tech, contact, note string
			c.Flags().StringVar(&at, "at", "", "the visit's date and time, DD/MM/YYYY HH:MM, local time (required)")
			c.Flags().StringVar(&tech, "technician", "", "who goes (required; "+atMost(store.MaxTechnician)+")")
			c.Flags().StringVar(&contact, "contact", "", "record the contact attempt that agreed it: "+strings.Join(store.ContactOutcomes, ", "))
			c.Flags().StringVar(&note, "note", "", "a note for the history ("+atMost(store.MaxNote)+")")
			return func() error {
				t, err := time.ParseInLocation("02/01/2006 15:04", strings.TrimSpace(at), time.Local)
				if err != nil {
					return usagef("--at %q: want DD/MM/YYYY HH:MM", at)
				}
				if strings.TrimSpace(tech) == "" {
					return usagef("schedule needs --technician NAME")
				}
				st.To, st.Visit, st.Note = store.OrderStatusScheduled, &store.Visit{At: t, Technician: tech}, note
				if contact != "" {
					if !slices.Contains(store.ContactOutcomes, contact) {
						return usagef("--contact must be one of: %s", strings.Join(store.ContactOutcomes, ", "))
					}
					st.Attempt = &store.ContactAttempt{Outcome: contact}
				}
				return nil
			}
		})
}

func (a *app) orderContactCmd() *cobra.Command {
	return a.orderStepCmd("contact NUMBER --outcome OUTCOME",
		"Record a contact attempt with the member",
		"  ponte order contact OS-2026-000042 --outcome \"Sem resposta\" --note \"caixa postal\"",
		func(c *cobra.Command, st *store.OrderStep) func() error {
			var outcome, note string
			c.Flags().StringVar(&outcome, "outcome", "", "how it went: "+strings.Join(store.ContactOutcomes, ", ")+" (required)")
			c.Flags().StringVar(&note, "note", "", "a note ("+atMost(store.MaxNote)+")")
			return func() error {
				if !slices.Contains(store.ContactOutcomes, outcome) {
					return usagef("--outcome must be one of: %s", strings.Join(store.ContactOutcomes, ", "))
				}
				st.Attempt = &store.ContactAttempt{Outcome: outcome, Note: note}
				return nil
			}
		})
}

func (a *app) orderStartCmd() *cobra.Command {
	return a.orderStepCmd("start NUMBER", "The technician started the work (Em execução)",
		"  ponte order start OS-2026-000042",
		func(c *cobra.Command, st *store.OrderStep) func() error {
			return func() error { st.To = store.OrderStatusRunning; return nil }
		})
}

func (a *app) orderFinishCmd() *cobra.Command {
	return a.orderStepCmd("finish NUMBER", "The work is done (Concluída); a Retirada closes its contract",
		"  ponte order finish OS-2026-000042 --note \"rastreador recolhido, IMEI 35...\"",
		func(c *cobra.Command, st *store.OrderStep) func() error {
			var note string
			c.Flags().StringVar(&note, "note", "", "a note for the history ("+atMost(store.MaxNote)+")")
			return func() error { st.To, st.Note = store.OrderStatusDone, note; return nil }
		})
}

func (a *app) orderCancelCmd() *cobra.Command {
	return a.orderStepCmd("cancel NUMBER --reason TEXT [--contract keep|close]",
		"Cancel an order, saying why; an Instalação's says what becomes of its contract",
		"  ponte order cancel OS-2026-000042 --reason \"associado reativou antes da visita\"\n"+
			"  ponte order cancel OS-2026-000001 --reason \"associado desistiu\" --contract close",
		func(c *cobra.Command, st *store.OrderStep) func() error {
			var reason, contract string
			c.Flags().StringVar(&reason, "reason", "", "the motivo (required; "+atMost(store.MaxReason)+")")
			c.Flags().StringVar(&contract, "contract", "", "for an Instalação whose contract is Ativo (required there, refused elsewhere): "+
				store.KeepContract+" (it stays Ativo) or "+store.CloseContract+" (it becomes Encerrado)")
			return func() error {
				if strings.TrimSpace(reason) == "" {
					return usagef("cancel needs --reason TEXT")
				}
				if contract != "" && contract != store.KeepContract && contract != store.CloseContract {
					return usagef("--contract %q: want %s or %s", contract, store.KeepContract, store.CloseContract)
				}
				st.To, st.Note, st.Contract = store.OrderStatusCancelled, reason, contract
				return nil
			}
		})
}

func orderNumber(_ *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usagef("name one order by its number, like OS-2026-000042")
	}
	if !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(args[0])), "OS-") {
		return usagef("%q is not an order number (OS-YYYY-NNNNNN)", args[0])
	}
	return nil
}

// showOrder prints an order, its contract, its client, why it exists, its visit and its life.
func showOrder(w io.Writer, o store.Order, c store.Contract, cl store.Client) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	printf(tw, "order\t%s\n", o.Number)
	printf(tw, "kind\t%s\n", o.Kind)
	printf(tw, "status\t%s\n", o.Status)
	printf(tw, "contract\t%s (%s)\n", o.ContractNumber, c.State())
	printf(tw, "client\t%s (SGA code %d)\n", cmp.Or(cl.Name, "not in the register"), o.ClientSGACode)
	printf(tw, "phone\t%s\n", cmp.Or(cl.Phone, "none in SGA"))
	printf(tw, "vehicle\t%s (SGA code %d)\n", o.Plate, o.VehicleSGACode)
	if o.Cause != nil {
		by := ""
		if o.Cause.ChangedBy != "" {
			by = " by " + store.Printable(o.Cause.ChangedBy) + " in SGA"
		}
		printf(tw, "why\t%s: %s %s → %s, %s%s\n", o.Cause.Motive, o.Cause.Field, o.Cause.Before, o.Cause.After, when(o.Cause.ChangedAt), by)
	}
	if o.Visit != nil {
		printf(tw, "visit\t%s, %s\n", when(o.Visit.At), o.Visit.Technician)
	}
	if o.CancelReason != "" {
		printf(tw, "cancel reason\t%s\n", o.CancelReason)
	}
	_ = tw.Flush()
	if len(o.Attempts) > 0 {
		fmt.Fprintln(w, "\ncontact attempts:")
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		if o.AttemptsDropped > 0 {
			printf(tw, "  (%s not kept)\n", plural(o.AttemptsDropped, "older attempt", "older attempts"))
		}
		for i, at := range o.Attempts {
			printf(tw, "  %d\t%s\t%s\t%s\t%s\n", o.AttemptsDropped+i+1, when(at.At), at.By, at.Outcome, at.Note)
		}
		_ = tw.Flush()
	}
	fmt.Fprintln(w, "\nhistory:")
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for i, e := range o.Life() {
		note := e.Detail(timeLayout)
		if e.Contract != "" {
			note = strings.TrimPrefix(note+"; "+contractLeft(o, e), "; ")
		}
		printf(tw, "  %s\t%s\t%s\t%s\n", when(e.At), e.Status, e.By, note)
		if i == 0 && o.HistoryDropped > 0 { // after the opening, which is always kept
			printf(tw, "  (%s not kept)\n", plural(o.HistoryDropped, "older step", "older steps"))
		}
	}
	_ = tw.Flush()
}

// stepDone says what a step did to order o: the status it moved it to, what that left its
// contract in, and the contact attempt it recorded. A contact attempt alone moves nothing:
// "order OS-2026-000042 (Retirada): contact attempt "Sem resposta" recorded".
func stepDone(o store.Order, st store.OrderStep) string {
	var said []string
	if st.To != "" {
		said = append(said, sprintf("is now %q", o.Status))
		if last := o.Life()[len(o.Life())-1]; last.Contract != "" {
			said = append(said, contractLeft(o, last))
		}
	}
	if st.Attempt != nil {
		said = append(said, sprintf("contact attempt %q recorded", st.Attempt.Outcome))
	}
	line := sprintf("order %s (%s)", o.Number, o.Kind)
	if st.To == "" {
		return line + ": " + strings.Join(said, "; ")
	}
	return line + " " + strings.Join(said, "; ")
}

// contractLeft says what a cancel decided for the order's contract.
func contractLeft(o store.Order, e store.OrderEvent) string {
	if e.Contract == store.ContractActive {
		return sprintf("contract %s kept %q", o.ContractNumber, e.Contract)
	}
	return sprintf("contract %s is now %q", o.ContractNumber, e.Contract)
}
