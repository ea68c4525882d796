package store

import (
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
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
}

// IntegrationState reads the integration's state. It needs no secrets' key.
func (s *Store) IntegrationState() (IntegrationState, error) {
	var rec integrationRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bSettings), keyIntegration, &rec)
		return err
	})
	return IntegrationState{ProductCode: rec.ProductCode, Manual: rec.User != "" && len(rec.Password) > 0 && len(rec.APIKey) > 0,
		Sync: len(rec.SyncToken) > 0}, err
}

// Integration returns the integration settings, secrets opened.
func (s *Store) Integration() (Integration, error) {
	var rec integrationRecord
	err := s.db.View(func(tx *bolt.Tx) error {
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
	for _, f := range []struct{ dst, v *string }{{&in.SGAURL, p.SGAURL}, {&in.User, p.User}, {&in.Password, p.Password},
		{&in.APIKey, p.APIKey}, {&in.ProductCode, p.ProductCode}, {&in.SyncToken, p.SyncToken}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	return in
}

// SetIntegration applies p and records, for each field whose value changed, who changed it and
// when, plus one audit entry naming the fields (never their values). It returns those fields.
// Each value is checked first (CheckSetting); a refused one is a *FieldError and nothing is saved.
func (s *Store) SetIntegration(p IntegrationPatch, a Actor) ([]string, error) {
	for _, f := range []struct {
		name string
		v    *string
	}{{FieldSGAURL, p.SGAURL}, {FieldUser, p.User}, {FieldPassword, p.Password}, {FieldAPIKey, p.APIKey},
		{FieldProductCode, p.ProductCode}, {FieldSyncToken, p.SyncToken}} {
		if f.v == nil {
			continue
		}
		if err := CheckSetting(f.name, *f.v); err != nil {
			return nil, err
		}
	}
	cur, err := s.Integration()
	if err != nil {
		return nil, err // with the wrong key, saving would overwrite secrets it cannot read
	}
	var changed []string
	set := func(name string, v *string, dst *string) {
		if v != nil && *v != *dst {
			*dst = *v
			changed = append(changed, name)
		}
	}
	set(FieldSGAURL, p.SGAURL, &cur.SGAURL)
	set(FieldUser, p.User, &cur.User)
	set(FieldPassword, p.Password, &cur.Password)
	set(FieldAPIKey, p.APIKey, &cur.APIKey)
	set(FieldProductCode, p.ProductCode, &cur.ProductCode)
	set(FieldSyncToken, p.SyncToken, &cur.SyncToken)
	if len(changed) == 0 {
		return nil, nil
	}
	now := s.now().UTC()
	if cur.Changes == nil {
		cur.Changes = map[string]Change{}
	}
	for _, f := range changed {
		cur.Changes[f] = Change{By: a.Who, At: now}
	}
	rec := integrationRecord{SGAURL: cur.SGAURL, User: cur.User, ProductCode: cur.ProductCode, Changes: cur.Changes,
		Password:  s.aead.seal(FieldPassword, cur.Password),
		APIKey:    s.aead.seal(FieldAPIKey, cur.APIKey),
		SyncToken: s.aead.seal(FieldSyncToken, cur.SyncToken)}
	sort.Strings(changed)
	err = s.update(func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bSettings), keyIntegration, rec); err != nil {
			return err
		}
		return appendAudit(tx, now, a, ActionSettingsChanged, "fields: "+strings.Join(changed, ", "))
	})
	if err != nil {
		return nil, fmt.Errorf("save integration: %w", err)
	}
	return changed, nil
}

// hasSealedSecrets reports whether the settings hold any encrypted secret.
func (s *Store) hasSealedSecrets() bool {
	var rec integrationRecord
	_ = s.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bSettings), keyIntegration, &rec)
		return err
	})
	return len(rec.Password)+len(rec.APIKey)+len(rec.SyncToken) > 0
}
