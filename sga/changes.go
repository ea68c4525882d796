package sga

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// SGA's change feeds (listar/alteracao-veiculos, listar/alteracao-associados) say which fields
// of which records changed in a window of days, with the values before and after, when, and
// which SGA user changed them. A window is at most MaxChangeWindow days; windows that overlap
// repeat their changes, each keyed by codigo_alteracao.

// MaxChangeWindow is the longest window, in days counted inclusively, SGA serves.
const MaxChangeWindow = 7

// Brasilia is the clock SGA writes its dates in when it gives no offset.
var Brasilia = time.FixedZone("BRT", -3*60*60)

// VehicleChangeFields are the vehicle columns ponte asks the feed about: every column of the
// vehicle it keeps (store.Vehicle). Model, brand and colour come as SGA's codes for them
// (codigo_modelo, codigo_marca, codigo_cor); DescribedBy says so.
var VehicleChangeFields = []string{"codigo_situacao", "placa", "chassi", "codigo_associado",
	"renavam", "ano_fabricacao", "ano_modelo", "codigo_modelo", "codigo_marca", "codigo_cor"}

// DescribedBy reports whether a vehicle feed's field is the code of a description SGA keeps in
// a lookup table (model, brand, colour): its value says that the description changed, not to
// what, so the vehicle is read again (veiculo/buscar) for it.
func DescribedBy(field string) bool {
	switch field {
	case "codigo_modelo", "codigo_marca", "codigo_cor":
		return true
	}
	return false
}

// MemberChangeFields are the member columns ponte asks the feed about.
var MemberChangeFields = []string{"nome", "cpf", "email", "telefone_celular", "ddd_celular", "cidade", "estado"}

// Change is one change of one field of one record.
type Change struct {
	Code        Int  `json:"codigo_alteracao"`
	VehicleCode Int  `json:"codigo_veiculo"`   // vehicle feed
	MemberCode  Int  `json:"codigo_associado"` // member feed (and some vehicle feeds)
	Plate       Text `json:"placa"`
	Chassis     Text `json:"chassi"`
	MemberCPF   Text `json:"cpf_associado"`
	MemberName  Text `json:"nome_associado"`
	Field       Text `json:"nome_campo_tabela"`
	Before      Text `json:"valor_anterior"`
	After       Text `json:"valor_posterior"`
	Date        Text `json:"data_alteracao"`
	Time        Text `json:"hora_alteracao"`
	UserCode    Int  `json:"codigo_usuario_alteracao"`
	UserName    Text `json:"nome_usuario_alteracao"`
}

// At is when SGA recorded the change: data_alteracao with its offset, or, without one, in
// Brasília's time, the time taken from hora_alteracao when the date has none. Zero when SGA
// sent no date it could read.
func (c Change) At() time.Time {
	d := strings.TrimSpace(string(c.Date))
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339, "2006-01-02T15:04:05-07"} {
		if t, err := time.Parse(layout, d); err == nil {
			return t
		}
	}
	day, clock, _ := strings.Cut(strings.Replace(d, "T", " ", 1), " ")
	if clock == "" {
		clock = strings.TrimSpace(string(c.Time))
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006"} {
		t, err := time.ParseInLocation(layout, day, Brasilia)
		if err != nil {
			continue
		}
		for _, cl := range []string{"15:04:05", "15:04"} {
			if hm, err := time.Parse(cl, clock); err == nil {
				return t.Add(time.Duration(hm.Hour())*time.Hour + time.Duration(hm.Minute())*time.Minute + time.Duration(hm.Second())*time.Second)
			}
		}
		return t
	}
	return time.Time{}
}

// ChangeQuery is a window of days, both counted, and the fields to report.
type ChangeQuery struct {
	From, To time.Time // days, in Brasília's calendar
	Fields   []string  // default VehicleChangeFields or MemberChangeFields
}

// ChangeWindows cuts the days from..to (both counted) into windows SGA accepts.
func ChangeWindows(from, to time.Time) []ChangeQuery {
	from, to = day(from), day(to)
	var out []ChangeQuery
	for start := from; !start.After(to); start = start.AddDate(0, 0, MaxChangeWindow) {
		end := start.AddDate(0, 0, MaxChangeWindow-1)
		if end.After(to) {
			end = to
		}
		out = append(out, ChangeQuery{From: start, To: end})
	}
	return out
}

func day(t time.Time) time.Time {
	y, m, d := t.In(Brasilia).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Brasilia)
}

// ChangePage is what a window of the feed returned: the changes that could be read, and the
// records that could not.
type ChangePage struct {
	Changes []Change
	Bad     []RecordError
}

// VehicleChanges reads listar/alteracao-veiculos for one window.
func (c *Client) VehicleChanges(ctx context.Context, q ChangeQuery) (ChangePage, error) {
	if len(q.Fields) == 0 {
		q.Fields = VehicleChangeFields
	}
	return c.changes(ctx, "listar/alteracao-veiculos", q)
}

// MemberChanges reads listar/alteracao-associados for one window.
func (c *Client) MemberChanges(ctx context.Context, q ChangeQuery) (ChangePage, error) {
	if len(q.Fields) == 0 {
		q.Fields = MemberChangeFields
	}
	return c.changes(ctx, "listar/alteracao-associados", q)
}

// ErrWindow: a change window longer than SGA serves, or one that ends before it starts.
var ErrWindow = fmt.Errorf("sga: a change window is 1 to %d days", MaxChangeWindow)

func (c *Client) changes(ctx context.Context, route string, q ChangeQuery) (ChangePage, error) {
	from, to := day(q.From), day(q.To)
	if to.Before(from) || to.Sub(from) >= MaxChangeWindow*24*time.Hour {
		return ChangePage{}, fmt.Errorf("%w: %s to %s", ErrWindow, from.Format("02/01/2006"), to.Format("02/01/2006"))
	}
	body := map[string]any{
		"data_inicial": from.Format("02/01/2006"),
		"data_final":   to.Format("02/01/2006"),
		"campos":       q.Fields,
	}
	raw, err := c.do(ctx, request{method: http.MethodPost, route: route, path: route, body: body, auth: authUser})
	if errors.Is(err, ErrNotFound) {
		return ChangePage{}, nil // 406: nothing changed in the window
	}
	if err != nil {
		return ChangePage{}, err
	}
	return decodeChanges(route, raw)
}

func decodeChanges(route string, body []byte) (ChangePage, error) {
	items, err := splitList(body, "alteracoes")
	if err != nil {
		return ChangePage{}, invalid(route, err)
	}
	var p ChangePage
	p.Changes, p.Bad = decodeList[Change](items, "codigo_alteracao", "codigo_veiculo", "codigo_associado")
	out := p.Changes[:0]
	for _, ch := range p.Changes {
		if ch.Code <= 0 {
			p.Bad = append(p.Bad, RecordError{Key: recordKeyOf(ch), Reason: "no codigo_alteracao"})
			continue
		}
		out = append(out, ch)
	}
	p.Changes = out
	return p, nil
}

func recordKeyOf(ch Change) string {
	if ch.VehicleCode > 0 {
		return fmt.Sprintf("codigo_veiculo=%d", ch.VehicleCode)
	}
	return fmt.Sprintf("codigo_associado=%d", ch.MemberCode)
}
