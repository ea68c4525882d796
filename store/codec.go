package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Clients and vehicles, the records a sync writes by the tens of thousands, are kept in a
// compact binary form instead of JSON: a version byte, then each field in a fixed order,
// integers as varints, strings with their length, times as Unix nanoseconds (0: none). A new
// field goes at the end under a new version; a reader refuses a version it does not know.
// Everything else (settings, runs, contracts, orders, the audit) stays JSON: written a few at
// a time, and read by people in an export.

const recordV1 = 0x01

// errRecord: a stored record that cannot be read (damaged, or from a newer ponte).
var errRecord = errors.New("unreadable record")

type encoder []byte

func (e *encoder) int(n int64)   { *e = binary.AppendVarint(*e, n) }
func (e *encoder) uint(n uint64) { *e = binary.AppendUvarint(*e, n) }
func (e *encoder) str(s string)  { e.uint(uint64(len(s))); *e = append(*e, s...) }
func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.int(0)
		return
	}
	e.int(t.UnixNano())
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errRecord
	}
	d.b = nil
}

func (d *decoder) int() int64 {
	n, size := binary.Varint(d.b)
	if size <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[size:]
	return n
}

func (d *decoder) uint() uint64 {
	n, size := binary.Uvarint(d.b)
	if size <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[size:]
	return n
}

func (d *decoder) str() string {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) time() time.Time {
	n := d.int()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// start checks a record's version byte.
func (d *decoder) start() {
	if v := d.byte(); v != recordV1 && d.err == nil {
		d.err = fmt.Errorf("%w: version %d", errRecord, v)
	}
}

// end reports what went wrong, and a record longer than its fields.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) > 0 {
		return fmt.Errorf("%w: %d bytes past its end", errRecord, len(d.b))
	}
	return d.err
}

const (
	flagForeign = 1 << iota
	flagGone
)

func encodeVehicle(v Vehicle) []byte {
	e := encoder(make([]byte, 0, 160))
	e = append(e, recordV1)
	e.int(v.SGACode)
	e.int(v.ClientSGACode)
	for _, s := range []string{v.Plate, v.Chassis, v.Renavam, v.Brand, v.Model, v.Color} {
		e.str(s)
	}
	e.int(int64(v.YearMade))
	e.int(int64(v.YearModel))
	e.int(int64(v.SituationCode))
	e.str(v.Situation)
	e.uint(uint64(len(v.Products)))
	for _, p := range v.Products {
		e.str(p)
	}
	var flags byte
	if v.Foreign {
		flags |= flagForeign
	}
	if v.Gone {
		flags |= flagGone
	}
	e = append(e, flags)
	e.time(v.FirstSeen)
	e.time(v.UpdatedAt)
	e.time(v.GoneAt)
	e.str(v.GoneSituation)
	e.str(v.PrevSituation)
	e.time(v.SituationChangedAt)
	return e
}

func decodeVehicle(b []byte, v *Vehicle) error {
	d := decoder{b: b}
	d.start()
	*v = Vehicle{SGACode: d.int(), ClientSGACode: d.int(), Plate: d.str(), Chassis: d.str(), Renavam: d.str(),
		Brand: d.str(), Model: d.str(), Color: d.str(), YearMade: int(d.int()), YearModel: int(d.int()),
		SituationCode: int(d.int()), Situation: d.str()}
	n := d.uint()
	if n > uint64(len(d.b)) { // each product takes a byte at least
		d.fail()
		n = 0
	}
	if n > 0 {
		v.Products = make([]string, n)
		for i := range v.Products {
			v.Products[i] = d.str()
		}
	}
	flags := d.byte()
	v.Foreign, v.Gone = flags&flagForeign != 0, flags&flagGone != 0
	v.FirstSeen, v.UpdatedAt, v.GoneAt = d.time(), d.time(), d.time()
	v.GoneSituation, v.PrevSituation, v.SituationChangedAt = d.str(), d.str(), d.time()
	return d.end()
}

func encodeClient(c Client) []byte {
	e := encoder(make([]byte, 0, 128))
	e = append(e, recordV1)
	e.int(c.SGACode)
	for _, s := range []string{c.CPF, c.Name, c.Email, c.Phone, c.City, c.State, c.Situation} {
		e.str(s)
	}
	e.time(c.FirstSeen)
	e.time(c.UpdatedAt)
	return e
}

func decodeClient(b []byte, c *Client) error {
	d := decoder{b: b}
	d.start()
	*c = Client{SGACode: d.int(), CPF: d.str(), Name: d.str(), Email: d.str(), Phone: d.str(), City: d.str(),
		State: d.str(), Situation: d.str(), FirstSeen: d.time(), UpdatedAt: d.time()}
	return d.end()
}

// getRecord reads a stored record with its decoder; found is false when there is none.
func getRecord[T any](b *bolt.Bucket, key []byte, v *T, decode func([]byte, *T) error, what string) (found bool, err error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := decode(data, v); err != nil {
		return true, fmt.Errorf("%s %x: %w", what, key, err)
	}
	return true, nil
}

func getVehicle(b *bolt.Bucket, key []byte, v *Vehicle) (bool, error) {
	return getRecord(b, key, v, decodeVehicle, "vehicle")
}

func getClient(b *bolt.Bucket, key []byte, c *Client) (bool, error) {
	return getRecord(b, key, c, decodeClient, "client")
}

func putVehicle(b *bolt.Bucket, key []byte, v Vehicle) error { return b.Put(key, encodeVehicle(v)) }

func putClient(b *bolt.Bucket, key []byte, c Client) error { return b.Put(key, encodeClient(c)) }

// recodeRecords is migration 6: every association's clients and vehicles from JSON to the
// compact encoding.
func recodeRecords(tx *bolt.Tx) error {
	return eachDataBucket(tx, func(id []byte, b *bolt.Bucket) error {
		if err := recode(b.Bucket(bClients), func(v []byte) ([]byte, error) {
			var c Client
			err := json.Unmarshal(v, &c)
			return encodeClient(c), err
		}); err != nil {
			return fmt.Errorf("association %x: clients: %w", id, err)
		}
		if err := recode(b.Bucket(bVehicles), func(v []byte) ([]byte, error) {
			var ve Vehicle
			err := json.Unmarshal(v, &ve)
			return encodeVehicle(ve), err
		}); err != nil {
			return fmt.Errorf("association %x: vehicles: %w", id, err)
		}
		return nil
	})
}

// recode rewrites each JSON record of a bucket with conv.
func recode(b *bolt.Bucket, conv func([]byte) ([]byte, error)) error {
	if b == nil {
		return nil
	}
	type rec struct{ k, v []byte }
	var all []rec
	err := b.ForEach(func(k, v []byte) error {
		if len(v) == 0 || v[0] != '{' {
			return nil // already recoded
		}
		out, err := conv(v)
		if err != nil {
			return fmt.Errorf("%x: %w", k, err)
		}
		all = append(all, rec{slices.Clone(k), out})
		return nil
	})
	if err != nil {
		return err
	}
	b.FillPercent = 0.95
	for _, r := range all {
		if err := b.Put(r.k, r.v); err != nil {
			return err
		}
	}
	return nil
}
