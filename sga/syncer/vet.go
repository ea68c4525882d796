package syncer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ponte/sga"
	"ponte/store"
)

// What SGA refused of an integration patch that Vet tested: nothing of the patch is to be
// saved. Both wrap sga.ErrUnauthorized.
var (
	ErrLoginRefused = errors.New("SGA refused the login (Usuário, Senha or Chave API)")
	ErrTokenRefused = errors.New("SGA refused the Sincronismo SGA token")
)

// Vet asks SGA, before p is saved over stored, whether it accepts what p changes: the manual
// login when p changes Usuário, Senha or Chave API, the Sincronismo SGA token when p changes
// it (both when p moves the SGA URL), and the Código do Produto when p changes it; each only
// when there is what to test it with. baseURL, when set, overrides the URL for this test.
//
// A patch SGA refuses must not be saved: a wrong Senha saved over the good one stops every
// sync, and the good one is not shown anywhere to type it back. The error then matches
// ErrLoginRefused or ErrTokenRefused (or both), or ErrUnknownProduct with known listing the
// codes SGA has. Any other error means SGA could not be asked, and the patch is untested:
// whether to save it then is the caller's.
func Vet(ctx context.Context, stored store.Integration, p store.IntegrationPatch, baseURL string) (known []string, err error) {
	in := stored.Patched(p)
	if baseURL != "" {
		in.SGAURL = baseURL
	}
	changes := func(v *string, was string) bool { return v != nil && *v != was }
	moved := changes(p.SGAURL, stored.SGAURL) && baseURL == ""
	cr := sga.Credentials{User: in.User, Password: in.Password, APIKey: in.APIKey, SyncToken: in.SyncToken}
	c := sga.New(sga.Config{BaseURL: in.SGAURL, Timeout: 15 * time.Second, MaxRetries: 1, Credentials: cr})
	defer c.Close()
	var refused []error
	if cr.HasManual() && (moved || changes(p.User, stored.User) || changes(p.Password, stored.Password) || changes(p.APIKey, stored.APIKey)) {
		switch err := c.Login(ctx); {
		case errors.Is(err, sga.ErrUnauthorized):
			refused = append(refused, fmt.Errorf("%w: %w", ErrLoginRefused, err))
		case err != nil:
			return nil, err
		}
	}
	if cr.HasSync() && (moved || changes(p.SyncToken, stored.SyncToken)) {
		switch _, err := c.SyncProducts(ctx); {
		case errors.Is(err, sga.ErrUnauthorized):
			refused = append(refused, fmt.Errorf("%w: %w", ErrTokenRefused, err))
		case err != nil && !errors.Is(err, sga.ErrRouteNotAllowed): // not allowed: the token is good
			return nil, err
		}
	}
	if len(refused) > 0 {
		return nil, errors.Join(refused...)
	}
	if changes(p.ProductCode, stored.ProductCode) && in.ProductCode != "" && (cr.HasManual() || cr.HasSync()) {
		return checkProduct(ctx, c, in.ProductCode)
	}
	return nil, nil
}
