package cli

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"ponte/store"
)

// importedJSON is one vehicle import --json reports: its contract and installation order.
type importedJSON struct {
	Contract       string `json:"contract"`
	Order          string `json:"order"`
	VehicleSGACode int64  `json:"vehicle_sga_code"`
	Plate          string `json:"plate"`
	ClientSGACode  int64  `json:"client_sga_code"`
}

// importOptions are import's flags.
type importOptions struct {
	client string // --client: an SGA code or a CPF
	asJSON bool
}

// importCmd is the headless Importar: a contract and an installation order for each vehicle,
// all or nothing.
func (a *app) importCmd() *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import --client CODE_OR_CPF VEHICLE...",
		Short: "The headless Importar: a contract and an installation order per vehicle",
		Long: "The headless Importar: a contract and an installation service order for each vehicle of the\n" +
			"client. VEHICLE is an SGA vehicle code or a plate. All or nothing: if any vehicle is refused,\n" +
			"nothing is written and every refusal is named.",
		Example: "  ponte import --client 123.456.789-09 ABC1D23 DEF4G56\n  ponte import HTK2439 --client 10001 --json",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("name the vehicles to import, by SGA code or plate")
			}
			if o.client == "" {
				return usagef("import needs --client CODE_OR_CPF")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, vehicles []string) error { return a.runImport(cmd, vehicles, o) },
	}
	cmd.Flags().StringVar(&o.client, "client", "", "the client, by SGA code or CPF")
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print the contracts and orders made as a JSON array")
	return cmd
}

// runImport is import's work, on its flags.
func (a *app) runImport(cmd *cobra.Command, vehicles []string, o importOptions) (err error) {
	s, done, err := a.openStore(writing, inAssociation)
	if err != nil {
		return err
	}
	defer done(&err)
	c, err := s.FindClient(o.client)
	if err != nil {
		return err
	}
	owned, err := s.VehiclesOfClient(c.SGACode)
	if err != nil {
		return err
	}
	// Every vehicle refused is named with its reason, not only the first.
	var codes []int64
	var refused []error
	for _, ref := range vehicles {
		v, err := store.FindVehicle(owned, ref)
		if err != nil {
			refused = append(refused, err)
			continue
		}
		codes = append(codes, v.SGACode)
	}
	var imported []store.Imported
	switch {
	case len(refused) > 0 && len(codes) > 0:
		err = s.CheckImport(c.SGACode, codes)
	case len(refused) == 0:
		imported, err = s.Import(c.SGACode, codes, a.actor())
	}
	if err != nil {
		refused = append(refused, joined(err)...)
	}
	if len(refused) > 0 {
		lines := []string{sprintf("client %d (%s): nothing was imported; %d of %s refused:",
			c.SGACode, c.Name, len(refused), plural(len(vehicles), "vehicle", "vehicles"))}
		for _, one := range refused {
			lines = append(lines, "  "+one.Error())
		}
		return errors.New(strings.Join(lines, "\n"))
	}
	if o.asJSON {
		out := []importedJSON{}
		for _, im := range imported {
			out = append(out, importedJSON{im.Contract.Number, im.Order.Number, im.Contract.VehicleSGACode, im.Contract.Plate, c.SGACode})
		}
		return writeJSON(cmd.OutOrStdout(), out)
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTRACT\tSERVICE ORDER\tVEHICLE\tPLATE")
	for _, im := range imported {
		printf(tw, "%s\t%s\t%d\t%s\n", im.Contract.Number, im.Order.Number, im.Contract.VehicleSGACode, im.Contract.Plate)
	}
	return tw.Flush()
}

// joined lists the errors an errors.Join holds, or the error itself.
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
