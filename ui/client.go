package ui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"ponte/sga/syncer"
	"ponte/store"
	"ponte/store/norm"
)

// clientView is one client: tabs Dados and Importação de Veículos SGA.
type clientView struct {
	c        *common
	keys     clientKeys
	client   store.Client
	tab      int
	vehicles []store.VehicleView
	table    *table
	ticked   map[int64]bool
	busy     bool
	message  string
	ok       bool
	imported []store.Imported
	product  string
	manual   bool
	syncing  bool
	synced   bool // this view ran the client's own sync: the list is all SGA has
	width    int
	height   int
}

type (
	vehiclesLoadedMsg struct {
		client   int64
		vehicles []store.VehicleView
		product  string // the Código do Produto, to say which product the others lack
		manual   bool   // the manual credentials are set: the client's s brings every vehicle
		err      error
	}
	importedMsg struct {
		imported []store.Imported
		err      error
	}
	clientSyncMsg struct{ err error }
	// confirmedImportMsg is the operator's yes to the import question.
	confirmedImportMsg struct{ client int64 }
)

func newClientView(c *common, cl store.Client) *clientView {
	return &clientView{c: c, client: cl, tab: 1, ticked: map[int64]bool{}, keys: newClientKeys(c.keys), table: newTable(c,
		column{" ", 3}, column{tPlate, 9}, column{tModel, 0}, column{tYear, 5}, column{tSituation, 13}, column{tProduct, 8}, column{tContract, 16})}
}

func (v *clientView) Init() tea.Cmd { return v.load() }

func (v *clientView) load() tea.Cmd {
	st, code := v.c.st, v.client.SGACode
	return func() tea.Msg {
		vs, err := st.VehiclesOfClient(code)
		in, _ := st.IntegrationState() // without it, "sem o nosso produto"
		return vehiclesLoadedMsg{code, vs, in.ProductCode, in.Manual, err}
	}
}

func (v *clientView) SetSize(w, h int) {
	v.width, v.height = w, h
	v.table.SetSize(w, h-7)
}

func (v *clientView) Typing() bool { return false }

func (v *clientView) Nested() bool { return false }

// Moves is the vehicles' list's keys on its tab; Dados has nothing to move.
func (v *clientView) Moves() []key.Binding {
	if v.tab != 1 {
		return nil
	}
	return v.table.Moves()
}

// why says why a vehicle cannot be ticked, or "" when it can.
func (v *clientView) why(ve store.VehicleView) string {
	switch {
	case ve.Foreign && v.product != "":
		return fmt.Sprintf(tWhyNoProduct, v.product)
	case ve.Foreign:
		return tWhyNotOurs
	case ve.ContractNumber != "":
		return fmt.Sprintf(tWhyImported, ve.ContractNumber)
	case ve.Gone:
		return tWhyGone
	case !ve.Active():
		return fmt.Sprintf(tWhyNotActive, ve.Situation)
	}
	return ""
}

// updateKeys is the one place the client's bindings are enabled from its state. Importar
// stays offered on the vehicles tab with nothing ticked: pressed, it says what to do.
func (v *clientView) updateKeys() {
	k := &v.keys
	onVehicles := v.tab == 1 && !v.busy
	k.Tick.SetEnabled(onVehicles && len(v.vehicles) > 0)
	k.TickAll.SetEnabled(onVehicles && len(v.vehicles) > 0)
	k.Import.SetEnabled(onVehicles && len(v.vehicles) > 0)
	k.Sync.SetEnabled(!v.syncing && v.c.svc.Engine != nil)
}

func (v *clientView) Help() []key.Binding {
	v.updateKeys()
	k := v.keys
	return []key.Binding{k.TabNext, k.Tick, k.TickAll, k.Import, k.Sync, k.Back}
}

func (v *clientView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case vehiclesLoadedMsg:
		if msg.client != v.client.SGACode {
			return nil
		}
		if msg.err != nil {
			v.c.svc.Logger.Error("read a client's vehicles", "err", msg.err)
			v.message, v.ok = tLoadFailed, false
			return nil
		}
		v.vehicles, v.product, v.manual = msg.vehicles, msg.product, msg.manual
		for code := range v.ticked { // a vehicle imported elsewhere can no longer be ticked
			if i := v.index(code); i < 0 || v.why(v.vehicles[i]) != "" {
				delete(v.ticked, code)
			}
		}
		v.rows()
		return nil
	case importedMsg:
		v.busy = false
		if msg.err != nil {
			v.message, v.ok = fmt.Sprintf(tImportFailed, importReasons(msg.err)), false
			return tea.Batch(v.load(), toast(false, "%s", v.message))
		}
		v.imported, v.ticked = msg.imported, map[int64]bool{}
		v.message, v.ok = tImported, true
		return tea.Batch(v.load(), toast(true, "%s", tSuccess), func() tea.Msg { return dataChangedMsg{} })
	case clientSyncMsg:
		if msg.err != nil {
			v.syncing = false
			if errors.Is(msg.err, syncer.ErrBusy) {
				return toast(false, "%s", tSyncBusy)
			}
			if errors.Is(msg.err, syncer.ErrDisabled) {
				return toast(false, tAssocIsDisabled, v.c.assoc.Label())
			}
			if errors.Is(msg.err, syncer.ErrBadCPF) {
				return toast(false, "%s", tClientBadCPF)
			}
			v.c.svc.Logger.Error("start a client sync", "err", msg.err)
			return toast(false, "%s", tStartFailed)
		}
		return toast(true, "%s", tClientSyncStart)
	case progressMsg:
		if v.syncing && !msg.Running && msg.Client == v.client.CPF {
			v.syncing, v.synced = false, true
			return tea.Batch(v.load(), v.clientSyncEnded(syncer.Progress(msg)))
		}
		return nil
	case confirmedImportMsg:
		if msg.client == v.client.SGACode && len(v.ticked) > 0 {
			return v.doImport()
		}
		return nil
	case dataChangedMsg:
		return v.load()
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return nil
}

// clientSyncEnded says what the client's own sync found: "3 veículos encontrados no SGA,
// 1 novo", or why it failed.
func (v *clientView) clientSyncEnded(p syncer.Progress) tea.Cmd {
	if p.Status != store.StatusSucceeded {
		return toast(false, tSyncEnded, statusText(p.Status), reasonText(p.ReasonCode))
	}
	st, run := v.c.st, p.RunID
	return func() tea.Msg {
		r, err := st.Run(run)
		if err != nil {
			return toastMsg{false, tLoadFailed}
		}
		found, fresh := plural(r.Counts.Vehicles(), tFoundOne, tFoundMany), plural(r.Counts.VehiclesCreated, tNewOne, tNewMany)
		if r.FellBack {
			return toastMsg{true, fmt.Sprintf(tClientSyncWarn, found, fresh, fellBackWarning(r.Source, false))}
		}
		return toastMsg{true, fmt.Sprintf(tClientSyncDone, found, fresh)}
	}
}

func (v *clientView) key(msg tea.KeyPressMsg) tea.Cmd {
	v.updateKeys()
	k := v.keys
	switch {
	case key.Matches(msg, k.TabNext):
		v.tab = 1 - v.tab
		return nil
	case !k.Sync.Enabled() && v.syncing && key.Matches(msg, v.c.keys.Sync):
		return toast(false, "%s", tSyncBusy) // s while this client syncs: say why nothing starts
	case key.Matches(msg, k.Sync):
		v.syncing = true
		eng, cpf, actor, slug := v.c.svc.Engine, v.client.CPF, v.c.actor, v.c.assoc.Slug
		url := v.c.svc.SGAURL
		return func() tea.Msg {
			return clientSyncMsg{eng.Start(syncer.Request{Association: slug, CPF: cpf, By: actor, BaseURL: url})}
		}
	case key.Matches(msg, k.Tick):
		ve := v.vehicles[v.table.Cursor()]
		if reason := v.why(ve); reason != "" {
			return toast(false, "%s: %s", plateOf(ve), reason) // the cursor stays on the row the reason is about
		}
		toggle(v.table, v.ticked, ve.SGACode)
		v.rows()
		return nil
	case key.Matches(msg, k.TickAll):
		all, any := true, false
		var reasons []string
		for _, ve := range v.vehicles {
			if r := v.why(ve); r != "" {
				reasons = append(reasons, plateOf(ve)+" "+r)
				continue
			}
			any = true
			if !v.ticked[ve.SGACode] {
				all = false
			}
		}
		if !any {
			return toast(false, tNothingTickable, strings.Join(reasons, "; "))
		}
		for _, ve := range v.vehicles {
			if v.why(ve) == "" {
				if all {
					delete(v.ticked, ve.SGACode)
				} else {
					v.ticked[ve.SGACode] = true
				}
			}
		}
		v.rows()
		return nil
	case key.Matches(msg, k.Import):
		if len(v.ticked) == 0 {
			return toast(false, "%s", tNothingTicked)
		}
		n, client := len(v.ticked), v.client.SGACode
		return ask(plural(n, tImportAskOne, tImportAskMany), func() tea.Msg { return confirmedImportMsg{client} })
	}
	if v.tab == 1 {
		v.table.Update(msg)
	}
	return nil
}

// Ticked is how many vehicles are ticked, for the status bar.
func (v *clientView) Ticked() int { return len(v.ticked) }

func (v *clientView) index(code int64) int {
	for i, ve := range v.vehicles {
		if ve.SGACode == code {
			return i
		}
	}
	return -1
}

func (v *clientView) doImport() tea.Cmd {
	v.busy = true
	st, client, actor := v.c.st, v.client.SGACode, v.c.actor
	var codes []int64
	for _, ve := range v.vehicles {
		if v.ticked[ve.SGACode] {
			codes = append(codes, ve.SGACode)
		}
	}
	return func() tea.Msg {
		imported, err := st.Import(client, codes, actor)
		return importedMsg{imported, err}
	}
}

func importReasons(err error) string {
	var out []string
	for _, e := range unjoin(err) {
		var ie *store.ImportError
		if errors.As(e, &ie) {
			label := ie.Plate
			if label == "" {
				label = strconv.FormatInt(ie.Vehicle, 10)
			}
			switch {
			case errors.Is(e, store.ErrAlreadyImported):
				out = append(out, label+": "+fmt.Sprintf(tWhyImported, ie.Contract))
			case errors.Is(e, store.ErrNotActive):
				out = append(out, label+": "+fmt.Sprintf(tWhyNotActive, "?"))
			case errors.Is(e, store.ErrWrongClient):
				out = append(out, label+": "+tWrongClient)
			case errors.Is(e, store.ErrNotOurs):
				out = append(out, label+": "+tWhyNotOurs)
			default:
				out = append(out, label+": "+tUnknownVeh)
			}
			continue
		}
		out = append(out, tLoadFailed)
	}
	return strings.Join(out, "; ")
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func plateOf(ve store.VehicleView) string {
	if ve.Plate != "" {
		return ve.Plate
	}
	return ve.Chassis
}

// productsText is a vehicle's products with ours first, so that a cut list still shows
// whether it is there: "19,1,2,3,4".
func productsText(products []string, ours string) string {
	if i := slices.Index(products, ours); i > 0 {
		products = append([]string{ours}, slices.Delete(slices.Clone(products), i, i+1)...)
	}
	return strings.Join(products, ",")
}

func (v *clientView) rows() {
	rows := make([]row, len(v.vehicles))
	for i, ve := range v.vehicles {
		box := "[ ]"
		switch {
		case v.why(ve) != "":
			box = " - "
		case v.ticked[ve.SGACode]:
			box = "[x]"
		}
		year := ""
		if ve.YearModel > 0 {
			year = strconv.Itoa(ve.YearModel)
		}
		sit := ve.Situation
		if ve.Gone {
			sit = tWhyGone
		}
		rows[i] = row{key: strconv.FormatInt(ve.SGACode, 10), cells: []string{box, plateOf(ve), ve.Brand + " " + ve.Model, year, sit, productsText(ve.Products, v.product), ve.ContractNumber},
			disabled: v.why(ve) != ""}
	}
	v.table.SetRows(rows)
}

func (v *clientView) View() string {
	st := v.c.styles
	var b strings.Builder
	b.WriteString(st.Title.Render(v.client.Name) + "  " + st.Hint.Render(norm.FormatCPF(v.client.CPF)) + "\n")
	b.WriteString(tabs(st, []string{tTabData, tTabVehicles}, v.tab, v.width))
	b.WriteString("   " + button(st, tSyncActive+" (s)", false) + "\n\n")
	if v.tab == 0 {
		c := v.client
		b.WriteString(fields(st, 14, v.width, [][2]string{{tName, c.Name}, {tCPF, norm.FormatCPF(c.CPF)}, {tEmail, c.Email},
			{tPhone, formatPhone(c.Phone)}, {tCity, c.City + "/" + c.State}, {tSituation, c.Situation},
			{"Código SGA", strconv.FormatInt(c.SGACode, 10)}}))
		return b.String()
	}
	if len(v.vehicles) == 0 {
		b.WriteString(st.Hint.Render(tNoVehicles))
		return b.String()
	}
	b.WriteString(v.table.View() + "\n")
	switch cur := v.vehicles[v.table.Cursor()]; {
	case v.why(cur) != "":
		b.WriteString(st.Hint.Render(cell(plateOf(cur)+": "+v.why(cur), v.width)) + "\n")
	case !v.manual:
		b.WriteString(st.Hint.Render(cell(tOnlyOursToken, v.width)) + "\n")
	case !v.synced && !slices.ContainsFunc(v.vehicles, func(x store.VehicleView) bool { return x.Foreign }):
		b.WriteString(st.Hint.Render(cell(tOnlyOurs, v.width)) + "\n")
	default:
		b.WriteString("\n")
	}
	switch {
	case len(v.ticked) > 0:
		b.WriteString(button(st, tImport+" (i)", true) + "  " + st.Hint.Render(plural(len(v.ticked), tTickedOne, tTickedMany)))
	case v.message != "":
		style := st.Success
		if !v.ok {
			style = st.Error
		}
		b.WriteString(style.Render(cell(v.message, v.width)))
		for _, im := range v.imported {
			b.WriteString("\n" + style.Render(cell(fmt.Sprintf("  %s + %s (%s)", im.Contract.Number, im.Order.Number, im.Contract.Plate), v.width)))
		}
	}
	return b.String()
}
