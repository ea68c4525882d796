package sga

// Wire types: what SGA sends, with SGA's field names. Fields that no route has been seen to send
// are absent; fields a route omits stay zero. The syncer maps these onto store records.

// Member is an associado as associado/buscar returns it.
type Member struct {
	Code        Int    `json:"codigo_associado"`
	Name        Text   `json:"nome"`
	CPF         Text   `json:"cpf"`
	RG          Text   `json:"rg"`
	Sex         Text   `json:"sexo"`
	BirthDate   Date   `json:"data_nascimento"`
	Phone       Text   `json:"telefone_fixo"`
	Mobile      Text   `json:"telefone_celular"`
	Email       Text   `json:"email"`
	ZIP         Text   `json:"cep"`
	Street      Text   `json:"logradouro"`
	Number      Text   `json:"numero"`
	Complement  Text   `json:"complemento"`
	District    Text   `json:"bairro"`
	City        Text   `json:"cidade"`
	State       Text   `json:"estado"`
	Situation   Int    `json:"codigo_situacao"`
	SituationDs Text   `json:"descricao_situacao"`
	Vehicles    []Stub `json:"veiculos"`
}

// Stub is a vehicle as a member record lists it.
type Stub struct {
	Code    Int  `json:"codigo_veiculo"`
	Plate   Text `json:"placa"`
	Chassis Text `json:"chassi"`
}

// Vehicle is a vehicle as veiculo/buscar and listar/veiculo return it. The two routes name the
// owner's fields differently; Owner reads whichever came.
type Vehicle struct {
	Code          Int   `json:"codigo_veiculo"`
	Plate         Text  `json:"placa"`
	Chassis       Text  `json:"chassi"`
	Renavam       Text  `json:"renavam"`
	FipeCode      Text  `json:"codigo_fipe"`
	FipeValue     Money `json:"valor_fipe"`
	YearMade      Int   `json:"ano_fabricacao"`
	YearModel     Int   `json:"ano_modelo"`
	Type          Text  `json:"tipo"`
	Category      Text  `json:"categoria"`
	Brand         Text  `json:"marca"`
	Model         Text  `json:"modelo"`
	Color         Text  `json:"cor"`
	MemberCode    Int   `json:"codigo_associado"`
	OwnerName     Text  `json:"nome"`
	OwnerCPF      Text  `json:"cpf"`
	MemberName    Text  `json:"nome_associado"`
	MemberCPF     Text  `json:"cpf_associado"`
	MobileDDD     Text  `json:"ddd_celular"`
	Mobile        Text  `json:"telefone_celular"`
	Email         Text  `json:"email"`
	City          Text  `json:"cidade"`
	State         Text  `json:"estado"`
	Situation     Int   `json:"codigo_situacao"`
	SituationDs   Text  `json:"descricao_situacao"`
	RegisteredOn  Date  `json:"data_cadastro"`
	ContractDate  Date  `json:"data_contrato"`
	Cooperative   Int   `json:"codigo_cooperativa"`
	Regional      Int   `json:"codigo_regional"`
	VolunteerName Text  `json:"nome_voluntario"`
}

// Owner returns the owner's name and CPF from whichever pair of fields the route filled.
func (v Vehicle) Owner() (name, cpf string) {
	name, cpf = string(v.OwnerName), string(v.OwnerCPF)
	if name == "" {
		name = string(v.MemberName)
	}
	if cpf == "" {
		cpf = string(v.MemberCPF)
	}
	return name, cpf
}

// ProductVehicle is a row of veiculo/listar-veiculo-produto/{situacao}: a vehicle, its owner
// and the products linked to it.
type ProductVehicle struct {
	Code         Int      `json:"codigo_veiculo"`
	Plate        Text     `json:"placa"`
	Chassis      Text     `json:"chassi"`
	Renavam      Text     `json:"renavam"`
	MemberCode   Int      `json:"codigo_associado"`
	Type         Text     `json:"descricao_tipo"`
	Category     Text     `json:"descricao_categoria"`
	FipeValue    Money    `json:"valor_fipe"`
	YearMade     Int      `json:"ano_fabricacao"`
	YearModel    Int      `json:"ano_modelo"`
	Brand        Text     `json:"descricao_marca"`
	Model        Text     `json:"descricao_modelo"`
	Color        Text     `json:"descricao_cor"`
	OwnerName    Text     `json:"nome"`
	OwnerCPF     Text     `json:"cpf"`
	MobileDDD    Text     `json:"ddd_celular"`
	Mobile       Text     `json:"telefone_celular"`
	Email        Text     `json:"email"`
	City         Text     `json:"cidade"`
	State        Text     `json:"estado"`
	Situation    Int      `json:"codigo_situacao"`
	SituationDs  Text     `json:"descricao_situacao"`
	RegisteredOn Date     `json:"data_cadastro_veiculo"`
	ContractDate Date     `json:"data_contrato_veiculo"`
	Products     Products `json:"produtos_vinculados"`
}

// SyncRecord is a record of the supplier-sync routes: a vehicle with its member and the map of
// the supplier's products it carries. Which fields come depends on the association's
// "Dados enviados ao fornecedor" settings, so every field may be empty.
type SyncRecord struct {
	// The listing carries more (FIPE code and value, vehicle type, model code, RG, birth date,
	// cooperative, regional, volunteer): ponte keeps none of it, so the scanner skips those
	// keys instead of parsing a value per field per record.
	VehicleCode Int      `json:"codigo_veiculo"`
	Plate       Text     `json:"placa"`
	Chassis     Text     `json:"chassi"`
	Renavam     Text     `json:"renavam"`
	YearMade    Int      `json:"ano_fabricacao"`
	YearModel   Int      `json:"ano_modelo"`
	Brand       Text     `json:"descricao_marca"`
	Model       Text     `json:"descricao_modelo"`
	Color       Text     `json:"descricao_cor"`
	MemberCode  Int      `json:"codigo_associado"`
	MemberName  Text     `json:"nome_associado"`
	CPF         Text     `json:"cpf"`
	MobileDDD   Text     `json:"ddd_celular"`
	Mobile      Text     `json:"telefone_celular"`
	Phone       Text     `json:"telefone"`
	Email       Text     `json:"email"`
	City        Text     `json:"cidade"`
	State       Text     `json:"estado"`
	Situation   Int      `json:"codigo_situacao"`
	SituationDs Text     `json:"descricao_situacao"`
	Products    Products `json:"produtos"`
}

// Situation is a row of listar/situacao: SGA's situação codes differ per association.
type Situation struct {
	Code        Int  `json:"codigo_situacao"`
	Description Text `json:"descricao_situacao"`
	Status      Text `json:"situacao"`
}

// LinkedProducts is the answer of produto-vinculado-veiculo/listar: a vehicle's products.
type LinkedProducts struct {
	VehicleCode Int      `json:"codigo_veiculo"`
	FixedValue  Money    `json:"valor_fixo"`
	Products    Products `json:"produtos"`
	Additional  Products `json:"produtos_adicionais"`
}

// VehiclePage is one page of listar/veiculo.
type VehiclePage struct {
	Vehicles []Vehicle
	Bad      []RecordError // records of the page that could not be read
	Total    int           // total_veiculos, over all pages
	Showing  int           // the "mostrando " key: rows on this page, as SGA counts them
	Pages    int           // numero_paginas
}

// ProductVehiclePage is one page of veiculo/listar-veiculo-produto.
type ProductVehiclePage struct {
	Vehicles []ProductVehicle
	Bad      []RecordError
}

// SyncPage is one page of the supplier-sync listing.
type SyncPage struct {
	Number  int // 1-based
	Records []SyncRecord
	Bad     []RecordError
}

// PageCount is the supplier-sync listing's size.
type PageCount struct {
	Pages   int
	Records int
}

var (
	vehicleKeys = []string{"codigo_veiculo", "placa", "chassi"}
	memberKeys  = []string{"codigo_associado", "cpf"}
	syncKeys    = []string{"codigo_veiculo", "codigo_associado", "placa"}
)
