package store

import (
	"fmt"
	"iter"
	"slices"
	"sort"
	"strings"
	"time"
)

// Actor is who did something and from where ("cli", "console", "ssh 10.0.0.5:51234").
type Actor struct {
	Who  string
	From string
}

// Change records who last changed a setting, and when.
type Change struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Integration is the SGA integration as the operator set it: the manual credentials, the product
// code, the Sincronismo SGA token, and the base URL. Secrets are plain here, sealed on disk.
type Integration struct {
	SGAURL      string
	User        string
	Password    string
	APIKey      string
	ProductCode string
	SyncToken   string
	Changes     map[string]Change // by field name (see the Field* constants)
}

// Field names of the integration, as the audit log and Changes name them.
const (
	FieldSGAURL      = "sga_url"
	FieldUser        = "usuario"
	FieldPassword    = "senha"
	FieldAPIKey      = "chave_api"
	FieldProductCode = "codigo_produto"
	FieldSyncToken   = "sync_token"
)

// IntegrationPatch changes the fields that are not nil.
type IntegrationPatch struct {
	SGAURL, User, Password, APIKey, ProductCode, SyncToken *string
}

type integrationRecord struct {
	SGAURL      string            `json:"sga_url,omitempty"`
	User        string            `json:"usuario,omitempty"`
	ProductCode string            `json:"codigo_produto,omitempty"`
	Password    []byte            `json:"senha,omitempty"`
	APIKey      []byte            `json:"chave_api,omitempty"`
	SyncToken   []byte            `json:"sync_token,omitempty"`
	Changes     map[string]Change `json:"changes,omitempty"`
}

var keyIntegration = []byte("integration")

// IntegrationState is what the integration holds, told without opening a secret: the
// Código do Produto and which credentials are set.
type IntegrationState struct {
	ProductCode string
	Manual      bool // Usuário, Senha and Chave API are all set
	Sync        bool // the Sincronismo SGA token is set
	// Configured: some field is set. An association nobody has begun to configure (a new
	// database's "principal") has nothing to sync, which is no failure; one begun and left
	// short of a field is, and its sync says which field is missing.
	Configured bool
}

// IntegrationState reads the integration's state. It needs no secrets' key.
func (s *Store) IntegrationState() (IntegrationState, error) {
	var rec integrationRecord
	err := s.view(func(tx txn) error {
		_, err := getJSON(tx.Bucket(bSettings), keyIntegration, &rec)
		return err
	})
	return IntegrationState{ProductCode: rec.ProductCode, Manual: rec.User != "" && len(rec.Password) > 0 && len(rec.APIKey) > 0,
		Sync: len(rec.SyncToken) > 0, Configured: rec.SGAURL != "" || rec.User != "" || rec.ProductCode != "" ||
			len(rec.Password) > 0 || len(rec.APIKey) > 0 || len(rec.SyncToken) > 0}, err
}

// Integration returns the integration settings, secrets opened.
func (s *Store) Integration() (Integration, error) {
	var rec integrationRecord
	err := s.view(func(tx txn) error {
		_, err := getJSON(tx.Bucket(bSettings), keyIntegration, &rec)
		return err
	})
	if err != nil {
		return Integration{}, err
	}
	if s.aead == nil {
		return Integration{}, fmt.Errorf("%w: put it back at %s or set PONTE_SECRET_KEY", ErrMissingKey, KeyPath(s.path))
	}
	in := Integration{SGAURL: rec.SGAURL, User: rec.User, ProductCode: rec.ProductCode, Changes: rec.Changes}
	for _, f := range []struct {
		name   string
		sealed []byte
		dst    *string
	}{{FieldPassword, rec.Password, &in.Password}, {FieldAPIKey, rec.APIKey, &in.APIKey}, {FieldSyncToken, rec.SyncToken, &in.SyncToken}} {
		if *f.dst, err = s.aead.open(f.name, f.sealed); err != nil {
			return Integration{}, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if in.Changes == nil {
		in.Changes = map[string]Change{}
	}
	return in, nil
}

// Patched returns the integration as it will be once p is saved.
func (in Integration) Patched(p IntegrationPatch) Integration {
	for name, v := range p.fields() {
		if v != nil {
			*in.Field(name) = *v
		}
	}
	return in
}

// fields yields the patch's values by field name, in IntegrationFields' order.
func (p IntegrationPatch) fields() iter.Seq2[string, *string] {
	return func(yield func(string, *string) bool) {
		for i, v := range []*string{p.SGAURL, p.User, p.Password, p.APIKey, p.ProductCode, p.SyncToken} {
			if !yield(IntegrationFields[i], v) {
				return
			}
		}
	}
}

// SetIntegration applies p and records, for each field whose value changed, who changed it and
// when, plus one audit entry naming the fields (never their values). It returns those fields.
// Each value is checked first (CheckSetting); a refused one is a *FieldError and nothing is saved.
func (s *Store) SetIntegration(p IntegrationPatch, a Actor) ([]string, error) {
	if !s.supervisor() {
		return nil, fmt.Errorf("changing an integration is for supervisors: %w", ErrForbidden)
	}
	for name, v := range p.fields() {
		if v == nil {
			continue
		}
		if err := CheckSetting(name, *v); err != nil {
			return nil, err
		}
	}
	cur, err := s.Integration()
	if err != nil {
		return nil, err // with the wrong key, saving would overwrite secrets it cannot read
	}
	var changed []string
	for name, v := range p.fields() {
		if dst := cur.Field(name); v != nil && *v != *dst {
			*dst = *v
			changed = append(changed, name)
		}
	}
	return changed, s.saveIntegration(cur, changed, a, ActionSettingsChanged)
}

// IntegrationFields are the integration's fields, in the order forms and reports list them.
var IntegrationFields = []string{FieldSGAURL, FieldUser, FieldPassword, FieldAPIKey, FieldProductCode, FieldSyncToken}

// UnsetIntegration clears the named fields: a stale Sincronismo SGA token that SGA refuses,
// say, which would otherwise stay in use. Like SetIntegration it records who cleared each
// field and when, with one audit entry naming the fields; it returns those that held a value.
// An unknown field name is refused and nothing is cleared.
func (s *Store) UnsetIntegration(fields []string, a Actor) ([]string, error) {
	if !s.supervisor() {
		return nil, fmt.Errorf("changing an integration is for supervisors: %w", ErrForbidden)
	}
	for _, f := range fields {
		if !slices.Contains(IntegrationFields, f) {
			return nil, fmt.Errorf("unknown integration field %q (one of %s): %w", f, strings.Join(IntegrationFields, ", "), ErrInvalid)
		}
	}
	cur, err := s.Integration()
	if err != nil {
		return nil, err // with the wrong key, saving would overwrite secrets it cannot read
	}
	var cleared []string
	for _, f := range IntegrationFields {
		if dst := cur.Field(f); slices.Contains(fields, f) && *dst != "" {
			*dst = ""
			cleared = append(cleared, f)
		}
	}
	return cleared, s.saveIntegration(cur, cleared, a, ActionSettingsCleared)
}

// Field points at one of the integration's fields by name (a Field* constant), nil for another name.
func (in *Integration) Field(name string) *string {
	switch name {
	case FieldSGAURL:
		return &in.SGAURL
	case FieldUser:
		return &in.User
	case FieldPassword:
		return &in.Password
	case FieldAPIKey:
		return &in.APIKey
	case FieldProductCode:
		return &in.ProductCode
	case FieldSyncToken:
		return &in.SyncToken
	}
	return nil
}

// saveIntegration writes in, sealing its secrets, with who changed the fields named and when,
// and one audit entry naming them (never their values). Nothing named, nothing written.
func (s *Store) saveIntegration(in Integration, changed []string, a Actor, action string) error {
	if len(changed) == 0 {
		return nil
	}
	now := s.now().UTC()
	if in.Changes == nil {
		in.Changes = map[string]Change{}
	}
	for _, f := range changed {
		in.Changes[f] = Change{By: a.Who, At: now}
	}
	rec := integrationRecord{SGAURL: in.SGAURL, User: in.User, ProductCode: in.ProductCode, Changes: in.Changes,
		Password:  s.aead.seal(FieldPassword, in.Password),
		APIKey:    s.aead.seal(FieldAPIKey, in.APIKey),
		SyncToken: s.aead.seal(FieldSyncToken, in.SyncToken)}
	sort.Strings(changed)
	err := s.update(func(tx txn) error {
		if err := putJSON(tx.Bucket(bSettings), keyIntegration, rec); err != nil {
			return err
		}
		return appendAudit(tx, now, a, action, "fields: "+strings.Join(changed, ", "))
	})
	if err != nil {
		return fmt.Errorf("save integration: %w", err)
	}
	return nil
}

// hasSealedSecrets reports whether the settings hold any encrypted secret.
func (s *Store) hasSealedSecrets() bool {
	var rec integrationRecord
	_ = s.view(func(tx txn) error {
		_, err := getJSON(tx.Bucket(bSettings), keyIntegration, &rec)
		return err
	})
	return len(rec.Password)+len(rec.APIKey)+len(rec.SyncToken) > 0
}
