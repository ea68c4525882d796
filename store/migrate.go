package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"ponte/store/norm"
)

// migrateToAssociations takes a database from schema 4 to 5. Its one SGA becomes its first
// association, named from its integration's Usuário (or "principal"); the buckets that are an
// association's own move under it; contracts and orders name it; the contract index is keyed
// by (association, vehicle); run IDs go on as the company's sequence; every administrator,
// having seen everything so far, becomes a supervisor.
func migrateToAssociations(tx *bolt.Tx) error {
	for _, name := range [][]byte{bAssociations, bAssocSlug, bAssocData} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	a := Association{Slug: principalSlug, Name: "Principal", CreatedAt: time.Now().UTC(), CreatedBy: "ponte"}
	var rec integrationRecord
	if _, err := getJSON(tx.Bucket(bSettings), keyIntegration, &rec); err != nil {
		return err
	}
	if slug := Slugify(rec.User); slugPattern.MatchString(slug) && !norm.AllDigits(slug) {
		a.Slug, a.Name = slug, rec.User
	}
	a, err := createAssociation(tx, a)
	if err != nil {
		return err
	}
	data := tx.Bucket(bAssocData).Bucket(u64(a.ID))
	for _, name := range scopedBuckets {
		old, dst := tx.Bucket(name), data.Bucket(name)
		dst.FillPercent = 0.95 // the keys arrive in order
		if err := old.ForEach(func(k, v []byte) error {
			return dst.Put(bytes.Clone(k), bytes.Clone(v))
		}); err != nil {
			return fmt.Errorf("move %s: %w", name, err)
		}
		if string(name) == string(bRuns) {
			if err := tx.Bucket(bSequences).Put(keyRunSeq, u64(old.Sequence())); err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
	}
	for _, name := range [][]byte{bContracts, bOrders} {
		if err := rewrite(tx.Bucket(name), func(m map[string]json.RawMessage) {
			m["association"] = json.RawMessage(fmt.Sprint(a.ID))
		}); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := rewrite(tx.Bucket(bAdmins), func(m map[string]json.RawMessage) {
		m["role"] = json.RawMessage(`"` + RoleSupervisor + `"`)
	}); err != nil {
		return fmt.Errorf("admins: %w", err)
	}
	var pairs [][2][]byte
	_ = tx.Bucket(bContractVeh).ForEach(func(k, v []byte) error {
		pairs = append(pairs, [2][]byte{assocKey(a.ID, k), bytes.Clone(v)})
		return nil
	})
	if err := tx.DeleteBucket(bContractVeh); err != nil {
		return err
	}
	idx, err := tx.CreateBucket(bContractVeh)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		if err := idx.Put(p[0], p[1]); err != nil {
			return err
		}
	}
	return nil
}

// rewrite changes every JSON record of a bucket in place, keeping the fields it does not know.
func rewrite(b *bolt.Bucket, change func(map[string]json.RawMessage)) error {
	var keys, values [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(v, &m); err != nil {
			return fmt.Errorf("record %x: %w", k, err)
		}
		change(m)
		out, err := json.Marshal(m)
		if err != nil {
			return err
		}
		keys, values = append(keys, bytes.Clone(k)), append(values, out)
		return nil
	})
	if err != nil {
		return err
	}
	for i := range keys {
		if err := b.Put(keys[i], values[i]); err != nil {
			return err
		}
	}
	return nil
}

// assocKey prefixes a key with an association's ID.
func assocKey(id uint64, k []byte) []byte {
	return append(u64(id), k...)
}
