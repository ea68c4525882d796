package ui

// The strings of access, in the one table with strings.go: what a profile's Perfil tab says
// of taking access away, and what the SSH server says to a client outside the console.

const (
	// Taking access away (admins_access.go).
	tProfileRole           = "Papel"
	tRoleSupervisor        = "supervisor (todas as associações)"
	tRoleOperator          = "operador"
	tProfileState          = "Situação"
	tProfileActive         = "ativo"
	tProfileDisabled       = "desativado: não entra no console"
	tProfileDisableEnable  = "desativar/reativar perfil"
	tProfileRemove         = "excluir perfil"
	tProfileRemoveKey      = "remover chave"
	tKeyOne                = "%d chave"
	tKeyMany               = "%d chaves"
	tConfirmProfileDisable = "Desativar o perfil de %s? As suas sessões abertas são encerradas; o perfil e as chaves ficam. (s/n)"
	tConfirmProfileEnable  = "Reativar o perfil de %s? Ele volta a entrar com as suas chaves. (s/n)"
	tConfirmProfileRemove  = "Excluir o perfil de %s (%s)? As suas sessões abertas são encerradas. (s/n)"
	tLastKey               = "É a última chave de %s: sem ela, não entra mais pelo SSH."
	tConfirmKeyRemove      = "Remover a chave %s de %s? As sessões abertas com ela são encerradas. (s/n)"
	tProfileDisabledOK     = "Perfil de %s desativado."
	tProfileEnabledOK      = "Perfil de %s reativado."
	tProfileRemovedOK      = "Perfil de %s excluído."
	tKeyRemovedOK          = "Chave %s removida de %s."
	tLastSupervisor        = "%s é o último supervisor ativo: torne outro administrador supervisor antes."
)

// What the SSH server says outside the console, on the session's own stream.
const (
	SayShuttingDown  = tShuttingDown
	SayAccessDenied  = "acesso negado"
	SayAccessRevoked = "acesso revogado: esta sessão foi encerrada (o perfil, a chave ou as associações mudaram)"
	SayServerFull    = "servidor cheio: %d sessões abertas; tente mais tarde"
	SayNeedsTerminal = "o console precisa de um terminal: use ssh -t"
	SayNoCommands    = "este servidor não executa comandos: abra o console com ssh -t"
	// SayTooManyConnections and SayTooManyConsoles: one administrator's limits (%d each).
	SayTooManyConnections = "conexões demais deste administrador (máximo %d): feche uma e tente de novo"
	SayTooManyConsoles    = "consoles demais deste administrador (máximo %d): feche um e tente de novo"
	SaySessionFailed      = "erro interno: esta sessão foi encerrada (as outras continuam); tente de novo"
)
