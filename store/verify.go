package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"ponte/store/norm"
)

// Verify checks the file and ponte's invariants in one read transaction: bbolt's own page
// check, every index entry resolving to its record and every record to its index entries,
// every contract with its service order and back, and contract and order numbers gapless per
// year. It returns every problem found, joined; nil means sound.
func (s *Store) Verify() error {
	var problems []string
	bad := func(format string, args ...any) {
		if len(problems) < 100 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	err := s.view(func(tx txn) error {
		// bbolt checks in a goroutine of its own, where a fault on a damaged page would end the
		// process: every key and value is read here first, where a fault is an error (view).
		_ = readEveryValue(tx.Tx.Cursor())
		for err := range tx.Check() {
			bad("bbolt: %v", err)
		}
		verifyAssociations(tx, bad)
		_ = eachAssociation(tx.Tx, func(t txn) error {
			prefixed := func(format string, args ...any) { bad(t.assoc.Slug+": "+format, args...) }
			verifyClients(t, prefixed)
			verifyVehicles(t, prefixed)
			return nil
		})
		verifyContracts(tx, bad)
		verifyProposals(tx, bad)
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// readEveryValue reads each byte of every key and value under c, nested buckets included: it
// returns their checksum, which the compiler cannot leave out.
func readEveryValue(c *bolt.Cursor) (sum uint32) {
	for k, v := c.First(); k != nil; k, v = c.Next() {
		sum = crc32.Update(crc32.Update(sum, crc32.IEEETable, k), crc32.IEEETable, v)
		if nested := c.Bucket().Bucket(k); v == nil && nested != nil {
			sum ^= readEveryValue(nested.Cursor())
		}
	}
	return sum
}

func verifyClients(tx txn, bad func(string, ...any)) {
	clients := tx.Bucket(bClients)
	cpf, wordIdx := tx.Bucket(bClientCPF), tx.Bucket(bClientWord)
	_ = clients.ForEach(func(k, v []byte) error {
		var c Client
		if err := decodeClient(v, &c); err != nil {
			bad("client %x: %v", k, err)
			return nil
		}
		if c.CPF != "" && cpf.Get(clientWordKey(c.CPF, c.SGACode)) == nil {
			bad("client %d: no CPF index entry", c.SGACode)
		}
		if tx.Bucket(bClientName).Get(clientWordKey(norm.Key(c.Name), c.SGACode)) == nil {
			bad("client %d: no name index entry", c.SGACode)
		}
		for _, w := range words(searchText(c)) {
			if !hasCode(wordIdx.Get([]byte(w)), c.SGACode) {
				bad("client %d: no index entry for word %q", c.SGACode, w)
			}
		}
		return nil
	})
	each := func(idx *bolt.Bucket, name string, check func(key string, c Client) bool) {
		_ = idx.ForEach(func(k, _ []byte) error {
			if len(k) < 9 {
				bad("%s: short key %x", name, k)
				return nil
			}
			var c Client
			found, err := getClient(clients, k[len(k)-8:], &c)
			if !found || err != nil {
				bad("%s %q: no client %d", name, k[:len(k)-9], int64(binary.BigEndian.Uint64(k[len(k)-8:])))
				return nil
			}
			if !check(string(k[:len(k)-9]), c) {
				bad("%s %q: client %d does not match", name, k[:len(k)-9], c.SGACode)
			}
			return nil
		})
	}
	each(tx.Bucket(bClientName), "name list", func(key string, c Client) bool { return key == norm.Key(c.Name) })
	each(cpf, "CPF index", func(key string, c Client) bool { return key == c.CPF })
	_ = wordIdx.ForEach(func(word, list []byte) error {
		if len(list) == 0 || len(list)%codeSize != 0 {
			bad("word index %q: a list of %d bytes", word, len(list))
			return nil
		}
		var prev []byte
		for code := range codes(list) {
			if prev != nil && bytes.Compare(prev, code) >= 0 {
				bad("word index %q: codes out of order at %d", word, int64(binary.BigEndian.Uint64(code)))
			}
			prev = code
			var c Client
			found, err := getClient(clients, code, &c)
			switch {
			case !found || err != nil:
				bad("word index %q: no client %d", word, int64(binary.BigEndian.Uint64(code)))
			case !slices.Contains(words(searchText(c)), string(word)):
				bad("word index %q: client %d does not match", word, c.SGACode)
			}
		}
		return nil
	})
}

func verifyVehicles(tx txn, bad func(string, ...any)) {
	vehicles := tx.Bucket(bVehicles)
	plates, chassis, byClient := tx.Bucket(bVehiclePlate), tx.Bucket(bVehicleChs), tx.Bucket(bVehicleClient)
	_ = vehicles.ForEach(func(k, v []byte) error {
		var ve Vehicle
		if err := decodeVehicle(v, &ve); err != nil {
			bad("vehicle %x: %v", k, err)
			return nil
		}
		if ve.Plate != "" && plates.Get(pairKey([]byte(ve.Plate), ve.SGACode)) == nil {
			bad("vehicle %d: no plate index entry", ve.SGACode)
		}
		if ve.Chassis != "" && chassis.Get(pairKey([]byte(ve.Chassis), ve.SGACode)) == nil {
			bad("vehicle %d: no chassis index entry", ve.SGACode)
		}
		if len(byClient.Get(clientVehicleKey(ve.ClientSGACode, ve.SGACode))) != 8 {
			bad("vehicle %d: no client index entry with its last run", ve.SGACode)
		}
		return nil
	})
	for _, idx := range []struct {
		name  string
		b     *bolt.Bucket
		field func(Vehicle) string
	}{{"plate index", plates, func(v Vehicle) string { return v.Plate }}, {"chassis index", chassis, func(v Vehicle) string { return v.Chassis }}} {
		_ = idx.b.ForEach(func(k, _ []byte) error {
			var v Vehicle
			if len(k) < 9 {
				bad("%s: short key %x", idx.name, k)
				return nil
			}
			if found, err := getVehicle(vehicles, k[len(k)-8:], &v); !found || err != nil || idx.field(v) != string(k[:len(k)-9]) {
				bad("%s %q does not resolve to its vehicle", idx.name, k[:len(k)-9])
			}
			return nil
		})
	}
	_ = byClient.ForEach(func(k, _ []byte) error {
		var v Vehicle
		if found, err := getVehicle(vehicles, k[8:], &v); !found || err != nil || !bytes.Equal(i64(v.ClientSGACode), k[:8]) {
			bad("client index %x does not resolve to its vehicle", k)
		}
		return nil
	})
}

// verifyProposals checks that each pending proposal is its vehicle's one open entry, and that
// each open entry names a pending proposal of that vehicle.
func verifyProposals(tx txn, bad func(string, ...any)) {
	proposals, open := tx.Bucket(bProposals), tx.Bucket(bProposalOpen)
	_ = proposals.ForEach(func(k, v []byte) error {
		var p Proposal
		if err := json.Unmarshal(v, &p); err != nil {
			bad("proposal %x: %v", k, err)
			return nil
		}
		if p.Status == ProposalPending && !bytes.Equal(open.Get(assocKey(p.Association, i64(p.VehicleSGACode))), k) {
			bad("proposal %d is pending but not its vehicle's open proposal", p.ID)
		}
		if tx.Bucket(bContracts).Get([]byte(p.Contract)) == nil {
			bad("proposal %d: no contract %s", p.ID, p.Contract)
		}
		return nil
	})
	_ = open.ForEach(func(k, v []byte) error {
		var p Proposal
		if found, err := getJSON(proposals, v, &p); !found || err != nil || p.Status != ProposalPending ||
			!bytes.Equal(assocKey(p.Association, i64(p.VehicleSGACode)), k) {
			bad("open proposal index %x -> %x does not resolve to a pending proposal", k, v)
		}
		return nil
	})
}

func verifyContracts(tx txn, bad func(string, ...any)) {
	contracts, orders, byVehicle := tx.Bucket(bContracts), tx.Bucket(bOrders), tx.Bucket(bContractVeh)
	perYear := map[string]int{}
	_ = contracts.ForEach(func(k, v []byte) error {
		var c Contract
		if err := json.Unmarshal(v, &c); err != nil {
			bad("contract %s: %v", k, err)
			return nil
		}
		perYear["CT-"+yearOf(c.Number)]++
		var o Order
		if found, err := getJSON(orders, []byte(c.OrderNumber), &o); !found || err != nil || o.ContractNumber != c.Number {
			bad("contract %s lacks its service order %s", c.Number, c.OrderNumber)
		}
		key := assocKey(c.Association, i64(c.VehicleSGACode))
		if string(byVehicle.Get(key)) != c.Number {
			bad("contract %s: vehicle %d's index says %q", c.Number, c.VehicleSGACode, byVehicle.Get(key))
		}
		if at, err := tx.in(c.Association); err != nil {
			bad("contract %s: association %d: %v", c.Number, c.Association, err)
		} else if at.Bucket(bVehicles).Get(i64(c.VehicleSGACode)) == nil {
			bad("contract %s: vehicle %d is not in %s", c.Number, c.VehicleSGACode, at.assoc.Slug)
		}
		return nil
	})
	_ = orders.ForEach(func(k, v []byte) error {
		var o Order
		if err := json.Unmarshal(v, &o); err != nil {
			bad("order %s: %v", k, err)
			return nil
		}
		perYear["OS-"+yearOf(o.Number)]++
		if contracts.Get([]byte(o.ContractNumber)) == nil {
			bad("order %s: no contract %s", o.Number, o.ContractNumber)
		}
		return nil
	})
	_ = byVehicle.ForEach(func(k, v []byte) error {
		var c Contract
		if found, err := getJSON(contracts, v, &c); !found || err != nil || len(k) != 16 ||
			c.Association != binary.BigEndian.Uint64(k) || c.VehicleSGACode != int64(binary.BigEndian.Uint64(k[8:])) {
			bad("vehicle index %x -> %s does not resolve", k, v)
		}
		return nil
	})
	// Gapless: PREFIX-YYYY-000001 up to the counter, each once (keys are unique by construction).
	_ = tx.Bucket(bSequences).ForEach(func(k, v []byte) error {
		if string(k) == string(keyRunSeq) || string(k) == string(keyProposal) {
			return nil
		}
		if n := int(binary.BigEndian.Uint64(v)); perYear[string(k)] != n {
			bad("%s: counter at %d, for %s", k, n, Count(perYear[string(k)], "number", "numbers"))
		}
		delete(perYear, string(k))
		return nil
	})
	for k, n := range perYear {
		bad("%s: %s without a counter", k, Count(n, "number", "numbers"))
	}
}

// verifyAssociations checks the short-name index against the records, and that each has its
// buckets.
func verifyAssociations(tx txn, bad func(string, ...any)) {
	records := tx.Tx.Bucket(bAssociations)
	_ = tx.Tx.Bucket(bAssocSlug).ForEach(func(k, v []byte) error {
		var a Association
		if found, err := getJSON(records, v, &a); !found || err != nil || a.Slug != string(k) {
			bad("association index %s -> %x does not resolve", k, v)
		}
		return nil
	})
	_ = records.ForEach(func(k, v []byte) error {
		var a Association
		if err := json.Unmarshal(v, &a); err != nil {
			bad("association %x: %v", k, err)
			return nil
		}
		if string(tx.Tx.Bucket(bAssocSlug).Get([]byte(a.Slug))) != string(k) {
			bad("association %s: not in the short-name index", a.Slug)
		}
		data := tx.Tx.Bucket(bAssocData).Bucket(k)
		for _, name := range scopedBuckets {
			if data == nil || data.Bucket(name) == nil {
				bad("association %s: no %s bucket", a.Slug, name)
			}
		}
		return nil
	})
}

func yearOf(number string) string {
	parts := strings.Split(number, "-")
	if len(parts) != 3 {
		return "?"
	}
	if _, err := strconv.Atoi(parts[1]); err != nil {
		return "?"
	}
	return parts[1]
}
