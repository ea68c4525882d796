package cli_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ponte/sga/sim"
	"ponte/store"
	"ponte/ui/cli"
)

// A cancellation in SGA becomes a Retirada proposal, an order, a visit, and a closed contract,
// all from the command line.
func TestRemovalFromTheCommandLine(t *testing.T) {
	db, sm, url := syncedDB(t, 40)
	ponte := func(args ...string) (int, string, string) {
		return ponteIn("", append([]string{"--db", db, "--sga-url", url}, args...)...)
	}
	decode := func(v any, args ...string) {
		t.Helper()
		code, out, errOut := ponte(args...)
		if code != cli.ExitOK {
			t.Fatalf("ponte %s: exit %d %q", strings.Join(args, " "), code, errOut)
		}
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("ponte %s: not JSON: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	v := ourVehicle(t, sm)
	var imported []struct{ Contract, Order string }
	decode(&imported, "import", v.Plate, "--client", v.MemberCPF, "--json")

	// Cancelled in SGA while its Instalação is Aberta: the tracker never went in, nothing to
	// propose; back to ATIVO, nothing either.
	for _, sit := range []int{3, 1} { // CANCELADO, ATIVO
		if err := sm.SetSituation(v.Code, sit); err != nil {
			t.Fatal(err)
		}
		if code, out, errOut := ponte("sync", "--rate", "0"); code != cli.ExitOK || strings.Contains(out, "proposed") {
			t.Fatalf("sync, the Instalação open: %d %q %q", code, out, errOut)
		}
	}
	if code, out, _ := ponte("pending", "list"); code != cli.ExitOK || out != "no proposals waiting for a decision\n" {
		t.Fatalf("pending list, the Instalação open: %d %q", code, out)
	}

	install(t, ponte, imported[0].Order)
	if err := sm.SetSituation(v.Code, 3); err != nil { // CANCELADO
		t.Fatal(err)
	}
	code, out, errOut := ponte("sync", "--rate", "0")
	if code != cli.ExitOK || !strings.Contains(out, "1 order proposed (ponte pending list)") {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	member := clientOf(t, db, v.MemberCode)
	var pending []struct {
		ID     uint64
		Kind   string
		Plate  string
		Cause  store.Cause
		Client struct {
			SGACode     int64 `json:"sga_code"`
			Name, Phone string
		}
	}
	decode(&pending, "pending", "list", "--json")
	if len(pending) != 1 || pending[0].Kind != store.OrderKindRemoval || pending[0].Plate != v.Plate ||
		pending[0].Cause.Before != "ATIVO" || pending[0].Cause.After != "CANCELADO" {
		t.Fatalf("pending list: %+v", pending)
	}
	if c := pending[0].Client; c.SGACode != v.MemberCode || c.Name != member.Name || c.Phone != member.Phone {
		t.Fatalf("pending list --json: client %+v, want %+v", c, member)
	}
	code, out, _ = ponte("pending", "list")
	if code != cli.ExitOK || !strings.Contains(out, "Retirada") || !strings.Contains(out, "ATIVO → CANCELADO") ||
		!regexp.MustCompile(`(?m)^ID +ASSOCIATION +KIND +STATUS +PLATE +CLIENT +PHONE +CONTRACT `).MatchString(out) ||
		!strings.Contains(out, v.Plate+"  "+member.Name+"  "+member.Phone+"  ") {
		t.Fatalf("pending list without the client's name and phone (%s, %s): %d\n%s", member.Name, member.Phone, code, out)
	}
	id := strings.TrimSpace(strings.Fields(strings.Split(out, "\n")[1])[0])

	var orders []struct{ Number, Kind, Status string }
	decode(&orders, "pending", "accept", id, "--json")
	if len(orders) != 1 || orders[0].Kind != store.OrderKindRemoval || orders[0].Status != store.OrderStatusOpen {
		t.Fatalf("accept: %+v", orders)
	}
	os := orders[0].Number
	if code, _, errOut := ponte("pending", "accept", id); code != cli.ExitFailure || !strings.Contains(errOut, "already decided") {
		t.Fatalf("second accept: %d %q", code, errOut)
	}

	// Usage mistakes, each exit 2 and nothing written (the steps below start from Aberta).
	visit := time.Now().AddDate(0, 0, 7).Format("02/01/2006") + " 14:00"
	for _, args := range [][]string{
		{"order", "schedule", os, "--at", "amanhã", "--technician", "Carlos"},
		{"order", "schedule", os, "--at", visit},
		{"order", "schedule", os, "--at", "01/01/2020 10:00", "--technician", "Carlos"},
		{"order", "cancel", os},
		{"order", "cancel", os, "--reason", "x", "--contract", "close"}, // a Retirada's contract is not decided here
		{"order", "contact", os, "--outcome", "talvez"},
		{"order", "show", "CT-2026-000001"},
		{"pending", "dismiss", id},
		{"pending", "accept", "x"},
		{"sync", "--mode", "sometimes"},
	} {
		if code, _, errOut := ponte(args...); code != cli.ExitUsage {
			t.Errorf("ponte %s: exit %d %q, want 2", strings.Join(args, " "), code, errOut)
		}
	}
	if code, _, errOut := ponte("order", "start", os); code != cli.ExitFailure ||
		errOut != "ponte: order "+os+` is "Aberta": schedule it before starting`+"\n" {
		t.Fatalf("start an order not scheduled: %d %q", code, errOut)
	}
	if code, _, errOut := ponte("order", "schedule", os, "--at", "01/01/2020 10:00", "--technician", "Carlos"); !strings.Contains(errOut,
		"ponte: visit 01/01/2020 10:00 is in the past (now ") || strings.Contains(errOut, "invalid") {
		t.Fatalf("a visit in the past: %d %q", code, errOut)
	}
	if code, _, errOut := ponte("order", "cancel", os, "--reason", "x", "--contract", "close"); !strings.Contains(errOut,
		`is a "Retirada": cancelling it leaves contract`) || !strings.Contains(errOut, "cancel it without --contract") {
		t.Fatalf("cancel a Retirada deciding its contract: %d %q", code, errOut)
	}
	// Each step says what it did: a contact attempt alone moves nothing, and says so.
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"order", "contact", os, "--outcome", "Sem resposta", "--note", "caixa postal"}, `: contact attempt "Sem resposta" recorded`},
		{[]string{"order", "schedule", os, "--at", visit, "--technician", "Carlos Souza", "--contact", "Agendado"},
			` is now "Agendada"; contact attempt "Agendado" recorded`},
		{[]string{"order", "contact", os, "--outcome", "Retornar depois"}, `: contact attempt "Retornar depois" recorded`},
		{[]string{"order", "start", os}, ` is now "Em execução"`},
		{[]string{"order", "finish", os, "--note", "rastreador recolhido"}, ` is now "Concluída"`},
	} {
		code, out, errOut := ponte(step.args...)
		if want := "order " + os + " (Retirada)" + step.want + "\n"; code != cli.ExitOK || out != want {
			t.Fatalf("ponte %s: %d %q %q, want %q", strings.Join(step.args, " "), code, out, errOut, want)
		}
	}
	var shown struct {
		Status   string
		Visit    store.Visit
		Attempts []store.ContactAttempt
		History  []store.OrderEvent
	}
	decode(&shown, "order", "show", os, "--json")
	if shown.Status != store.OrderStatusDone || shown.Visit.Technician != "Carlos Souza" || len(shown.Attempts) != 3 ||
		len(shown.History) != 4 || shown.History[3].Status != store.OrderStatusDone {
		t.Fatalf("order show: %+v", shown)
	}
	code, out, _ = ponte("order", "show", os)
	if code != cli.ExitOK || !strings.Contains(out, "Encerrado") || !strings.Contains(out, "Cancelamento: codigo_situacao ATIVO → CANCELADO") {
		t.Fatalf("order show: %q", out)
	}
	// One date format in the human output, the command line's, the visit's in its history too;
	// --json keeps RFC 3339, the visit an object of its own.
	day, _ := time.ParseInLocation("02/01/2006 15:04", visit, time.Local)
	if at := day.Format("2006-01-02 15:04"); !regexp.MustCompile(`(?m)^visit +`+at+`, Carlos Souza$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^  [0-9-]+ [0-9:]+ +Agendada +root +`+at+`, Carlos Souza$`).MatchString(out) ||
		regexp.MustCompile(`[0-9]{2}/[0-9]{2}/[0-9]{4}`).MatchString(out) {
		t.Fatalf("order show writes its dates in more than one format (the visit: %s):\n%s", at, out)
	}
	if v := shown.History[1].Visit; v == nil || !v.At.Equal(day) || v.Technician != "Carlos Souza" || shown.History[1].Note != "" {
		t.Fatalf("order show --json: the Agendada's visit %+v, note %q", v, shown.History[1].Note)
	}
	// The client's name and phone are there, for the contact attempts.
	if !regexp.MustCompile(`(?m)^client +`+regexp.QuoteMeta(member.Name)+` \(SGA code `+fmt.Sprint(v.MemberCode)+`\)$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^phone +`+regexp.QuoteMeta(member.Phone)+`$`).MatchString(out) {
		t.Fatalf("order show without the client's name and phone (%s, %s):\n%s", member.Name, member.Phone, out)
	}
	var withClient struct {
		Client struct {
			SGACode     int64 `json:"sga_code"`
			Name, Phone string
		}
	}
	decode(&withClient, "order", "show", os, "--json")
	if withClient.Client.SGACode != v.MemberCode || withClient.Client.Name != member.Name || withClient.Client.Phone != member.Phone {
		t.Fatalf("order show --json: client %+v, want %+v", withClient.Client, member)
	}
	code, out, _ = ponte("export", "contracts")
	if code != cli.ExitOK || !strings.Contains(out, `"status":"Encerrado"`) || !strings.Contains(out, `"orders":["`+os+`"]`) {
		t.Fatalf("export contracts: %q", out)
	}
	code, out, _ = ponte("export", "orders", "--format", "csv")
	if code != cli.ExitOK || !strings.Contains(out, "Retirada,Concluída") || !strings.Contains(out, `""status"":""Em execução""`) {
		t.Fatalf("export orders: %q", out)
	}
	code, out, _ = ponte("export", "proposals")
	if code != cli.ExitOK || !strings.Contains(out, `"status":"gerada"`) || !strings.Contains(out, `"order":"`+os+`"`) {
		t.Fatalf("export proposals: %q", out)
	}
	// Eight order changes: the Instalação's three, the Retirada's five.
	code, out, _ = ponte("export", "audit")
	if code != cli.ExitOK || strings.Count(out, `"action":"order.changed"`) != 8 || !strings.Contains(out, `"action":"proposal.accepted"`) {
		t.Fatalf("export audit: %q", out)
	}

	// In English, a Portuguese status is said as a name, and one proposal is one.
	var more []sim.VehicleInfo
	for _, x := range sm.Vehicles() {
		if x.Plate != "" && x.Situation == 1 && x.Code != v.Code && slices.Contains(x.Products, sm.Credentials().ProductCode) {
			more = append(more, x)
		}
	}
	for _, x := range more[:2] {
		decode(&imported, "import", x.Plate, "--client", x.MemberCPF, "--json")
		install(t, ponte, imported[0].Order)
		if err := sm.SetSituation(x.Code, 3); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, errOut := ponte("sync", "--rate", "0"); code != cli.ExitOK {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	code, out, _ = ponte("pending", "list")
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if code != cli.ExitOK || len(rows) != 3 || !strings.Contains(rows[1], " Pendente ") || strings.Contains(out, "pendente") {
		t.Fatalf("pending list: %d %q", code, out)
	}
	first, second := strings.Fields(rows[1])[0], strings.Fields(rows[2])[0]
	if code, out, errOut := ponte("pending", "accept", first); code != cli.ExitOK || !regexp.MustCompile(`^OS-\d{4}-\d{6}: Retirada, status "Aberta", for \S+, contract CT-`).MatchString(out) {
		t.Fatalf("pending accept: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := ponte("pending", "dismiss", second, "--reason", "rastreador já retirado"); code != cli.ExitOK || out != "dismissed 1 proposal\n" {
		t.Fatalf("pending dismiss: %d %q %q", code, out, errOut)
	}
}

// Cancelling an Instalação from the command line says what becomes of its contract: a
// usage error until --contract keep or close says it, then both in one step.
func TestCancelAnInstallationFromTheCommandLine(t *testing.T) {
	db, sm, url := syncedDB(t, 40)
	ponte := func(args ...string) (int, string, string) {
		return ponteIn("", append([]string{"--db", db, "--sga-url", url}, args...)...)
	}
	v := ourVehicle(t, sm)
	code, out, errOut := ponte("import", v.Plate, "--client", v.MemberCPF, "--json")
	var imported []struct{ Contract, Order string }
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &imported) != nil || len(imported) != 1 {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	os, ct := imported[0].Order, imported[0].Contract

	code, _, errOut = ponte("order", "cancel", os, "--reason", "associado desistiu")
	if code != cli.ExitUsage || !strings.Contains(errOut, "ponte: order "+os+` is an "Instalação": say whether its contract `+ct+
		` stays "Ativo" (keep) or becomes "Encerrado" (close)`) || !strings.Contains(errOut, "cancel it with --contract keep or --contract close") {
		t.Fatalf("cancel without --contract: %d %q", code, errOut)
	}
	if code, _, errOut := ponte("order", "cancel", os, "--reason", "x", "--contract", "maybe"); code != cli.ExitUsage ||
		!strings.Contains(errOut, `--contract "maybe": want keep or close`) {
		t.Fatalf("--contract maybe: %d %q", code, errOut)
	}
	if code, out, _ := ponte("order", "show", os); code != cli.ExitOK || !strings.Contains(out, "Aberta") || !strings.Contains(out, "(Ativo)") {
		t.Fatalf("refused cancels wrote: %q", out)
	}

	code, out, errOut = ponte("order", "cancel", os, "--reason", "associado desistiu", "--contract", "close")
	if code != cli.ExitOK || out != "order "+os+` (Instalação) is now "Cancelada"; contract `+ct+` is now "Encerrado"`+"\n" {
		t.Fatalf("cancel --contract close: %d %q %q", code, out, errOut)
	}
	code, out, _ = ponte("order", "show", os)
	if code != cli.ExitOK || !strings.Contains(out, ct+" (Encerrado)") || !strings.Contains(out, `associado desistiu; contract `+ct+` is now "Encerrado"`) {
		t.Fatalf("order show: %q", out)
	}
	code, out, _ = ponte("export", "audit")
	if code != cli.ExitOK || !strings.Contains(out, "Cancelada (associado desistiu); contract "+ct+" Encerrado") {
		t.Fatalf("export audit: %q", out)
	}
}

// association rules: a situação the association reads its own way, the full day, and their
// mistakes.
func TestAssociationRules(t *testing.T) {
	db, sm, url := syncedDB(t, 40)
	ponte := func(args ...string) (int, string, string) {
		return ponteIn("", append([]string{"--db", db, "--sga-url", url}, args...)...)
	}
	for _, args := range [][]string{
		{"association", "rules", "principal", "--situation", "PENDENTE=talvez"},
		{"association", "rules", "principal", "--situation", "=saida"},
		{"association", "rules", "principal", "--full-day", "feriado"},
	} {
		if code, _, errOut := ponte(args...); code != cli.ExitUsage {
			t.Errorf("ponte %s: exit %d %q, want 2", strings.Join(args, " "), code, errOut)
		}
	}
	if code, _, errOut := ponte("association", "rules", "principal", "--situation", "pendente=saida", "--full-day", "sábado"); code != cli.ExitOK {
		t.Fatalf("set rules: %d %q", code, errOut)
	}
	var rules struct {
		Situations, Classes map[string]string
		FullDay             string `json:"full_day"`
	}
	code, out, _ := ponte("association", "rules", "principal", "--json")
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &rules) != nil || rules.Situations["PENDENTE"] != "saida" || rules.FullDay != "Saturday" {
		t.Fatalf("rules: %d %q", code, out)
	}
	// The text names each situação the vehicles hold, its class and what says so.
	code, out, _ = ponte("association", "rules", "principal")
	if code != cli.ExitOK || !regexp.MustCompile(`(?m)^PENDENTE +saida +\d+ vehicles? +this association's rule$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^ATIVO +ativo +\d+ vehicles +its description$`).MatchString(out) || strings.Contains(out, "situação") {
		t.Fatalf("rules: %d\n%s", code, out)
	}
	if rules.Classes["ATIVO"] != store.ClassActive || rules.Classes["PENDENTE"] != store.ClassGone {
		t.Fatalf("rules --json classes: %v", rules.Classes)
	}
	// PENDENTE (5) now means the tracker comes back: an imported vehicle set so is proposed.
	v := ourVehicle(t, sm)
	var imported []struct{ Order string }
	code, out, errOut := ponte("import", v.Plate, "--client", v.MemberCPF, "--json")
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &imported) != nil || len(imported) != 1 {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	install(t, ponte, imported[0].Order)
	if err := sm.SetSituation(v.Code, 5); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := ponte("sync", "--rate", "0"); code != cli.ExitOK || !strings.Contains(out, "1 order proposed") {
		t.Fatalf("sync: %d %q %q", code, out, errOut)
	}
	if code, out, _ := ponte("pending", "list"); code != cli.ExitOK || !strings.Contains(out, "ATIVO → PENDENTE") {
		t.Fatalf("pending list: %q", out)
	}
}

// An empty pending list is a sentence on stdout, with no table header above it; --json is an
// empty array, as the other listings' --json.
func TestEmptyPendingListIsASentence(t *testing.T) {
	db := fixtureDB(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"pending", "list"}, "no proposals waiting for a decision\n"},
		{[]string{"pending", "list", "--all"}, "no proposals\n"},
		{[]string{"pending", "list", "--json"}, "[]\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			if code, out, errOut := run2(db, tc.args...); code != cli.ExitOK || out != tc.want || errOut != "" {
				t.Errorf("ponte %s: exit %d, stdout %q, stderr %q; want stdout %q alone", strings.Join(tc.args, " "), code, out, errOut, tc.want)
			}
		})
	}
}

// clientOf is the client whose SGA code is code, as ponte export clients has it, with a name
// and a phone.
func clientOf(t *testing.T, db string, code int64) store.Client {
	t.Helper()
	status, clients, errOut := run2(db, "export", "clients")
	for _, l := range strings.Split(strings.TrimSpace(clients), "\n") {
		var c store.Client
		if err := json.Unmarshal([]byte(l), &c); err == nil && c.SGACode == code && c.Name != "" && c.Phone != "" {
			return c
		}
	}
	t.Fatalf("export clients: %d %q, no name or phone for client %d", status, errOut, code)
	panic("unreachable")
}

// order show numbers the contact attempts an order keeps as they were made and says how many
// older ones it no longer keeps.
func TestOrderShowSaysWhatItNoLongerKeeps(t *testing.T) {
	db, sm, url := syncedDB(t, 40)
	ponte := func(args ...string) (int, string, string) {
		return ponteIn("", append([]string{"--db", db, "--sga-url", url}, args...)...)
	}
	v := ourVehicle(t, sm)
	var imported []struct{ Contract, Order string }
	code, out, errOut := ponte("import", v.Plate, "--client", v.MemberCPF, "--json")
	if code != cli.ExitOK || json.Unmarshal([]byte(out), &imported) != nil || len(imported) != 1 {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	order := imported[0].Order
	for i := 1; i <= store.MaxOrderAttempts+2; i++ {
		if code, _, errOut := ponte("order", "contact", order, "--outcome", "Sem resposta", "--note", fmt.Sprint("tentativa ", i)); code != cli.ExitOK {
			t.Fatalf("contact %d: %d %q", i, code, errOut)
		}
	}
	code, out, _ = ponte("order", "show", order)
	last := fmt.Sprint("tentativa ", store.MaxOrderAttempts+2)
	if code != cli.ExitOK || !strings.Contains(out, "  (2 older attempts not kept)\n") ||
		!regexp.MustCompile(`(?m)^  3 .*tentativa 3$`).MatchString(out) || !regexp.MustCompile(`(?m)^  22 .*`+last+`$`).MatchString(out) ||
		strings.Contains(out, "tentativa 2\n") {
		t.Fatalf("order show: %d\n%s", code, out)
	}
}
