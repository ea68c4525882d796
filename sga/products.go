package sga

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"ponte/store/norm"
)

// Product is a product linked to a vehicle: our tracker, roadside assistance and so on.
type Product struct {
	Code  string
	Name  string
	Value Money
}

// Products reads the product sets SGA sends: a map {"12": "RASTREADOR"} in the supplier-sync
// routes, a list of objects ({codigo_produto, descricao_produto|descricao, valor...}) in the
// manual routes, or a list of bare codes. Sorted by code.
type Products []Product

// UnmarshalJSON accepts a map, a list of objects, a list of codes and null.
func (p *Products) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*p = nil
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil
	}
	var out Products
	switch b[0] {
	case '{':
		// {"12": "RASTREADOR"} (the supplier-sync listing's shape), or {"12": {"descricao": ...}}.
		err := eachMember(b, func(key, r []byte) error {
			code := strings.TrimSpace(keyName(key))
			if r[0] == '{' {
				var o productObject
				if err := decodeRecord(r, &o); err != nil {
					return fmt.Errorf("%s: %w", code, err)
				}
				pr := o.product()
				if pr.Code == "" {
					pr.Code = code
				}
				out = append(out, pr)
				return nil
			}
			var name Text
			if err := name.UnmarshalJSON(r); err != nil {
				return fmt.Errorf("%s: %w", code, err)
			}
			out = append(out, Product{Code: code, Name: string(name)})
			return nil
		})
		if err != nil {
			return fmt.Errorf("produtos: %w", err)
		}
	case '[':
		// The common shape, once per record of every page: walked by the scanner, not by
		// encoding/json's reflection.
		i := 0
		err := eachElement(b, func(r []byte) error {
			defer func() { i++ }()
			if r[0] == '{' {
				var o productObject
				if err := decodeRecord(r, &o); err != nil {
					return fmt.Errorf("produtos[%d]: %w", i, err)
				}
				out = append(out, o.product())
				return nil
			}
			var code Text
			if err := code.UnmarshalJSON(r); err != nil {
				return fmt.Errorf("produtos[%d]: %w", i, err)
			}
			out = append(out, Product{Code: string(code)})
			return nil
		})
		if err != nil {
			return fmt.Errorf("produtos: %w", err)
		}
	default:
		return fmt.Errorf("produtos: want a map or a list, got %s", describe(b))
	}
	sort.Slice(out, func(i, j int) bool { return lessCode(out[i].Code, out[j].Code) })
	*p = out
	return nil
}

// Has reports whether the set carries the product with this code.
func (p Products) Has(code string) bool {
	code = strings.TrimSpace(code)
	for _, pr := range p {
		if pr.Code == code {
			return true
		}
	}
	return false
}

type productObject struct {
	Code        Text  `json:"codigo_produto"`
	Codigo      Text  `json:"codigo"`
	Description Text  `json:"descricao_produto"`
	Descricao   Text  `json:"descricao"`
	Value       Money `json:"valor_produto"`
	Valor       Money `json:"valor"`
}

func (o productObject) product() Product {
	pr := Product{Code: string(o.Code), Name: string(o.Description), Value: o.Value}
	if pr.Code == "" {
		pr.Code = string(o.Codigo)
	}
	if pr.Name == "" {
		pr.Name = string(o.Descricao)
	}
	if pr.Value == 0 {
		pr.Value = o.Valor
	}
	return pr
}

// lessCode orders numeric codes numerically and anything else as text.
func lessCode(a, b string) bool {
	if len(a) != len(b) && norm.AllDigits(a) && norm.AllDigits(b) {
		return len(a) < len(b)
	}
	return a < b
}
