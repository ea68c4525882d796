package ui

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ponte/store"
)

// orderView is one service order: its contract, why it exists, its visit, contact attempts
// and life, with the keys that move it on.
type orderView struct {
	c        *common
	order    store.Order
	contract store.Contract
	client   store.Client // its name and phone, for the contact attempts
	form     *form
	choosing bool // the contact attempt's outcome, by its number
	deciding bool // an Instalação's cancel: what becomes of its contract
	reason   string
	keys     orderKeys
	width    int
}

func newOrderView(c *common) *orderView {
	return &orderView{c: c, keys: newOrderKeys()}
}

func (v *orderView) show(msg orderOpenedMsg) {
	v.order, v.contract, v.client = msg.order, msg.contract, msg.client
}

func (v *orderView) Typing() bool { return v.form != nil || v.choosing || v.deciding }

func (v *orderView) Nested() bool { return false }

// Moves is the form's arrows while one is open; the order itself has nothing to move.
func (v *orderView) Moves() []key.Binding {
	if v.form != nil {
		return v.form.moves()
	}
	return nil
}

func (v *orderView) SetSize(w, _ int) { v.width = w }

// Update takes the keys and pastes the page hands over; the order's readings and steps come
// through its page, which keeps their sequence.
func (v *orderView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return v.key(msg)
	case tea.PasteMsg:
		return v.paste(msg)
	}
	return nil
}

// stepKey is a key that moves the order, and the status it moves it to ("": a contact
// attempt).
type stepKey struct {
	b  *key.Binding
	to string
}

func (v *orderView) stepKeys() []stepKey {
	k := &v.keys
	return []stepKey{{&k.Schedule, store.OrderStatusScheduled}, {&k.Contact, ""}, {&k.Start, store.OrderStatusRunning},
		{&k.Finish, store.OrderStatusDone}, {&k.Cancel, store.OrderStatusCancelled}}
}

// updateKeys enables the step keys the store allows from the order's status.
func (v *orderView) updateKeys() {
	for _, sk := range v.stepKeys() {
		sk.b.SetEnabled(store.CheckStep(v.order, sk.to) == nil)
	}
}

// refused answers a step key the order's status does not allow with the store's reason; ok
// reports that msg was such a key.
func (v *orderView) refused(msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	for _, sk := range v.stepKeys() {
		if b := *sk.b; !b.Enabled() && key.Matches(msg, enabled(b)) {
			return toast(false, "%s", stepRefusal(store.CheckStep(v.order, sk.to))), true
		}
	}
	return nil, false
}

// stepRefusal says a store's *StepError in the console's words.
func stepRefusal(err error) string {
	var e *store.StepError
	if !errors.As(err, &e) {
		return tSaveFailed
	}
	why, ok := map[string]string{
		store.StepFinished:      tStepFinished,
		store.StepCancelled:     tStepCancelled,
		store.StepStarted:       tStepStarted,
		store.StepScheduleFirst: tStepScheduleFirst,
		store.StepNotScheduled:  tStepNotScheduled,
		store.StepStartFirst:    tStepStartFirst,
		store.StepNoReschedule:  tStepNoReschedule,
	}[e.Why]
	if !ok {
		return fmt.Sprintf(tBadStep, e.Number, e.From, e.To)
	}
	return fmt.Sprintf(tStepRefused, e.Number, e.From, why)
}

func (v *orderView) Help() []key.Binding {
	if v.form != nil {
		return v.form.Help()
	}
	if v.choosing {
		return []key.Binding{v.c.keys.Back}
	}
	if v.deciding {
		return []key.Binding{v.keys.CloseContract, v.keys.KeepContract, v.c.keys.Back}
	}
	v.updateKeys()
	k := v.keys
	return []key.Binding{k.Schedule, k.Contact, k.Start, k.Finish, k.Cancel, v.c.keys.Back}
}

func (v *orderView) paste(msg tea.PasteMsg) tea.Cmd {
	if v.form != nil {
		return v.form.paste(msg)
	}
	return nil
}

// step moves the order in a command.
func (v *orderView) step(s store.OrderStep) tea.Cmd {
	number, st, actor := v.order.Number, v.c.st, v.c.actor
	return func() tea.Msg {
		o, err := st.AdvanceOrder(number, s, actor)
		return orderMovedMsg{order: o, step: s, err: err}
	}
}

// moved shows what a step did.
func (v *orderView) moved(msg orderMovedMsg) tea.Cmd {
	switch {
	case errors.Is(msg.err, store.ErrBadStep): // another session moved it first
		return toast(false, "%s", stepRefusal(msg.err))
	case errors.Is(msg.err, store.ErrPastVisit):
		return toast(false, tPastVisitRefused, v.order.Number)
	case errors.Is(msg.err, store.ErrContractDecision):
		return toast(false, tContractChanged, v.order.ContractNumber, v.order.Number)
	case msg.err != nil:
		v.c.svc.Logger.Error("order step", "order", v.order.Number, "err", msg.err)
		return toast(false, "%s", tSaveFailed)
	}
	v.order = msg.order // the step's answer is the order as it is now
	say := toast(true, tOrderMoved, msg.order.Number, msg.order.Status)
	life := msg.order.Life()
	if left := contractLeft(life[len(life)-1]); left != "" {
		say = toast(true, tMovedContract, msg.order.Number, msg.order.Status, left)
	}
	if msg.step.To == "" && msg.step.Attempt != nil {
		say = toast(true, tContactSaved, msg.step.Attempt.Outcome)
	}
	return tea.Batch(say, changed)
}

// contractLeft says what a cancel decided for the order's contract (the view names it above);
// "" when it decided nothing.
func contractLeft(e store.OrderEvent) string {
	switch e.Contract {
	case store.ContractActive:
		return tContractKept
	case store.ContractClosed:
		return tContractClosedBy
	}
	return ""
}

// cancelForm asks the cancel's motivo (reason filled in when the operator comes back to it);
// an Instalação's cancel then asks what becomes of its contract.
func (v *orderView) cancelForm(reason string) tea.Cmd {
	v.form = newForm(v.c, fmt.Sprintf(tCancelTitle, v.order.Number), tCancelHint, tCancelButton, func(vals []string) ([]string, tea.Cmd) {
		if vals[0] == "" {
			return []string{tReasonRequired}, nil
		}
		if store.CancelDecidesContract(v.order, v.contract) {
			v.deciding, v.reason = true, vals[0]
			return nil, nil
		}
		return nil, v.step(store.OrderStep{To: store.OrderStatusCancelled, Note: vals[0]})
	}, field{label: tReason, rule: store.FieldReason, value: reason})
	return v.form.focus()
}

// decide takes the operator's answer about the contract of the Instalação being cancelled.
func (v *orderView) decide(msg tea.KeyPressMsg) tea.Cmd {
	step := store.OrderStep{To: store.OrderStatusCancelled, Note: v.reason}
	switch {
	case key.Matches(msg, v.keys.CloseContract):
		step.Contract = store.CloseContract
	case key.Matches(msg, v.keys.KeepContract):
		step.Contract = store.KeepContract
	case key.Matches(msg, v.c.keys.Back):
		v.deciding = false
		return v.cancelForm(v.reason)
	default:
		return nil
	}
	v.deciding = false
	return v.step(step)
}

// key handles a key (esc on the order itself closes it: withDetail).
func (v *orderView) key(msg tea.KeyPressMsg) tea.Cmd {
	if v.form != nil {
		cmd, closed := v.form.key(msg)
		if closed {
			v.form = nil
		}
		return cmd
	}
	if v.deciding {
		return v.decide(msg)
	}
	if v.choosing {
		if len(msg.Text) == 1 && msg.Text[0] >= '1' && int(msg.Text[0]-'0') <= len(store.ContactOutcomes) {
			v.choosing = false
			outcome := store.ContactOutcomes[msg.Text[0]-'1']
			return v.step(store.OrderStep{Attempt: &store.ContactAttempt{Outcome: outcome}})
		}
		v.choosing = !key.Matches(msg, v.c.keys.Back)
		return nil
	}
	v.updateKeys()
	if cmd, ok := v.refused(msg); ok {
		return cmd
	}
	k, o := v.keys, v.order
	switch {
	case key.Matches(msg, k.Schedule):
		date, hour, tech := "", "", ""
		if o.Visit != nil {
			at := o.Visit.At.Local()
			date, hour, tech = at.Format("02/01/2006"), at.Format("15:04"), o.Visit.Technician
		}
		v.form = newForm(v.c, fmt.Sprintf(tScheduleTitle, o.Number), tScheduleHint, tScheduleButton, v.schedule,
			field{label: tDate, limit: 10, placeholder: tDatePlaceholder, value: date},
			field{label: tHour, limit: 5, placeholder: tHourPlaceholder, value: hour},
			field{label: tTechnician, rule: store.FieldTechnician, value: tech})
		return v.form.focus()
	case key.Matches(msg, k.Contact):
		v.choosing = true
	case key.Matches(msg, k.Start):
		return ask(fmt.Sprintf(tConfirmStart, o.Number), v.step(store.OrderStep{To: store.OrderStatusRunning}))
	case key.Matches(msg, k.Finish):
		q := fmt.Sprintf(tConfirmFinish, o.Number)
		if o.Kind == store.OrderKindRemoval {
			q = fmt.Sprintf(tConfirmFinishOut, o.Number, o.ContractNumber)
		}
		return ask(q, v.step(store.OrderStep{To: store.OrderStatusDone}))
	case key.Matches(msg, k.Cancel):
		return v.cancelForm("")
	}
	return nil
}

// schedule checks the scheduling form and schedules.
func (v *orderView) schedule(vals []string) ([]string, tea.Cmd) {
	errs := make([]string, 3)
	day, errDay := time.ParseInLocation("02/01/2006", vals[0], time.Local)
	hour, errHour := time.Parse("15:04", vals[1])
	if errDay != nil {
		errs[0] = tBadDate
	}
	if errHour != nil {
		errs[1] = tBadTime
	}
	if vals[2] == "" {
		errs[2] = tNeedTechnician
	}
	if errDay != nil || errHour != nil || vals[2] == "" {
		return errs, nil
	}
	at := day.Add(time.Duration(hour.Hour())*time.Hour + time.Duration(hour.Minute())*time.Minute)
	var past *store.VisitError // the store says whether the day or, today, the hour has passed
	if errors.As(v.c.st.CheckVisit(at), &past) {
		if past.Today() {
			errs[1] = fmt.Sprintf(tPastHour, past.Now.Local().Format("15:04"))
		} else {
			errs[0] = fmt.Sprintf(tPastDate, past.Now.Local().Format("02/01/2006"))
		}
		return errs, nil
	}
	return nil, v.step(store.OrderStep{To: store.OrderStatusScheduled, Visit: &store.Visit{At: at, Technician: vals[2]}})
}

func (v *orderView) View() string {
	width := v.width
	if v.form != nil {
		return v.form.View(width)
	}
	st := v.c.styles
	o, c := v.order, v.contract
	var b strings.Builder
	b.WriteString(st.Title.Render(tOrder+" "+o.Number) + "\n\n")
	pairs := [][2]string{{tKind, o.Kind}, {tStatus, o.Status},
		{tContract, o.ContractNumber + " · " + contractState(c.State(), c.Delinquent)},
		{tClient, fmt.Sprintf("%s (%s %d)", clientName(v.client.Name, o.ClientSGACode), tSGACode, o.ClientSGACode)},
		{tPhone, cmp.Or(formatPhone(v.client.Phone), tNoPhone)},
		{tVehicle, fmt.Sprintf("%s (%s %d)", o.Plate, tSGACode, o.VehicleSGACode)}}
	if o.Cause != nil {
		pairs = append(pairs, [2]string{tMotive, causeText(*o.Cause)})
		if when := causeWhen(*o.Cause); when != "" {
			pairs = append(pairs, [2]string{tInSGA, when})
		}
	}
	if o.Visit != nil {
		pairs = append(pairs, [2]string{tVisit, fmt.Sprintf(tVisitText, o.Visit.At.Local().Format("02/01/2006 15:04"), o.Visit.Technician)})
	}
	if o.CancelReason != "" {
		pairs = append(pairs, [2]string{tCancelledBecause, o.CancelReason})
	}
	labelWidth := 18 // the labels' column: as wide as the longest label shown, and a gap
	for _, p := range pairs {
		labelWidth = max(labelWidth, textWidth(p[0])+2)
	}
	b.WriteString(fields(st, labelWidth, width, pairs))
	if v.deciding {
		b.WriteString("\n" + st.Title.Render(fmt.Sprintf(tCancelTitle, o.Number)) + "\n")
		b.WriteString(cell("  "+tReason+": "+v.reason, width) + "\n\n")
		b.WriteString("  " + fmt.Sprintf(tCloseContractAsk, o.ContractNumber) + "\n")
		b.WriteString(st.Hint.Render(cell("  "+tCloseContractHint, width)) + "\n")
		return b.String()
	}
	if v.choosing {
		b.WriteString("\n" + st.Title.Render(tContactTitle) + "\n")
		for i, out := range store.ContactOutcomes {
			b.WriteString(fmt.Sprintf("  %d  %s\n", i+1, out))
		}
		b.WriteString(st.Hint.Render(fmt.Sprintf(tContactHint, len(store.ContactOutcomes))) + "\n")
		return b.String()
	}
	b.WriteString("\n" + st.Label.Render(tAttempts) + "\n")
	if len(o.Attempts) == 0 {
		b.WriteString(st.Hint.Render("  "+tNoAttempts) + "\n")
	}
	if o.AttemptsDropped > 0 {
		b.WriteString(st.Hint.Render(cell("  "+plural(o.AttemptsDropped, tOlderAttemptOne, tOlderAttemptMany), width)) + "\n")
	}
	for _, a := range o.Attempts {
		line := "  " + fmt.Sprintf(tHistoryLine, a.At.Local().Format("02/01/2006 15:04"), a.Outcome, a.By)
		if a.Note != "" {
			line += " · " + a.Note
		}
		b.WriteString(cell(line, width) + "\n")
	}
	b.WriteString("\n" + st.Label.Render(tHistory) + "\n")
	for i, e := range o.Life() {
		line := "  " + fmt.Sprintf(tHistoryLine, e.At.Local().Format("02/01/2006 15:04"), e.Status, e.By)
		for _, note := range []string{e.Detail("02/01/2006 15:04"), contractLeft(e)} {
			if note != "" {
				line += " · " + note
			}
		}
		b.WriteString(cell(line, width) + "\n")
		if i == 0 && o.HistoryDropped > 0 { // after the opening, which is always kept
			b.WriteString(st.Hint.Render(cell("  "+plural(o.HistoryDropped, tOlderStepOne, tOlderStepMany), width)) + "\n")
		}
	}
	return b.String()
}
