package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"

	"ponte/store/norm"
)

// Finding clients: the name list page by page, and the search by name, city, CPF or plate.

// ClientsPage is a page of search results.
type ClientsPage struct {
	Clients []Client
	More    bool
	// Next continues an unfiltered listing with ListClients, when More.
	Next string
	// Total is how many clients the search was over: its association's (every association's
	// it may see, for SearchAll), read with the page.
	Total int
}

// ListClients lists clients in name order after the token a previous page returned (empty:
// from the start), up to limit: the unfiltered list, page by page.
func (s *Store) ListClients(after string, limit int) (ClientsPage, error) {
	if limit <= 0 {
		limit = 50
	}
	from, err := hex.DecodeString(after)
	if err != nil {
		return ClientsPage{}, fmt.Errorf("page token %q: %w", after, ErrInvalid)
	}
	var page ClientsPage
	err = s.view(func(tx txn) error {
		page.Total = tx.Bucket(bClients).Stats().KeyN
		c := tx.Bucket(bClientName).Cursor()
		k, _ := c.First()
		if len(from) > 0 {
			if k, _ = c.Seek(from); k != nil && bytes.Equal(k, from) {
				k, _ = c.Next()
			}
		}
		clients := tx.Bucket(bClients)
		for ; k != nil; k, _ = c.Next() {
			if len(page.Clients) == limit {
				page.More = true
				break
			}
			var cl Client
			found, err := getClient(clients, k[len(k)-8:], &cl)
			if err != nil {
				return err
			}
			if found {
				page.Clients = append(page.Clients, cl)
				page.Next = hex.EncodeToString(k)
			}
		}
		return nil
	})
	return page, err
}

// SearchClients finds clients by name, city, CPF or a vehicle's plate, accent- and
// case-insensitive. A query of digits (with or without the CPF mask) matches CPFs that start
// with them; words match clients whose name or city has words starting with each of them
// ("mar sil" finds MARIA DA SILVA, "belo hor" the clients of BELO HORIZONTE); a query with
// letters and digits, or of three letters, also finds the owners of the plates that start
// with it ("ABC", "ABC1D", "abc-1d23"). An empty query lists clients by name (ListClients
// pages through them). At most limit results, sorted by name; More says whether there were
// others.
func (s *Store) SearchClients(query string, limit int) (ClientsPage, error) {
	if limit <= 0 {
		limit = 50
	}
	folded := norm.Key(query)
	if folded == "" {
		return s.ListClients("", limit)
	}
	digits := norm.Digits(query)
	var page ClientsPage
	err := s.view(func(tx txn) error {
		page.Total = tx.Bucket(bClients).Stats().KeyN
		var codes [][]byte
		seen := map[string]bool{}
		add := func(code []byte) bool {
			if seen[string(code)] {
				return true
			}
			if len(codes) == limit {
				page.More = true
				return false
			}
			seen[string(code)] = true
			codes = append(codes, slices.Clone(code))
			return true
		}
		switch {
		case digits != "" && len(digits) == len(strings.ReplaceAll(folded, " ", "")):
			c := tx.Bucket(bClientCPF).Cursor()
			prefix := []byte(digits)
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				if !add(k[len(k)-8:]) {
					break
				}
			}
		default:
			if plate := norm.Plate(query); looksLikePlate(plate) {
				vehicles := tx.Bucket(bVehicles)
				c := tx.Bucket(bVehiclePlate).Cursor()
				for k, _ := c.Seek([]byte(plate)); k != nil && bytes.HasPrefix(k, []byte(plate)); k, _ = c.Next() {
					var v Vehicle
					found, err := getVehicle(vehicles, k[len(k)-8:], &v)
					if err != nil {
						return err
					}
					if found && !add(i64(v.ClientSGACode)) {
						break
					}
				}
			}
			if err := searchWords(tx, words(folded), add); err != nil {
				return err
			}
		}
		b := tx.Bucket(bClients)
		for _, code := range codes {
			var cl Client
			found, err := getClient(b, code, &cl)
			if err != nil {
				return err
			}
			if found {
				page.Clients = append(page.Clients, cl)
			}
		}
		return nil
	})
	sort.SliceStable(page.Clients, func(i, j int) bool {
		return norm.Key(page.Clients[i].Name) < norm.Key(page.Clients[j].Name)
	})
	return page, err
}

// SearchAll searches like SearchClients in every association the store may see, whichever it
// is seen from: at most limit results by name, each naming its association.
func (s *Store) SearchAll(query string, limit int) (ClientsPage, error) {
	if limit <= 0 {
		limit = 50
	}
	all := *s
	all.assoc = nil
	assocs, err := all.Associations()
	if err != nil {
		return ClientsPage{}, err
	}
	var page ClientsPage
	for _, a := range assocs {
		in := all
		in.assoc = &a
		p, err := in.SearchClients(query, limit)
		if err != nil {
			return ClientsPage{}, fmt.Errorf("%s: %w", a.Slug, err)
		}
		for i := range p.Clients {
			p.Clients[i].Association = a.Slug
		}
		page.Clients = append(page.Clients, p.Clients...)
		page.More = page.More || p.More
		page.Total += p.Total
	}
	sort.SliceStable(page.Clients, func(i, j int) bool {
		return norm.Key(page.Clients[i].Name) < norm.Key(page.Clients[j].Name)
	})
	if len(page.Clients) > limit {
		page.Clients, page.More = page.Clients[:limit], true
	}
	return page, nil
}

// searchWords calls add with the clients that have, for each term, a word starting with it,
// until add returns false. The term whose words list the fewest clients is walked, in word
// order; each other term is checked against its set of clients when that set is small, else
// against the client's own name and city.
func searchWords(tx txn, terms []string, add func(code []byte) bool) error {
	idx := tx.Bucket(bClientWord)
	counts := make([]int, len(terms))
	walk := 0
	for i, t := range terms {
		counts[i] = prefixCount(idx, []byte(t))
		if counts[i] == 0 {
			return nil // no client has a word starting with it
		}
		if counts[i] < counts[walk] {
			walk = i
		}
	}
	var sets [][]uint64 // the other terms' clients, when few
	var wide []string   // the other terms, when many: checked on the client's text
	for i, t := range terms {
		switch {
		case i == walk:
		case counts[i] <= maxTermSet:
			sets = append(sets, prefixCodes(idx, []byte(t)))
		default:
			wide = append(wide, t)
		}
	}
	clients := tx.Bucket(bClients)
	matches := func(code []byte) (bool, error) {
		n := binary.BigEndian.Uint64(code)
		for _, set := range sets {
			if _, ok := slices.BinarySearch(set, n); !ok {
				return false, nil
			}
		}
		if len(wide) == 0 {
			return true, nil
		}
		var c Client
		found, err := getClient(clients, code, &c)
		return found && matchesAll(searchText(c), wide), err
	}
	prefix := []byte(terms[walk])
	c := idx.Cursor()
	for k, list := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, list = c.Next() {
		for code := range codes(list) {
			ok, err := matches(code)
			if err != nil {
				return err
			}
			if ok && !add(code) {
				return nil
			}
		}
	}
	return nil
}

// maxTermSet is how many clients a search term's words may list for the term to be checked
// against their set; a term with more is checked on each candidate's text instead.
const maxTermSet = 8192

// looksLikePlate reports whether a normalized query could be (the start of) a plate: one word
// of at least three characters that is either a plate's first three letters, or has a letter
// and a digit. Every plate, old or Mercosul, starts with three letters, so those alone are
// the most natural start to type.
func looksLikePlate(p string) bool {
	if len(p) < 3 {
		return false
	}
	var letter, digit bool
	for _, r := range p {
		switch {
		case r >= 'A' && r <= 'Z':
			letter = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			return false
		}
	}
	return letter && (digit || len(p) == 3)
}

// matchesAll reports whether every term starts some word of the folded name.
func matchesAll(folded string, terms []string) bool {
	ws := strings.Fields(folded)
	for _, t := range terms {
		ok := false
		for _, w := range ws {
			if strings.HasPrefix(w, t) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
