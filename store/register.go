package store

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"time"

	"ponte/store/norm"
)

// Client is an SGA associado that has at least one vehicle with our product. Key: SGA code.
type Client struct {
	SGACode   int64     `json:"sga_code"`
	CPF       string    `json:"cpf"` // 11 digits
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	City      string    `json:"city,omitempty"`
	State     string    `json:"state,omitempty"`
	Situation string    `json:"situation"` // SGA's description, e.g. "ATIVO"
	FirstSeen time.Time `json:"first_seen"`
	UpdatedAt time.Time `json:"updated_at"`
	// Association is the short name of the client's association, set by SearchAll only.
	Association string `json:"-"`
}

// Vehicle is a vehicle from SGA. Key: SGA code (a 0 km vehicle may have no plate). A vehicle is
// never deleted: leaving SGA's list sets Gone, a change of situação keeps what it was.
type Vehicle struct {
	SGACode       int64    `json:"sga_code"`
	ClientSGACode int64    `json:"client_sga_code"`
	Plate         string   `json:"plate,omitempty"`
	Chassis       string   `json:"chassis,omitempty"`
	Renavam       string   `json:"renavam,omitempty"`
	Brand         string   `json:"brand,omitempty"`
	Model         string   `json:"model,omitempty"`
	Color         string   `json:"color,omitempty"`
	YearMade      int      `json:"year_made,omitempty"`
	YearModel     int      `json:"year_model,omitempty"`
	SituationCode int      `json:"situation_code,omitempty"`
	Situation     string   `json:"situation"`
	Products      []string `json:"products,omitempty"`
	// Foreign: SGA has the vehicle without our product. A client's own sync brings it, so the
	// client's vehicles are complete; it cannot be imported, and a full sync (which sees only
	// ours) never marks it gone.
	Foreign bool `json:"foreign,omitempty"`

	FirstSeen          time.Time `json:"first_seen"`
	UpdatedAt          time.Time `json:"updated_at"`
	Gone               bool      `json:"gone,omitempty"`   // no longer in SGA's list
	GoneAt             time.Time `json:"gone_at,omitzero"` // when it was found missing
	GoneSituation      string    `json:"gone_situation,omitempty"`
	PrevSituation      string    `json:"prev_situation,omitempty"` // before the last change
	SituationChangedAt time.Time `json:"situation_changed_at,omitzero"`
}

// sameContent reports whether two versions carry the same SGA data.
func (v Vehicle) sameContent(o Vehicle) bool {
	return v.ClientSGACode == o.ClientSGACode && v.Plate == o.Plate && v.Chassis == o.Chassis &&
		v.Renavam == o.Renavam && v.Brand == o.Brand && v.Model == o.Model && v.Color == o.Color &&
		v.YearMade == o.YearMade && v.YearModel == o.YearModel && v.SituationCode == o.SituationCode &&
		v.Situation == o.Situation && slices.Equal(v.Products, o.Products) && v.Foreign == o.Foreign
}

func (c Client) sameContent(o Client) bool {
	return c.CPF == o.CPF && c.Name == o.Name && c.Email == o.Email && c.Phone == o.Phone &&
		c.City == o.City && c.State == o.State && c.Situation == o.Situation
}

// Batch is what the sync engine writes in one transaction: records, the run's errors, and the
// checkpoint that says this batch is done. Either all of it is written or none.
type Batch struct {
	RunID      uint64 // 0: no run to account to
	Clients    []Client
	Vehicles   []Vehicle
	Errors     []RunError
	Checkpoint *Checkpoint
	// Counted are the clients an earlier batch of the same run already counted: written again
	// (a later vehicle may change them) but not counted twice in the run's totals.
	Counted map[int64]bool
	// PagesDone, when positive, is how many pages the run has read so far.
	PagesDone int
	// Changes are what SGA's change feed said of the batch's vehicles whose situação changed:
	// a proposal made from the change names who made it in SGA, and when.
	Changes map[int64]SGAChange
	// Feed, when set, is written with the batch: where the change feed was read up to.
	Feed *FeedState
	// Seen are vehicles the run saw in SGA's list but refused (a field CheckVehicle or
	// CheckClient refuses): each one stored stays as it was, and counts as seen by the run,
	// so that a damaged record is not taken for a vehicle that left.
	Seen []int64
	// NewestChange is SGA's time of the newest change-feed change the batch applies (zero:
	// none); the association's Freshness keeps the newest ever written.
	NewestChange time.Time
}

// Applied notes that the batch applies a change-feed change SGA made at at.
func (b *Batch) Applied(at time.Time) {
	if at.After(b.NewestChange) {
		b.NewestChange = at
	}
}

// BatchResult counts what a batch changed.
type BatchResult struct {
	ClientsCreated, ClientsUpdated, ClientsUnchanged                       int
	VehiclesCreated, VehiclesUpdated, VehiclesUnchanged, SituationsChanged int
	Proposals                                                              int // made by the batch
}

// Apply upserts a batch: records keyed by SGA code, their indexes, the run's counts and errors
// and the checkpoint, in one transaction. Applying the same batch twice changes nothing more.
func (s *Store) Apply(b Batch) (BatchResult, error) {
	if err := b.check(); err != nil {
		return BatchResult{}, err
	}
	now := s.now().UTC()
	var res BatchResult
	err := s.update(func(tx txn) error {
		res = BatchResult{}
		tx.pending = s.indexBuffer() // the batch's index entries, written in key order at the end
		defer s.reuse(tx.pending)
		rx, err := newReactor(tx, b.Changes, b.RunID, now)
		if err != nil {
			return err
		}
		for _, v := range b.Vehicles {
			if err := upsertVehicle(tx, rx, v, b.RunID, now, &res); err != nil {
				return err
			}
		}
		for _, code := range b.Seen {
			if err := markSeen(tx, code, b.RunID); err != nil {
				return err
			}
		}
		// The vehicles' index entries go first: a client's situação is read from them.
		if err := tx.flush(); err != nil {
			return err
		}
		tx.pending = s.indexBuffer()
		defer s.reuse(tx.pending)
		for _, c := range b.Clients {
			count := &res
			if b.Counted[c.SGACode] {
				count = &BatchResult{}
			}
			if !rx.rules.Active(c.Situation) {
				sit, err := clientSituation(tx, rx.rules, c)
				if err != nil {
					return err
				}
				c.Situation = sit
			}
			if err := upsertClient(tx, c, now, count); err != nil {
				return err
			}
		}
		res.Proposals = rx.made
		if err := tx.flush(); err != nil {
			return err
		}
		if b.RunID != 0 {
			if err := updateRun(tx, b.RunID, now, func(r *Run) {
				r.Counts.add(res)
				r.addErrors(b.Errors)
				if b.PagesDone > 0 {
					r.Counts.PagesDone = b.PagesDone
				}
			}); err != nil {
				return err
			}
		}
		if b.Feed != nil {
			if err := putJSON(tx.Bucket(bSync), keyFeed, b.Feed); err != nil {
				return err
			}
		}
		if err := noteNewestChange(tx, b.NewestChange); err != nil {
			return err
		}
		if b.Checkpoint != nil {
			return putJSON(tx.Bucket(bSync), keyCheckpoint, b.Checkpoint)
		}
		return nil
	})
	return res, err
}

// clientSituation is a client's situação from its vehicles of ours that SGA still lists (the
// batch's written first): that of the first one the association's rules take as active, else
// that of the newest one. A client with none keeps what it was given.
func clientSituation(tx txn, rules Rules, c Client) (string, error) {
	cur := tx.Bucket(bVehicleClient).Cursor()
	prefix := i64(c.SGACode)
	newest := ""
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		var v Vehicle
		found, err := getVehicle(tx.Bucket(bVehicles), k[8:], &v)
		switch {
		case err != nil:
			return "", err
		case !found || v.Foreign || v.Gone:
			continue
		case rules.Active(v.Situation):
			return v.Situation, nil
		}
		newest = v.Situation
	}
	if newest == "" {
		return c.Situation, nil
	}
	return newest, nil
}

func upsertClient(tx txn, c Client, now time.Time, res *BatchResult) error {
	c.CPF, c.Phone = norm.Digits(c.CPF), norm.Digits(c.Phone) // "(31) 98888-0000" and "31" + "98888-0000" alike
	c.Name = strings.TrimSpace(c.Name)
	b := tx.Bucket(bClients)
	key := i64(c.SGACode)
	var old Client
	found, err := getClient(b, key, &old)
	if err != nil {
		return err
	}
	switch {
	case !found:
		c.FirstSeen, c.UpdatedAt = now, now
		res.ClientsCreated++
	case old.sameContent(c):
		res.ClientsUnchanged++
		return nil
	default:
		c.FirstSeen, c.UpdatedAt = old.FirstSeen, now
		res.ClientsUpdated++
		if err := putClient(b, key, c); err != nil {
			return err
		}
		return reindexClient(tx, old, c)
	}
	if err := putClient(b, key, c); err != nil {
		return err
	}
	return indexClient(tx, c)
}

// reindexClient moves a changed client's index entries, only those whose key or value
// changed: most updates (a situação, an e-mail, a phone) touch none.
func reindexClient(tx txn, old, c Client) error {
	if old.CPF != c.CPF {
		if old.CPF != "" {
			if err := tx.del(bClientCPF, clientWordKey(old.CPF, old.SGACode)); err != nil {
				return err
			}
		}
		if c.CPF != "" {
			if err := tx.put(bClientCPF, clientWordKey(c.CPF, c.SGACode), nil); err != nil {
				return err
			}
		}
	}
	if before, after := norm.Key(old.Name), norm.Key(c.Name); before != after {
		if err := tx.del(bClientName, clientWordKey(before, old.SGACode)); err != nil {
			return err
		}
		if err := tx.put(bClientName, clientWordKey(after, c.SGACode), nil); err != nil {
			return err
		}
	}
	before, after := words(searchText(old)), words(searchText(c))
	for _, w := range before {
		if !slices.Contains(after, w) {
			if err := tx.delWord(w, old.SGACode); err != nil {
				return err
			}
		}
	}
	for _, w := range after {
		if !slices.Contains(before, w) {
			if err := tx.addWord(w, c.SGACode); err != nil {
				return err
			}
		}
	}
	return nil
}

// Index keys are built in one allocation each: tens of thousands of them make a batch.

func clientWordKey(word string, code int64) []byte {
	k := make([]byte, 0, len(word)+9)
	k = append(append(k, word...), 0)
	return binary.BigEndian.AppendUint64(k, uint64(code))
}

func indexClient(tx txn, c Client) error {
	folded := norm.Key(c.Name)
	if c.CPF != "" {
		if err := tx.put(bClientCPF, clientWordKey(c.CPF, c.SGACode), nil); err != nil {
			return err
		}
	}
	if err := tx.put(bClientName, clientWordKey(folded, c.SGACode), nil); err != nil {
		return err
	}
	return indexClientWords(tx, c)
}

// searchText is what the word index knows of a client: its name and its city, folded.
func searchText(c Client) string { return norm.Key(c.Name + " " + c.City) }

func indexClientWords(tx txn, c Client) error {
	for _, w := range words(searchText(c)) {
		if err := tx.addWord(w, c.SGACode); err != nil {
			return err
		}
	}
	return nil
}

func upsertVehicle(tx txn, rx *reactor, v Vehicle, run uint64, now time.Time, res *BatchResult) error {
	v.Plate = norm.Plate(v.Plate)
	v.Chassis = strings.ToUpper(strings.TrimSpace(v.Chassis))
	b := tx.Bucket(bVehicles)
	key := i64(v.SGACode)
	var old Vehicle
	found, err := getVehicle(b, key, &old)
	if err != nil {
		return err
	}
	if !found {
		v.FirstSeen, v.UpdatedAt = now, now
		res.VehiclesCreated++
		if err := putVehicle(b, key, v); err != nil {
			return err
		}
		return indexVehicle(tx, v, run)
	}
	// The run that saw it lives in its client index entry: an unchanged vehicle costs 8 bytes.
	if old.ClientSGACode == v.ClientSGACode {
		if err := tx.put(bVehicleClient, clientVehicleKey(v.ClientSGACode, v.SGACode), u64(run)); err != nil {
			return err
		}
	}
	v.FirstSeen = old.FirstSeen
	v.PrevSituation, v.SituationChangedAt = old.PrevSituation, old.SituationChangedAt
	switch {
	case old.sameContent(v) && !old.Gone:
		res.VehiclesUnchanged++
		return nil
	default:
		v.UpdatedAt = now
		res.VehiclesUpdated++
		if old.Situation != v.Situation || old.Gone {
			v.PrevSituation, v.SituationChangedAt = old.Situation, now
			if old.Gone {
				v.PrevSituation = "FORA DA LISTA"
			}
			res.SituationsChanged++
			if err := rx.react(tx, old, v); err != nil {
				return err
			}
		}
	}
	if err := putVehicle(b, key, v); err != nil {
		return err
	}
	if old.Plate == v.Plate && old.Chassis == v.Chassis && old.ClientSGACode == v.ClientSGACode {
		return nil
	}
	if err := unindexVehicle(tx, old); err != nil {
		return err
	}
	return indexVehicle(tx, v, run)
}

func pairKey(a []byte, code int64) []byte {
	k := make([]byte, 0, len(a)+9)
	k = append(append(k, a...), 0)
	return binary.BigEndian.AppendUint64(k, uint64(code))
}

func clientVehicleKey(client, vehicle int64) []byte {
	k := make([]byte, 0, 16)
	k = binary.BigEndian.AppendUint64(k, uint64(client))
	return binary.BigEndian.AppendUint64(k, uint64(vehicle))
}

func indexVehicle(tx txn, v Vehicle, run uint64) error {
	if v.Plate != "" {
		if err := tx.put(bVehiclePlate, pairKey([]byte(v.Plate), v.SGACode), nil); err != nil {
			return err
		}
	}
	if v.Chassis != "" {
		if err := tx.put(bVehicleChs, pairKey([]byte(v.Chassis), v.SGACode), nil); err != nil {
			return err
		}
	}
	return tx.put(bVehicleClient, clientVehicleKey(v.ClientSGACode, v.SGACode), u64(run))
}

func unindexVehicle(tx txn, v Vehicle) error {
	if v.Plate != "" {
		if err := tx.del(bVehiclePlate, pairKey([]byte(v.Plate), v.SGACode)); err != nil {
			return err
		}
	}
	if v.Chassis != "" {
		if err := tx.del(bVehicleChs, pairKey([]byte(v.Chassis), v.SGACode)); err != nil {
			return err
		}
	}
	return tx.del(bVehicleClient, clientVehicleKey(v.ClientSGACode, v.SGACode))
}
