package ui

import (
	"fmt"
	"strconv"
	"strings"

	"ponte/store"
	"ponte/store/norm"
)

// proposalView is one proposal's detail on Pendências: what changed in SGA, when and by whom,
// the client and the vehicle as they are now, and the contract the order would follow.
func proposalView(st Styles, pr store.ProposalView, width int) string {
	var b strings.Builder
	b.WriteString(st.Title.Render(fmt.Sprintf(tProposalTitle, pr.Kind, plateOr(pr.Plate, pr.Vehicle.Chassis))) + "\n\n")
	when := causeWhen(pr.Cause)
	if pr.Cause.ChangedBy == "" && pr.RunKind == store.RunFull { // a full read knows only that it changed before it
		when = fmt.Sprintf(tBeforeFullRead, pr.DetectedAt.Local().Format("02/01/2006 15:04"))
	}
	cl, ve, ct := pr.Client, pr.Vehicle, pr.Contract
	vehicle := strings.Join(nonEmpty(plateOr(ve.Plate, pr.Plate), strings.TrimSpace(ve.Brand+" "+ve.Model), year(ve.YearModel), ve.Chassis), " · ")
	if ve.Situation != "" {
		vehicle += " · " + ve.Situation
	}
	detected := pr.DetectedAt.Local().Format("02/01/2006 15:04")
	if pr.RunKind != "" {
		detected = fmt.Sprintf(tDetectedText, detected, runKindText(pr.RunKind))
	}
	pairs := [][2]string{
		{tMotive, causeText(pr.Cause)},
		{tInSGA, when},
		{tDetectedAt, detected},
		{tClient, fmt.Sprintf("%s · %s (%s %d)", clientName(cl.Name, pr.ClientSGACode), norm.FormatCPF(cl.CPF), tSGACode, pr.ClientSGACode)},
		{tPhone, formatPhone(cl.Phone)},
		{tVehicle, fmt.Sprintf("%s (%s %d)", vehicle, tSGACode, pr.VehicleSGACode)},
		{tContract, fmt.Sprintf("%s · %s", pr.Contract.Number, contractState(ct.State(), ct.Delinquent))},
		{tCreatedAt, strings.Join(nonEmpty(ct.CreatedAt.Local().Format("02/01/2006 15:04"), ct.CreatedBy), ", ")},
	}
	if pr.AssociationSlug != "" {
		pairs = append(pairs, [2]string{tAssociation, pr.AssociationSlug})
	}
	b.WriteString(fields(st, 18, width, pairs))
	b.WriteString("\n" + st.Hint.Render(cell(tProposalHint, width)))
	return b.String()
}

func plateOr(plate, chassis string) string {
	if plate != "" {
		return plate
	}
	return chassis
}

func year(y int) string {
	if y <= 0 {
		return ""
	}
	return strconv.Itoa(y)
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p != "" && p != "-" {
			out = append(out, p)
		}
	}
	return out
}
