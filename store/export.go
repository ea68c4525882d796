package store

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"ponte/store/safefile"
)

// Backup writes a consistent copy of the database to w from one read transaction: it does not
// stop readers or writers. The copy holds every association, so a store limited to an
// operator (As) refuses it.
func (s *Store) Backup(w io.Writer) (int64, error) {
	if !s.supervisor() {
		return 0, fmt.Errorf("a backup holds every association: it is for supervisors: %w", ErrForbidden)
	}
	var n int64
	err := s.view(func(tx txn) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// ErrProtected: a backup was asked to write over a file ponte needs (the database, its key).
var ErrProtected = errors.New("ponte needs that file")

// BackupFile writes a consistent copy of the database to path, mode 0600, made and synced
// under a temporary name and only then put in place (see safefile.Write), so that a failed
// backup leaves nothing under the final name. It never writes over the database, its key or
// any file named in protect (the SSH host key, say); over another existing regular file only
// when replace; over a link, a directory or a device never.
func (s *Store) BackupFile(path string, replace bool, protect ...string) (int64, error) {
	what := map[string]string{s.path: "the database itself", KeyPath(s.path): "the database's key"}
	for _, p := range append([]string{s.path, KeyPath(s.path)}, protect...) {
		if samePath(path, p) {
			name, ok := what[p]
			if !ok {
				name = p
			}
			return 0, fmt.Errorf("backup to %s refused, that is %s: %w", path, name, ErrProtected)
		}
	}
	var n int64
	err := safefile.Write(path, safefile.Options{Replace: replace}, func(w io.Writer) error {
		var err error
		n, err = s.Backup(w)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// samePath reports whether a and b name one file: the same path once made absolute, or, when
// both exist, the same file through any link.
func samePath(a, b string) bool {
	if safefile.Same(a, b) {
		return true
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// ExportKinds are what Export can write.
var ExportKinds = []string{"clients", "vehicles", "contracts", "orders", "proposals", "runs", "audit"}

// Export writes every record of a kind, as JSON lines or CSV (with a header), with stable
// snake_case field names, from one read transaction.
func (s *Store) Export(kind, format string, w io.Writer) (int, error) {
	cols, ok := exportColumns[kind]
	if !ok {
		return 0, fmt.Errorf("unknown kind %q (want one of %v): %w", kind, ExportKinds, ErrInvalid)
	}
	if format != "json" && format != "csv" {
		return 0, fmt.Errorf("unknown format %q (want json or csv): %w", format, ErrInvalid)
	}
	var cw *csv.Writer
	var line bytes.Buffer // a JSON line, escaped by JSONText before it is written
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	if format == "csv" {
		cw = csv.NewWriter(w)
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.name
		}
		if err := cw.Write(names); err != nil {
			return 0, err
		}
	}
	n := 0
	var rec []string
	emit := func(row exportRow) error {
		n++
		if cw == nil {
			line.Reset()
			if err := enc.Encode(row); err != nil {
				return err
			}
			_, err := w.Write(JSONText(line.Bytes()))
			return err
		}
		m := row.fields()
		rec = rec[:0]
		for _, c := range cols {
			rec = append(rec, csvValue(m[c.name]))
		}
		return cw.Write(rec)
	}
	err := s.view(func(tx txn) error {
		slugs, err := slugsByID(tx)
		if err != nil {
			return err
		}
		var (
			vr vehicleRow // reused: a row is written before the next is read
			cr clientRow
		)
		each := func(tx txn) error {
			return tx.Bucket(exportBucket[kind]).ForEach(func(k, v []byte) error {
				var row exportRow
				var id uint64
				switch kind {
				case "vehicles":
					if err := vr.read(tx, k, v); err != nil {
						return err
					}
					row, id = &vr, tx.assocID()
				case "clients":
					if err := cr.read(v); err != nil {
						return err
					}
					row, id = &cr, tx.assocID()
				default:
					m, err := exportMap(kind, tx, v)
					if err != nil || m == nil {
						return err
					}
					id, _ = m["association"].(uint64)
					row = m
				}
				if !s.shows(id) {
					return nil
				}
				row.setAssociation(slugs[id])
				return emit(row)
			})
		}
		if !scoped(exportBucket[kind]) || tx.data != nil {
			return each(tx)
		}
		return eachAssociation(tx.Tx, func(t txn) error {
			if !s.sees(t.assoc.ID) {
				return nil
			}
			return each(t)
		})
	})
	if cw != nil {
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
	}
	return n, err
}

type column struct{ name string }

func cols(names ...string) []column {
	out := make([]column, len(names))
	for i, n := range names {
		out[i] = column{n}
	}
	return out
}

// Every kind's first column is the association a record belongs to, by its short name.
var exportColumns = map[string][]column{
	"clients":  cols("association", "sga_code", "cpf", "name", "situation", "email", "phone", "city", "state", "first_seen", "updated_at"),
	"vehicles": cols("association", "sga_code", "client_sga_code", "plate", "chassis", "model", "brand", "year_model", "situation", "gone", "contract_number", "updated_at"),
	"contracts": cols("association", "number", "client_sga_code", "vehicle_sga_code", "plate", "order_number", "created_at", "created_by",
		"status", "delinquent", "orders"),
	"orders": cols("association", "number", "contract_number", "vehicle_sga_code", "client_sga_code", "plate", "kind", "status",
		"created_at", "created_by", "motive", "cause", "proposal", "visit_at", "technician", "attempts", "cancel_reason", "history"),
	"proposals": cols("association", "id", "kind", "status", "vehicle_sga_code", "client_sga_code", "plate", "contract",
		"motive", "field", "before", "after", "changed_at", "changed_by", "detected_at", "run", "decided_at", "decided_by", "note", "order"),
	"runs": cols("association", "id", "kind", "source", "status", "started_by", "started_at", "finished_at", "clients", "vehicles",
		"errors", "requests", "proposals", "reason", "note"),
	"audit": cols("association", "id", "at", "who", "from", "action", "details"),
}

var exportBucket = map[string][]byte{"clients": bClients, "vehicles": bVehicles, "contracts": bContracts,
	"orders": bOrders, "proposals": bProposals, "runs": bRuns, "audit": bAudit}

// orNil is a time for an export row: nil (empty, null) when zero.
func orNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// slugsByID maps every association's ID to its short name.
func slugsByID(tx txn) (map[uint64]string, error) {
	out := map[uint64]string{}
	err := tx.Tx.Bucket(bAssocSlug).ForEach(func(k, v []byte) error {
		out[binary.BigEndian.Uint64(v)] = string(k)
		return nil
	})
	return out, err
}

// exportRow is one record as written: a map for most kinds; for the big ones (clients,
// vehicles) a struct, cheaper to encode, whose JSON fields are in the map's (sorted) order, so
// both write the same bytes.
type exportRow interface {
	setAssociation(slug string)
	fields() map[string]any // by column name, for CSV
}

type rowMap map[string]any

func (m rowMap) setAssociation(slug string) { m["association"] = slug }
func (m rowMap) fields() map[string]any     { return m }

type vehicleRow struct {
	Association    string    `json:"association"`
	Brand          string    `json:"brand"`
	Chassis        string    `json:"chassis"`
	ClientSGACode  int64     `json:"client_sga_code"`
	ContractNumber string    `json:"contract_number"`
	Gone           bool      `json:"gone"`
	Model          string    `json:"model"`
	Plate          string    `json:"plate"`
	SGACode        int64     `json:"sga_code"`
	Situation      string    `json:"situation"`
	UpdatedAt      time.Time `json:"updated_at"`
	YearModel      int       `json:"year_model"`
}

func (r *vehicleRow) read(tx txn, k, v []byte) error {
	var ve Vehicle
	if err := decodeVehicle(v, &ve); err != nil {
		return err
	}
	*r = vehicleRow{Brand: ve.Brand, Chassis: ve.Chassis, ClientSGACode: ve.ClientSGACode,
		ContractNumber: string(tx.Bucket(bContractVeh).Get(assocKey(tx.assocID(), k))), Gone: ve.Gone, Model: ve.Model,
		Plate: ve.Plate, SGACode: ve.SGACode, Situation: ve.Situation, UpdatedAt: ve.UpdatedAt, YearModel: ve.YearModel}
	return nil
}

func (r *vehicleRow) setAssociation(slug string) { r.Association = slug }

func (r *vehicleRow) fields() map[string]any {
	return map[string]any{"association": r.Association, "sga_code": r.SGACode, "client_sga_code": r.ClientSGACode,
		"plate": r.Plate, "chassis": r.Chassis, "model": r.Model, "brand": r.Brand, "year_model": r.YearModel,
		"situation": r.Situation, "gone": r.Gone, "contract_number": r.ContractNumber, "updated_at": r.UpdatedAt}
}

type clientRow struct {
	Association string    `json:"association"`
	City        string    `json:"city"`
	CPF         string    `json:"cpf"`
	Email       string    `json:"email"`
	FirstSeen   time.Time `json:"first_seen"`
	Name        string    `json:"name"`
	Phone       string    `json:"phone"`
	SGACode     int64     `json:"sga_code"`
	Situation   string    `json:"situation"`
	State       string    `json:"state"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func (r *clientRow) read(v []byte) error {
	var c Client
	if err := decodeClient(v, &c); err != nil {
		return err
	}
	*r = clientRow{CPF: c.CPF, City: c.City, Email: c.Email, FirstSeen: c.FirstSeen, Name: c.Name, Phone: c.Phone,
		SGACode: c.SGACode, Situation: c.Situation, State: c.State, UpdatedAt: c.UpdatedAt}
	return nil
}

func (r *clientRow) setAssociation(slug string) { r.Association = slug }

func (r *clientRow) fields() map[string]any {
	return map[string]any{"association": r.Association, "sga_code": r.SGACode, "cpf": r.CPF, "name": r.Name,
		"situation": r.Situation, "email": r.Email, "phone": r.Phone, "city": r.City, "state": r.State,
		"first_seen": r.FirstSeen, "updated_at": r.UpdatedAt}
}

// exportMap is a record of the smaller kinds as a row by column name; nil to leave it out.
func exportMap(kind string, tx txn, v []byte) (rowMap, error) {
	var row rowMap
	switch kind {
	case "audit":
		var e AuditEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, err
		}
		row = map[string]any{"id": e.ID, "at": e.At, "who": e.Who, "from": e.From, "action": e.Action,
			"details": e.Details, "association": e.AssociationID}
	case "runs":
		var r Run
		if err := json.Unmarshal(v, &r); err != nil {
			return nil, err
		}
		var finished any
		if !r.FinishedAt.IsZero() {
			finished = r.FinishedAt
		}
		row = map[string]any{"id": r.ID, "kind": r.Kind, "source": r.Source, "status": r.Status,
			"started_by": r.StartedBy, "started_at": r.StartedAt, "finished_at": finished,
			"clients": r.Counts.Clients(), "vehicles": r.Counts.Vehicles(), "errors": r.ErrorCount, "reason": r.Reason,
			"requests": r.Counts.Requests, "proposals": r.Counts.Proposals, "note": r.Note, "association": tx.assocID()}
	case "orders":
		var o Order
		if err := json.Unmarshal(v, &o); err != nil {
			return nil, err
		}
		row = map[string]any{"association": o.Association, "number": o.Number, "contract_number": o.ContractNumber,
			"vehicle_sga_code": o.VehicleSGACode, "client_sga_code": o.ClientSGACode, "plate": o.Plate, "kind": o.Kind,
			"status": o.Status, "created_at": o.CreatedAt, "created_by": o.CreatedBy, "history": o.Life(),
			"attempts": o.Attempts, "cancel_reason": o.CancelReason, "proposal": o.Proposal}
		if o.Attempts == nil {
			row["attempts"] = []ContactAttempt{}
		}
		if o.Cause != nil {
			row["motive"], row["cause"] = o.Cause.Motive, o.Cause
		}
		if o.Visit != nil {
			row["visit_at"], row["technician"] = o.Visit.At, o.Visit.Technician
		}
	case "proposals":
		var p Proposal
		if err := json.Unmarshal(v, &p); err != nil {
			return nil, err
		}
		row = map[string]any{"association": p.Association, "id": p.ID, "kind": p.Kind, "status": p.Status,
			"vehicle_sga_code": p.VehicleSGACode, "client_sga_code": p.ClientSGACode, "plate": p.Plate, "contract": p.Contract,
			"motive": p.Cause.Motive, "field": p.Cause.Field, "before": p.Cause.Before, "after": p.Cause.After,
			"changed_at": orNil(p.Cause.ChangedAt), "changed_by": p.Cause.ChangedBy, "detected_at": p.DetectedAt, "run": p.Run,
			"decided_at": orNil(p.DecidedAt), "decided_by": p.DecidedBy, "note": p.Note, "order": p.Order}
	default:
		if err := json.Unmarshal(v, &row); err != nil {
			return nil, err
		}
		keep := map[string]any{}
		for _, c := range exportColumns[kind] {
			keep[c.name] = row[c.name]
		}
		row = keep
		if kind == "contracts" {
			if row["status"] == nil {
				row["status"] = ContractActive
			}
			if row["delinquent"] == nil {
				row["delinquent"] = false
			}
			if row["orders"] == nil {
				row["orders"] = []any{}
			}
		}
		if id, ok := row["association"].(float64); ok { // contracts name theirs by ID
			row["association"] = uint64(id)
		}
	}
	return row, nil
}

// csvText is a text cell as CSV writes it for a spreadsheet or a terminal: one a spreadsheet
// would take as a formula (it starts with =, +, -, @, a tab or a carriage return, OWASP's list)
// starts with a single quote, which makes it text; one holding what a terminal would obey is
// shown by Printable.
func csvText(s string) string {
	s = Printable(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func csvValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return csvText(x)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool, int, int64, uint64:
		return fmt.Sprint(x)
	default: // lists and objects (an order's history, a contract's orders): as JSON in the cell
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(JSONText(b))
	}
}
