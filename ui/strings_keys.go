package ui

// The key map's help texts (keys.go), in the same table as strings.go.
const (
	tKeySpace         = "espaço" // the space bar, as the help names it
	tKeyPages         = "páginas"
	tKeyUp            = "acima"
	tKeyDown          = "abaixo"
	tKeyPageUp        = "página acima"
	tKeyPageDown      = "página abaixo"
	tKeyHome          = "início"
	tKeyEnd           = "fim"
	tKeyOpen          = "abrir"
	tKeyFilter        = "buscar"
	tKeyHelp          = "ajuda"
	tKeyQuit          = "sair"
	tKeyPress         = "acionar"
	tKeyTick          = "marcar"
	tKeyTickAll       = "marcar todos"
	tKeyCancelSync    = "cancelar sincronismo"
	tKeyToggleDaily   = "liga/desliga o diário"
	tKeyDailyTime     = "horário do diário"
	tKeyTabs          = "abas"
	tKeyConfirmSearch = "confirmar busca"
	tKeyYes           = "confirmar"
	tKeyNo            = "cancelar"
)
