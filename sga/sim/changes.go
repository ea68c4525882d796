package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"ponte/sga"
	"ponte/store/norm"
)

// The register keeps a log of what changed, as SGA's audit does, and serves it through
// listar/alteracao-veiculos and listar/alteracao-associados with SGA's habits: dates as
// dd/mm/yyyy, windows of at most seven days (longer ones refused with SGA's envelope), the
// fields to report required, codes sometimes numbers and sometimes strings, the vehicle feed's
// data_alteracao with an offset without a colon, the member feed's a bare date with the time
// in hora_alteracao, and an empty window answered with [] or with 406. Overlapping windows
// repeat the changes they share.

// Route IDs of the change feeds.
const (
	RouteVehicleChanges = "listar/alteracao-veiculos"
	RouteMemberChanges  = "listar/alteracao-associados"
)

type change struct {
	code    int64
	vehicle int64 // 0 for a member's change
	member  int64
	field   string
	before  string
	after   string
	at      time.Time
	user    int
}

// sgaUsers are who changes records in the simulated SGA.
var sgaUsers = []string{"ANA PAULA CADASTRO", "MARCOS FINANCEIRO", "JOANA ATENDIMENTO", "API INTEGRACAO"}

// logChange records a change of one field; the caller holds s.mu.
func (s *Sim) logChange(vehicle, member int64, field, before, after string) {
	if before == after {
		return
	}
	s.changeSeq++
	s.changes = append(s.changes, change{code: s.changeSeq, vehicle: vehicle, member: member, field: field,
		before: before, after: after, at: s.opts.Now(), user: int(s.changeSeq) % len(sgaUsers)})
}

// setSituation changes a vehicle's situação and logs it; the caller holds s.mu.
func (s *Sim) setSituation(vi, situation int) {
	v := &s.d.vehicles[vi]
	s.logChange(v.code, s.d.members[v.member].code, "codigo_situacao", strconv.Itoa(v.situation), strconv.Itoa(situation))
	v.situation = situation
}

// vehicle finds a vehicle's index by its code; the caller holds s.mu.
func (s *Sim) vehicle(code int64) (int, error) {
	vi, found := s.d.vehicleByCode[code]
	if !found {
		return 0, fmt.Errorf("no vehicle %d", code)
	}
	return vi, nil
}

// editVehicle runs fn on a vehicle's index under the register's lock; links, when set, means
// fn changed its products and the supplier-sync listing is built again.
func (s *Sim) editVehicle(code int64, links bool, fn func(vi int)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	vi, err := s.vehicle(code)
	if err != nil {
		return err
	}
	fn(vi)
	if links {
		s.rebuildSyncList()
	}
	return nil
}

// SetPlate changes a vehicle's plate (a Mercosul conversion, say), logged as SGA would.
func (s *Sim) SetPlate(vehicleCode int64, plate string) error {
	return s.editVehicle(vehicleCode, false, func(vi int) { s.setPlate(vi, norm.Plate(plate)) })
}

func (s *Sim) setPlate(vi int, plate string) {
	v := &s.d.vehicles[vi]
	if plate == "" || plate == v.plate {
		return
	}
	if _, taken := s.d.vehicleByPlt[plate]; taken {
		return
	}
	delete(s.d.vehicleByPlt, v.plate)
	s.logChange(v.code, s.d.members[v.member].code, "placa", v.plate, plate)
	v.plate = plate
	s.d.vehicleByPlt[plate] = vi
}

// DropSupplier unlinks every product of ours (the supplier's) from a vehicle: its member
// dropped our service. SGA's change feed does not report product links (they live in another
// table), so this logs nothing; the vehicle leaves the supplier-sync listing.
func (s *Sim) DropSupplier(vehicleCode int64) error {
	return s.editVehicle(vehicleCode, true, s.dropSupplier)
}

func (s *Sim) dropSupplier(vi int) {
	v := &s.d.vehicles[vi]
	v.products = slices.DeleteFunc(v.products, func(code string) bool {
		p, ok := s.d.product(code)
		return ok && p.Supplier
	})
}

// SetMemberEmail changes a member's e-mail, logged in the member feed.
func (s *Sim) SetMemberEmail(memberCode int64, email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	mi, found := s.d.memberByCode[memberCode]
	if !found {
		return fmt.Errorf("no member %d", memberCode)
	}
	m := &s.d.members[mi]
	s.logChange(0, m.code, "email", m.email, email)
	m.email = email
	return nil
}

// ChangeCount is how many changes the log holds.
func (s *Sim) ChangeCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.changes)
}

func vehicleChanges(s *Sim, r *http.Request, _ []string) reply { return s.serveChanges(r, true) }

func memberChanges(s *Sim, r *http.Request, _ []string) reply { return s.serveChanges(r, false) }

func (s *Sim) serveChanges(r *http.Request, vehicles bool) reply {
	var q struct {
		From   string   `json:"data_inicial"`
		To     string   `json:"data_final"`
		Fields []string `json:"campos"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<16)).Decode(&q); err != nil {
		return fail(http.StatusNotAcceptable, "Requisição inválida", "Envie os parâmetros em JSON")
	}
	from, err1 := time.ParseInLocation("02/01/2006", strings.TrimSpace(q.From), sga.Brasilia)
	to, err2 := time.ParseInLocation("02/01/2006", strings.TrimSpace(q.To), sga.Brasilia)
	switch {
	case err1 != nil || err2 != nil:
		return fail(http.StatusNotAcceptable, "Parâmetro inválido", "data_inicial e data_final devem estar no formato dd/mm/aaaa")
	case to.Before(from):
		return fail(http.StatusNotAcceptable, "Parâmetro inválido", "data_final deve ser maior ou igual a data_inicial")
	case to.Sub(from) >= sga.MaxChangeWindow*24*time.Hour:
		return fail(http.StatusNotAcceptable, "Período inválido", "O período máximo de consulta é de 7 dias")
	case len(q.Fields) == 0:
		return fail(http.StatusNotAcceptable, "Parâmetro obrigatório", "É necessário enviar os campos")
	}
	end := to.AddDate(0, 0, 1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []map[string]any
	for _, c := range s.changes {
		if (c.vehicle != 0) != vehicles || c.at.Before(from) || !c.at.Before(end) || !slices.Contains(q.Fields, c.field) {
			continue
		}
		out = append(out, s.changeWire(c))
	}
	if len(out) == 0 {
		if from.YearDay()%2 == 0 {
			return fail(http.StatusNotAcceptable, "Nenhuma alteração encontrada", "Não foram encontradas alterações no período")
		}
		return ok([]any{})
	}
	return ok(out)
}

// changeWire writes a change as SGA does: codes alternately as numbers and strings.
func (s *Sim) changeWire(c change) map[string]any {
	num := func(n int64) any {
		if c.code%2 == 0 {
			return n
		}
		return strconv.FormatInt(n, 10)
	}
	at := c.at.In(sga.Brasilia)
	w := map[string]any{
		"codigo_alteracao":         num(c.code),
		"nome_campo_tabela":        c.field,
		"valor_anterior":           c.before,
		"valor_posterior":          c.after,
		"codigo_usuario_alteracao": num(int64(100 + c.user)),
		"nome_usuario_alteracao":   sgaUsers[c.user],
	}
	if c.vehicle != 0 {
		w["codigo_veiculo"] = num(c.vehicle)
		if vi, ok := s.d.vehicleByCode[c.vehicle]; ok {
			w["placa"], w["chassi"] = s.d.vehicles[vi].plate, s.d.vehicles[vi].chassis
		}
		w["data_alteracao"] = at.Format("2006-01-02T15:04:05-0700")
		return w
	}
	w["codigo_associado"] = num(c.member)
	if mi, ok := s.d.memberByCode[c.member]; ok {
		w["cpf_associado"], w["nome_associado"] = s.d.members[mi].cpf, s.d.members[mi].name
	}
	w["data_alteracao"] = at.Format("2006-01-02")
	w["hora_alteracao"] = at.Format("15:04:05")
	return w
}
