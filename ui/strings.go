package ui

import (
	"time"

	"ponte/sga"
	"ponte/sga/syncer"
)

// Every text the console shows, in Brazilian Portuguese, in one place: the guide's labels
// verbatim, then ponte's own. Nothing here changes at run time.
const (
	// Pages, as the header names them.
	tPageIntegration = "Integração SGA"
	tPageAdmins      = "Administradores"
	tPageClients     = "Clientes"
	tPageContracts   = "Contratos e OS"
	tPageAssocs      = "Associações"
	tPagePending     = "Pendências"

	// ponte demo's note on the first screen.
	tDemoAdded          = "A demonstração (--force) adicionou ao banco de dados, que já tinha dados que não eram dela:"
	tDemoAddedAssocOne  = "a associação %s (com a integração SGA do seu simulador)"
	tDemoAddedAssocMany = "as associações %s (cada uma com a integração SGA do seu simulador)"
	tDemoReplaced       = "as integrações SGA dos simuladores no lugar das reais de %s (as senhas delas se perderam)"
	tDemoAddedAdmin     = "o supervisor %q"
	tDemoAddedNothing   = "Nada."
	tDemoCredentials    = "Demonstração: as credenciais de cada simulador já estão salvas aqui; " +
		"para digitá-las no formulário, estão no arquivo:"
	tDemoChurn = "Depois do primeiro sincronismo de cada associação, a demonstração importa sozinha %s de " +
		"clientes diferentes (menos, se ela já tiver contratos) e conclui suas instalações, e a cada %s o SGA simulado muda: um veículo com " +
		"contrato é cancelado, ou volta a ATIVO, e um sincronismo incremental lê a mudança. Veja Pendências."

	// Pendências: the orders proposed from SGA's changes.
	tNoPending       = "Nenhuma pendência: nenhum veículo com contrato pede retirada ou reinstalação."
	tMotive          = "Motivo"
	tChange          = "Mudança no SGA"
	tWhen            = "Quando"
	tChangedBy       = "Por (SGA)"
	tGenerate        = "gerar ordens"
	tDismiss         = "descartar"
	tShowAll         = "ver todas as associações"
	tShowOne         = "ver só a atual"
	tPendingAll      = "%s em %s." // "3 pendências em 4 associações."
	tConfirmGenerate = "Gerar %s: %s? (s/n)"
	tGenerated       = "Ordens geradas: %s."
	tDismissTitle    = "Descartar %s"
	tDismissHint     = "Saem da lista sem gerar ordem; o motivo fica registrado."
	tDismissButton   = "Descartar"
	tReasonRequired  = "informe o motivo"
	tDismissedOne    = "%d pendência descartada."
	tDismissedMany   = "%d pendências descartadas."
	tPendingOne      = "%d pendência"
	tPendingMany     = "%d pendências"
	tAlreadyDecided  = "Alguém já decidiu uma destas pendências; a lista foi atualizada."
	tNoLongerFits    = "Uma destas pendências não cabe mais no contrato (o rastreador não está no veículo, " +
		"ou já há uma ordem aberta): nada foi gerado; descarte-a com x."
	tChangeText        = "%s → %s"
	tCauseText         = "%s: %s %s → %s"
	tCauseWhenBy       = "%s, por %s"
	tInSGA             = "Mudou no SGA"
	tFieldSituation    = "situação"
	tCauseLeftList     = "%s → fora da lista do SGA"
	tByFullRead        = "leitura completa"
	tBeforeFullRead    = "antes da leitura completa de %s"
	tProposalTitle     = "%s proposta · %s"
	tDetectedAt        = "Detectada em"
	tDetectedText      = "%s (leitura: %s)"
	tProposalHint      = "g gera a ordem desta pendência; x a descarta; esc volta à lista."
	tContractActive    = "Ativo"
	tContractDefaulted = "Inadimplente"

	// Contratos e OS: the orders, and one order's life.
	tOrderShort        = "OS"
	tNoOrders          = "Nenhuma ordem de serviço ainda. Importe veículos em Clientes."
	tNoOrdersFiltered  = "Nenhuma ordem de serviço com este filtro."
	tFilterKind        = "filtrar tipo"
	tFilterStatus      = "filtrar status"
	tFilterDefaulted   = "só inadimplentes"
	tFilterNote        = "  Tipo: %s · Status: %s"
	tFilterDefaultNote = " · só inadimplentes"
	tAll               = "todos"
	tSchedule          = "agendar"
	tContact           = "tentativa de contato"
	tStart             = "iniciar execução"
	tFinish            = "concluir"
	tCancelOrder       = "cancelar OS"
	tScheduleTitle     = "Agendar %s"
	tScheduleHint      = "Data e hora da visita e quem vai. Agendar de novo remarca."
	tScheduleButton    = "Agendar"
	tDate              = "Data"
	tHour              = "Hora"
	tTechnician        = "Técnico"
	tDatePlaceholder   = "DD/MM/AAAA"
	tHourPlaceholder   = "HH:MM"
	tBadDate           = "data inválida; use DD/MM/AAAA"
	tNeedTechnician    = "informe o técnico"
	tCancelTitle       = "Cancelar %s"
	tCancelHint        = "A ordem é cancelada e sai da fila de trabalho; o motivo fica no histórico."
	tCancelButton      = "Cancelar OS"
	tCloseContractAsk  = "Encerrar o contrato %s? (s/n)"
	tCloseContractHint = "s encerra o contrato · n o mantém Ativo · esc volta ao motivo"
	tCloseContract     = "encerrar o contrato"
	tKeepContract      = "manter Ativo"
	tContractKept      = "contrato mantido Ativo"
	tContractClosedBy  = "contrato encerrado"
	tContractChanged   = "O contrato %s mudou enquanto isso; confira %s e cancele de novo."
	tMovedContract     = "%s: %s; %s."
	tPastDate          = "já passou (hoje é %s)"
	tPastHour          = "já passou (agora são %s)"
	tPastVisitRefused  = "%s não foi agendada: a data e a hora já passaram."
	tContactTitle      = "Resultado do contato com o associado"
	tContactHint       = "1-%d registra · esc volta"
	tConfirmStart      = "Iniciar a execução de %s? (s/n)"
	tConfirmFinish     = "Concluir %s? (s/n)"
	tConfirmFinishOut  = "Concluir %s? O contrato %s será encerrado. (s/n)"
	tOrderMoved        = "%s: %s."
	tContactSaved      = "Tentativa de contato registrada: %s."
	tBadStep           = "%s está %s e não pode ir para %s."
	tStepRefused       = "%s está %s: %s."
	tStepFinished      = "uma OS concluída não muda"
	tStepCancelled     = "uma OS cancelada não muda"
	tStepStarted       = "a execução já começou; tentativas de contato são antes dela"
	tStepScheduleFirst = "agende-a antes de iniciar a execução"
	tStepNotScheduled  = "agende-a e inicie a execução antes de concluir"
	tStepStartFirst    = "inicie a execução antes de concluir"
	tStepNoReschedule  = "a execução já começou; não dá para reagendar"
	tVisit             = "Visita"
	tNoPhone           = "não informado no SGA"
	tCancelledBecause  = "Motivo do cancelamento"
	tAttempts          = "Tentativas de contato"
	tHistory           = "Histórico"
	tNoAttempts        = "nenhuma"
	tOlderAttemptOne   = "… e mais %d tentativa anterior, não guardada"
	tOlderAttemptMany  = "… e mais %d tentativas anteriores, não guardadas"
	tOlderStepOne      = "… e mais %d etapa anterior, não guardada"
	tOlderStepMany     = "… e mais %d etapas anteriores, não guardadas"
	tHistoryLine       = "%s  %s, por %s"
	tVisitText         = "%s, %s"

	// Associations.
	tAssociation         = "Associação"
	tPickAssociation     = "trocar de associação"
	tPickerTitle         = "Trocar de associação"
	tPickerHint          = "digite para filtrar · enter escolhe · esc fecha"
	tPickerNone          = "Nenhuma associação com \"%s\"."
	tSearchAll           = "buscar em todas as associações"
	tSearchOne           = "buscar só na atual"
	tSearchingAll        = "Buscando em %s." // "Buscando em 4 associações."
	tNewAssociation      = "nova associação"
	tDisableEnable       = "desativar/reativar"
	tUseAssociation      = "usar"
	tAssocSlug           = "Nome curto"
	tAssocName           = "Nome"
	tAssocCNPJ           = "CNPJ"
	tAssocVehicles       = "Veículos"
	tAssocContracts      = "Contratos"
	tAssocLast           = "Último sincronismo"
	tAssocNext           = "Próximo"
	tAssocDisabled       = "desativada"
	tAssocNever          = "nunca"
	tAssocFresh          = "Atualizado" // how long ago its data was last known to equal SGA's
	tAssocNoDaily        = "desligado"
	tAssocQueued         = "na fila"
	tAssocSlugExample    = "ex.: protecao-sul"
	tAssocAdd            = "Nova associação"
	tAssocAddHint        = "Nome curto: letras minúsculas, dígitos e '-' (usado na linha de comando). CNPJ opcional."
	tAssocAdded          = "Associação criada: %s. Preencha a Integração SGA dela."
	tAssocNowCurrent     = "Associação atual: %s."
	tConfirmDisable      = "Desativar a associação %s? Ela deixa de sincronizar; os dados ficam. (s/n)"
	tConfirmEnable       = "Reativar a associação %s? (s/n)"
	tAssocDisabledOK     = "Associação %s desativada."
	tAssocEnabledOK      = "Associação %s reativada."
	tOnlySupervisors     = "Só supervisores podem fazer isso."
	tReadOnlyIntegration = "Somente leitura: só supervisores alteram a Integração SGA."
	tAssocDuplicate      = "já existe uma com esse nome curto"
	tAssocCNPJTaken      = "já é o CNPJ de outra associação"
	tAssocBadSlug        = "só a-z, 0-9 e '-' (até 32)"
	tAssocBadCNPJ        = "CNPJ inválido"
	tSyncsRunningOne     = "%d sincronismo em andamento"
	tSyncsRunningMany    = "%d sincronismos em andamento"
	tSyncsQueued         = "%d na fila"
	tAssocVehiclesShort  = "Veíc."
	tAssocContractsShort = "Contr."
	tAssocPaused         = "pausado pelo SGA"
	tStatusPartialShort  = "parcial"
	tAssocCountOne       = "%d associação"
	tAssocCountMany      = "%d associações"
	tAssocIsDisabled     = "A associação %s está desativada: reative-a em Associações."

	// The integration form (the guide's labels).
	tUser                = "Usuário"
	tPassword            = "Senha"
	tAPIKey              = "Chave API"
	tProductCode         = "Código do Produto"
	tSyncToken           = "Sincronismo SGA"
	tSave                = "Salvar"
	tUpdateToken         = "Atualizar Token"
	tManualSection       = "Cadastro para uso manual"
	tAutoSection         = "Cadastro para uso automático"
	tSuccess             = "Ação realizada com sucesso!"
	tKeepSecret          = "deixe em branco para manter"
	tTesting             = "Testando com o SGA antes de salvar…"
	tSavedWarn           = "Salvo, mas o teste de conexão encontrou problemas: libere as rotas marcadas em Área Cliente > APIs > Gerenciar APIs."
	tRouteOK             = "ok"
	tRouteDenied         = "não liberada para este token"
	tRouteDeniedOptional = "não liberada: opcional, sem ela o sincronismo diário lê tudo todo dia"
	tRouteFailedOptional = "falhou: opcional, sem ela o sincronismo diário lê tudo todo dia"
	tRouteFailed         = "falhou"
	// The Código do Produto, checked against SGA's catalogue.
	tProductCheck    = "Código do Produto %s"
	tUnknownProduct  = "não existe no SGA"
	tProductNotSaved = "Não salvo: o SGA não tem o produto %s"
	tKnownProducts   = " (produtos do fornecedor: %s)"
	tSkippedUnset    = "não testada: credenciais não preenchidas"
	tSkippedRefused  = "não testada: o login foi recusado"
	tLoginRefused    = "Usuário ou Senha incorretos"
	tTokenRefused    = "token recusado"
	tBadLogin        = "Usuário ou Senha incorretos: o SGA recusou o login. Corrija e clique em Salvar."
	tBadSyncToken    = "Token do Sincronismo SGA inválido: gere de novo em Fornecedor > Configurar Sincronismo."
	tSavedFailed     = "Salvo, mas o SGA não respondeu a todas as rotas: veja abaixo e tente de novo."
	tSavedUntested   = "Salvo sem testar: o SGA não respondeu. Confira o endereço e a rede, e clique em Salvar de novo para testar."
	tUnsaved         = "* alterado, não salvo"
	tNotSaved        = "Não salvo: "
	tLoginNotSaved   = "o SGA recusou o login com esse Usuário, Senha e Chave API; o cadastro salvo antes continua valendo. Corrija e clique em Salvar."
	tTokenNotSaved   = "o SGA recusou esse token do Sincronismo SGA; o salvo antes continua valendo. Gere outro em Fornecedor > Configurar Sincronismo."
	tGuideToggle     = "passo a passo"
	tGuideHide       = "fechar o passo a passo"
	tGuideScroll     = "rolar o passo a passo"

	// Validation.
	tRequired   = "obrigatório"
	tOnlySpaces = "não pode ter só espaços"
	tTooLong    = "longo demais (máximo %d caracteres)"
	tDigitsOnly = "só dígitos"
	tNoSpaces   = "não pode ter espaços"
	// Characters a terminal would obey, or that disguise text, are refused where they stand.
	tForbiddenChar = "caractere %d proibido"
	tInvalidUTF8   = "byte %d inválido"
	tInvalidValue  = "valor inválido"
	tFixErrors     = "Corrija os campos marcados."
	tSaveFailed    = "Não foi possível salvar; veja o log."

	// Administrators.
	tSyncActive      = "Sincronizar Ativos SGA"
	tTabProfile      = "Perfil"
	tTabIntegrations = "Integrações SGA"
	tProgressField   = "Andamento de importação SGA"
	tName            = "Nome"
	tLogin           = "Login"
	tEmail           = "E-mail"
	tKeys            = "Chaves SSH"
	tNoKeys          = "nenhuma"

	tNoAdmins        = "Nenhum administrador. Cadastre com: ponte admin add --login LOGIN --name NOME"
	tRunKind         = "Leitura"
	tReadInFull      = "Leitura completa: %s."
	tIncrementalRead = "Leu %s do SGA em %s."
	tListingUnseen   = "A listagem tinha %d registros e tem %d: produtos trocados de veículo só a leitura completa vê."
	tChangeOne       = "%d alteração"
	tChangeMany      = "%d alterações"
	tQueryOne        = "%d consulta"
	tQueryMany       = "%d consultas"
	tLastRuns        = "Últimas execuções"
	tNoRuns          = "Nenhuma execução ainda."
	tRunErrors       = "Erros da execução %s"
	tRunSeq          = "%d (%dª)"
	tRunSeqOf        = "%d (%dª de %s)"
	tNoErrors        = "Nenhum erro."
	tResumes         = "Continua a execução %d, de onde ela parou."
	tSyncStarted     = "Sincronismo iniciado; o diário será ligado quando ele terminar bem."
	tSyncStartedOn   = "Sincronismo iniciado."
	tResumed         = "retomada de #%d"
	tSyncBusy        = "Já há um sincronismo em andamento."
	tEditTime        = "Horário (HH:MM)"
	tScrollErrors    = "rolar"
	tFellBack        = "O SGA recusou o token do Sincronismo SGA; lido com o cadastro para uso manual. Gere um token novo em Fornecedor > Configurar Sincronismo."
	tFellBackManual  = "O SGA recusou o login do cadastro para uso manual (Usuário, Senha); lido com o token do Sincronismo SGA. Corrija-o em Integração SGA."
	tWarnToken       = "token do Sincronismo SGA recusado; lido com o cadastro para uso manual"
	tWarnTokenShort  = "token do Sincronismo SGA recusado"
	tWarnManual      = "login manual recusado; lido com o token do Sincronismo SGA"
	tWarnManualShort = "login manual recusado"
	tReadBefore      = "Leu %s antes de parar."
	tNotKeptOne      = "… e mais %d erro não guardado"
	tNotKeptMany     = "… e mais %d erros não guardados"
	tBadTime         = "horário inválido; use HH:MM"

	// Clients.
	tTabData         = "Dados"
	tTabVehicles     = "Importação de Veículos SGA"
	tCPF             = "CPF"
	tCity            = "Cidade"
	tPhone           = "Telefone"
	tSituation       = "Situação"
	tPlate           = "Placa"
	tModel           = "Modelo"
	tYear            = "Ano"
	tContract        = "Contrato"
	tImport          = "Importar"
	tNoClients       = "Nenhum cliente. Inicie o sincronismo em Administradores: Sincronizar Ativos SGA."
	tNoMatch         = "Nenhum resultado para \"%s\"."
	tMore            = "mais resultados: refine a busca"
	tNoVehicles      = "Nenhum veículo com o nosso produto. Se faltar algum, use Sincronizar Ativos SGA."
	tWhyImported     = "já importado: contrato %s"
	tWhyNotActive    = "não está ATIVO no SGA (%s)"
	tWhyGone         = "saiu da lista do SGA"
	tImportAskOne    = "Será gerado %[1]d contrato e %[1]d ordem de serviço. Confirmar? (s/n)"
	tImportAskMany   = "Serão gerados %[1]d contratos e %[1]d ordens de serviço. Confirmar? (s/n)"
	tOrderOne        = "%d ordem de serviço"
	tOrderMany       = "%d ordens de serviço"
	tImported        = "Ação realizada com sucesso! Gerados:"
	tImportFailed    = "Nada foi importado: %s"
	tClientSyncStart = "Buscando os veículos deste cliente no SGA…"
	// The stored client's CPF fails its check digits (as SGA sent it): no run is started.
	tClientBadCPF    = "O CPF deste cliente no SGA é inválido; corrija-o no SGA."
	tTickedOne       = "%d selecionado"
	tTickedMany      = "%d selecionados"
	tNothingTicked   = "Marque ao menos um veículo com espaço (ou todos com a)."
	tNothingTickable = "Nenhum veículo pode ser marcado: %s."
	tClientSyncDone  = "%s, %s."
	tClientSyncWarn  = "%s, %s; com aviso: %s."
	tFoundOne        = "%d veículo encontrado no SGA"
	tFoundMany       = "%d veículos encontrados no SGA"
	tNewOne          = "%d novo"
	tNewMany         = "%d novos"
	tProduct         = "Produto"
	tWhyNoProduct    = "sem o produto %s no SGA"
	tWhyNotOurs      = "sem o nosso produto no SGA"
	tOnlyOurs        = "Lista os veículos com o nosso produto; s busca no SGA todos os deste cliente."
	tOnlyOursToken   = "Lista os veículos com o nosso produto: os outros só aparecem com o cadastro para uso manual."

	// Contracts.
	tNoContracts = "Nenhum contrato ainda. Importe veículos em Clientes."
	tKind        = "Tipo"
	tStatus      = "Status"
	tCreatedAt   = "Criado em"
	tCreatedBy   = "Criado por"
	tClient      = "Cliente"
	tVehicle     = "Veículo"
	tOrder       = "Ordem de serviço"
	tSGACode     = "código SGA"

	// Status bar and sync progress.
	tIdle             = "Sincronismo parado"
	tSyncing          = "Sincronizando"
	tPausedUntil      = "SGA bloqueou as consultas; retomando às %s"
	tPages            = "páginas %d/%d"
	tOfTotal          = "%d de %s" // "33 de 524 páginas", "3 de 276 clientes"
	tPageOne          = "%d página"
	tPageMany         = "%d páginas"
	tPageReadOne      = "%d página lida"
	tPageReadMany     = "%d páginas lidas"
	tClientOne        = "%d cliente"
	tClientMany       = "%d clientes"
	tVehicleOne       = "%d veículo"
	tVehicleMany      = "%d veículos"
	tChangedOne       = "%d veículo mudou de situação"
	tChangedMany      = "%d veículos mudaram de situação"
	tChangedShortOne  = "%d mudou de situação"
	tChangedShortMany = "%d mudaram de situação"
	tErrorOne         = "%d erro"
	tErrorMany        = "%d erros"
	tRate             = "%.0f veículos/s"
	tETA              = "faltam %s"
	tStartedBy        = "por %s"
	tRunStatus        = "%s: %s"
	tLastRun          = "Último"
	tLastClientRun    = "Último (cliente)"
	// An association's freshness: how long ago its last full read of SGA ended.
	tFreshNow         = "agora"
	tFreshMinutes     = "há %d min"
	tFreshHours       = "há %d h"
	tFreshDays        = "há %d dias"
	tFreshNever       = "nunca"
	tFreshStatus      = "atualizado %s" // "atualizado há 2 h"
	tFreshStatusNever = "nunca atualizado"
	tFilter           = "Buscar: "
	tClearSearch      = "limpar a busca"
	tClientSearchHint = "nome, CPF, placa ou cidade"
	tOrderSearchHint  = "OS, contrato, placa ou cliente"

	// Run statuses.
	tStatusRunning     = "em andamento"
	tStatusSucceeded   = "concluído"
	tStatusPartial     = "concluído com erros"
	tStatusFailed      = "falhou"
	tStatusCancelled   = "cancelado"
	tStatusInterrupted = "interrompido"

	// Generic.
	tTooSmall  = "A janela é pequena demais: o console precisa de pelo menos 80×24 (agora %d×%d)."
	tLoading   = "Carregando…"
	tBack      = "voltar"
	tClose     = "fechar"
	tNextField = "próximo campo"
	tPrevField = "campo anterior"
	tMoreAbove = "há mais acima (pgup)"
	tMoreBelow = "há mais abaixo (pgdn)"
	tMoreBoth  = "há mais acima e abaixo (pgup/pgdn)"

	// A sync's end, its cancel, and quitting during one.
	tSyncDone        = "Sincronismo concluído: %s."
	tSyncDoneKind    = "Sincronismo concluído, %s: %s."
	tFullRead        = "leitura completa"
	tFullReadWhy     = "leitura completa %s"
	tIncrementalKind = "leitura das alterações"
	tSyncDoneWarn    = "Sincronismo concluído: %s; com aviso: %s."
	tSyncDoneWarnOf  = "Sincronismo concluído, com aviso: %s."
	tSyncDoneWarned  = "Sincronismo concluído, com aviso."
	tRunStatusWarn   = "%s: %s, com aviso: %s"
	tStatusWarned    = "%s, com aviso"
	tSyncCancelled   = "Sincronismo cancelado após %s."
	tSyncCancelledBy = "Sincronismo cancelado por %s após %s."
	tCancelledBy     = "Cancelado por %s."
	tSyncEnded       = "Sincronismo %s: %s"
	tConfirmCancel   = "Cancelar o sincronismo em andamento? (s/n)"
	tCancelling      = "Cancelando o sincronismo; ele para no próximo ponto salvo."
	tNothingToCancel = "Nenhum sincronismo em andamento."
	tQuitLocal       = "Um sincronismo está em andamento: sair o interrompe (o próximo continua de onde ele parou). Sair? (s/n)"
	tQuitOthersOne   = "%d sincronismo de outra associação para se você sair. Sair? (s/n)"
	tQuitOthersMany  = "%d sincronismos de outras associações param se você sair. Sair? (s/n)"
	tQuitServed      = "Um sincronismo está em andamento; ele continua no servidor. Sair do console? (s/n)"
	tQuitSyncEnded   = "O sincronismo terminou. Sair? (s/n)"
	tCancelSyncEnded = "O sincronismo terminou antes de ser cancelado: não há o que cancelar."
	tReason          = "Motivo"

	tShuttingDown = "servidor encerrando"
)

// Order kinds, counted (kindCount).
const (
	tRemovalOne    = "%d Retirada"
	tRemovalMany   = "%d Retiradas"
	tReinstallOne  = "%d Reinstalação"
	tReinstallMany = "%d Reinstalações"
	tInstallOne    = "%d Instalação"
	tInstallMany   = "%d Instalações"
)

// failureTexts says, for every code a run records for an SGA failure (sga.Kinds), why the run
// ended or what a page's error was. TestFailureTexts holds one for every code.
var failureTexts = map[string]string{
	sga.CodeCredentials: "Usuário ou Senha incorretos: o SGA recusou o login",
	sga.CodeSyncToken:   "Token do Sincronismo SGA inválido: gere de novo em Fornecedor > Configurar Sincronismo",
	sga.CodeRoute:       "uma rota necessária não está liberada para o token em Gerenciar APIs",
	sga.CodeHours:       "o usuário do SGA não pode acessar neste horário",
	sga.CodeUnreachable: "o SGA não respondeu no endereço configurado: confira a URL do SGA e a rede",
	sga.CodeTransient:   "o SGA falhou ou não respondeu",
	sga.CodeRate:        "requisições demais",
	sga.CodeInvalid:     "resposta ilegível",
}

// reasonText says why a run ended, from the engine's reason code.
func reasonText(code string) string {
	if t, ok := failureTexts[code]; ok {
		return t
	}
	switch code {
	case "no_product":
		return "o Código do Produto não está preenchido em Integração SGA"
	case "no_credentials":
		return "preencha o Sincronismo SGA ou o cadastro para uso manual em Integração SGA"
	case "not_found":
		return "o SGA não lista veículos com o nosso produto para este CPF"
	case "bad_cpf":
		return "CPF inválido"
	case "no_key":
		return "a chave dos segredos (ponte.db.key ou PONTE_SECRET_KEY) não está disponível"
	case "cancelled":
		return "cancelado"
	case "pages_failed":
		return "algumas páginas falharam; o próximo sincronismo as lê primeiro"
	case "too_many_gone":
		return "frota demais sumiu do SGA: nada foi marcado; confira o Código do Produto"
	case "none_ours":
		return "nenhum veículo da listagem do SGA tem o Código do Produto: confira-o em Integração SGA"
	case "interrupted":
		return "o processo do ponte parou antes de terminar; o próximo sincronismo continua de onde ele parou"
	case "":
		return ""
	}
	return "erro inesperado; veja o log"
}

// kindText names what a run error was.
func kindText(kind string) string {
	if t, ok := failureTexts[kind]; ok {
		return t
	}
	if kind == "record" {
		return "registro ilegível"
	}
	return "erro"
}

// Messages for failures the console reports without their (English) detail.
const (
	tLoadFailed  = "Não foi possível ler os dados; veja o log."
	tStartFailed = "Não foi possível iniciar o sincronismo; veja o log."
	tWrongClient = "é de outro cliente"
	tUnknownVeh  = "não encontrado"
)

// statusText names a run status.
func statusText(s string) string {
	switch s {
	case "running":
		return tStatusRunning
	case "succeeded":
		return tStatusSucceeded
	case "partial":
		return tStatusPartial
	case "failed":
		return tStatusFailed
	case "cancelled":
		return tStatusCancelled
	case "interrupted":
		return tStatusInterrupted
	}
	return s
}

// The guide's setup steps, shown by the integration page's panel.
const guideSteps = `Criando a Chave API no SGA
  1. No SGA, use o menu Área Cliente > APIs > Gerenciar APIs e clique em "Novo".
  2. Em "Selecione o Interveniente", use a opção "Associação".
  3. Em "Apelido do token", dê um nome ao token.
  4. Em "Permitir acesso", marque "Sim".
  5. Marque "Todos" em todos os endpoints e clique em "Salvar".
  6. Na coluna "Ações", clique no ícone das folhas para copiar a Chave API;
     o "Código do Produto" é o da coluna "Código".

Cadastro para uso automático
  1. No SGA, use Fornecedor > Listar Fornecedores e clique em "Novo".
  2. CNPJ: 18.355.184/0001-78 (a Razão Social é preenchida sozinha).
  3. Segmento: "Prestação de serviço". Telefone: (11) 4637-5366. Clique em "Salvar".
  4. Busque por "Tracknme"; na coluna Ações, escolha "Configurar Sincronismo".
  5. Marque "Sim" para a permissão de acesso e escolha um usuário para os logs.
  6. Em "Situações para envio ao fornecedor", habilite todas as opções.
  7. Em "Dados enviados ao fornecedor", verifique se todos os itens estão habilitados.
  8. Clique em "Salvar", volte à aba "Principal" e copie o token exposto.
  9. Cole-o no campo "Sincronismo SGA" e clique em "Atualizar Token".`

// shortTitles are the pages' names where the header has no room for the whole.
var shortTitles = map[string]string{
	tPageIntegration: "Integração",
	tPageAdmins:      "Admin.",
	tPageContracts:   "Contratos",
	tPageAssocs:      "Assoc.",
}

// runKindText names how a run read SGA.
func runKindText(kind string) string {
	switch kind {
	case "full":
		return "completa"
	case "incremental":
		return "alterações"
	case "client":
		return "cliente"
	}
	return kind
}

// weekdayText is a weekday's name.
func weekdayText(d time.Weekday) string {
	return [...]string{"domingo", "segunda", "terça", "quarta", "quinta", "sexta", "sábado"}[d]
}

// noteText says why a run read SGA's whole listing when the change feed was asked for.
func noteText(code string) string {
	switch code {
	case syncer.NoteFullDay:
		return "hoje é o dia da leitura completa desta associação"
	case syncer.NoteFullDaily:
		return "a leitura completa diária, que vê o que as alterações não mostram (produtos vinculados ou desvinculados)"
	case syncer.NoteNoFull:
		return "as alterações só são lidas depois de uma leitura completa, ao menos semanal"
	case syncer.NoteNeedsBoth:
		return "ler as alterações exige o cadastro para uso manual e o token de Sincronismo SGA"
	case syncer.NoteFeedDenied:
		return "as rotas de alterações não estão liberadas para o token em Gerenciar APIs do SGA"
	case syncer.NoteListingMoved:
		return "veículos entraram ou saíram da lista do SGA sem aparecer nas alterações"
	}
	return ""
}
