package norm

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The rules this package holds are written nowhere else: TestOneDefinition reads every
// non-test Go file of the module outside this package and fails on a second definition of
// one of them, in any of the shapes the copies it replaced had. It looks for
//   - a function named as one of these rules (FoldAccents, OnlyDigits, NormalizePlate,
//     ValidCPF, formatCPF, ...), or one about a CPF that computes modulo 11;
//   - the CPF mask written out (d[:3] + "." + d[3:6] ...);
//   - an accent table: a marked letter mapped to its plain one ("á", "a"), or a run of
//     marked letters of one base ("ÀÁÂ");
//   - a digits-only filter, a plate normaliser or an all-digits test: an if whose whole
//     condition is r >= '0' && r <= '9', or (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'),
//     and that only keeps r; or r < '0' || r > '9' and that only answers false.

// ruleName matches the names the copies had, and the names of this package's rules, in any
// case.
var ruleName = regexp.MustCompile(`(?i)^(fold(key|accents?|runes?)?|(fold|remove|strip)?accents|baseletter|` +
	`(only)?digits(only)?|(all|is)digits|(normali[sz]e)?plate|(check|valid|format|mask)?cpf|cpf(check)?digits?)$`)

// accentTable matches a marked letter mapped to its plain one, or three marked letters of
// one base in a row, as no word has them.
var accentTable = regexp.MustCompile(`"[À-ÅàåĀ-ąÇçĆ-čÈ-ËèéêëĒ-ěÌ-ÏìíîïĪ-įÒ-ÖØò-öøŌ-őÙ-Üù-üŪ-ű]"\s*,\s*"[aceinouyACEINOUY]"|` +
	`[À-Åà-å]{3}|[È-Ëè-ë]{3}|[Ò-Öò-ö]{3}|[Ù-Üù-ü]{3}`)

// cpfMask matches the CPF mask written out: d[:3] + "." + d[3:6] ...
var cpfMask = regexp.MustCompile(`\[:3\]\s*\+\s*"\."\s*\+\s*[\w.]+\[3:6\]`)

func TestOneDefinition(t *testing.T) {
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the module's root is not two folders up: %v", err)
	}
	here, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != root || d.Name() == "testdata"):
			return filepath.SkipDir
		case d.IsDir():
			if abs, _ := filepath.Abs(path); abs == here {
				return filepath.SkipDir
			}
			return nil
		case !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		files++
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, problem := range secondDefinitions(t, rel, src) {
			t.Errorf("%s; ask ponte/store/norm instead", problem)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("read only %d Go files: the walk missed the module", files)
	}
}

// secondDefinitions says where src defines again a rule of this package.
func secondDefinitions(t *testing.T, name string, src []byte) []string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []string
	at := func(pos token.Pos, what string) {
		out = append(out, fset.Position(pos).String()+": "+what)
	}
	if m := cpfMask.FindIndex(src); m != nil {
		at(f.FileStart+token.Pos(m[0]), "a CPF mask")
	}
	if m := accentTable.FindIndex(src); m != nil {
		at(f.FileStart+token.Pos(m[0]), "an accent table ("+string(src[m[0]:m[1]])+")")
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if ruleName.MatchString(n.Name.Name) {
				at(n.Pos(), "func "+n.Name.Name+" is named as one of norm's rules")
			}
			if n.Body != nil && strings.Contains(strings.ToUpper(n.Name.Name+n.Doc.Text()), "CPF") && modulo11(n.Body) {
				at(n.Pos(), "func "+n.Name.Name+" computes a CPF's check digits")
			}
		case *ast.IfStmt:
			if v, ok := digitRange(n.Cond, token.GEQ, token.LAND, token.LEQ); ok && keepsOnly(n.Body, v) {
				at(n.Pos(), "a digits-only filter")
			}
			if _, ok := digitRange(n.Cond, token.LSS, token.LOR, token.GTR); ok && answersFalse(n.Body) {
				at(n.Pos(), "an all-digits test")
			}
			if v, ok := plateFilter(n.Cond); ok && keepsOnly(n.Body, v) {
				at(n.Pos(), "a plate normaliser")
			}
		}
		return true
	})
	return out
}

// digitRange reports whether cond is exactly x lo '0' join x hi '9', and returns x.
func digitRange(cond ast.Expr, lo, join, hi token.Token) (string, bool) {
	return charRange(cond, lo, join, hi, "'0'", "'9'")
}

// plateFilter reports whether cond is exactly (x >= 'A' && x <= 'Z') || (x >= '0' && x <=
// '9'), the letters and digits a plate keeps, and returns x.
func plateFilter(cond ast.Expr) (string, bool) {
	b, ok := cond.(*ast.BinaryExpr)
	if !ok || b.Op != token.LOR {
		return "", false
	}
	x, letters := charRange(b.X, token.GEQ, token.LAND, token.LEQ, "'A'", "'Z'")
	y, digits := digitRange(b.Y, token.GEQ, token.LAND, token.LEQ)
	return x, letters && digits && x == y
}

// charRange reports whether cond is exactly x lo from join x hi to, and returns x.
func charRange(cond ast.Expr, lo, join, hi token.Token, from, to string) (string, bool) {
	for {
		p, ok := cond.(*ast.ParenExpr)
		if !ok {
			break
		}
		cond = p.X
	}
	b, ok := cond.(*ast.BinaryExpr)
	if !ok || b.Op != join {
		return "", false
	}
	side := func(e ast.Expr, op token.Token, lit string) string {
		c, ok := e.(*ast.BinaryExpr)
		if !ok || c.Op != op {
			return ""
		}
		if l, ok := c.Y.(*ast.BasicLit); !ok || l.Value != lit {
			return ""
		}
		return exprText(c.X)
	}
	x := side(b.X, lo, from)
	return x, x != "" && x == side(b.Y, hi, to)
}

// exprText is e written out, for comparing two sides of a condition.
func exprText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.IndexExpr:
		return exprText(e.X) + "[" + exprText(e.Index) + "]"
	case *ast.SelectorExpr:
		return exprText(e.X) + "." + e.Sel.Name
	}
	return ""
}

// keepsOnly reports whether body is one statement that keeps v: writes it, appends it or
// returns it.
func keepsOnly(body *ast.BlockStmt, v string) bool {
	if len(body.List) != 1 {
		return false
	}
	keeps := false
	ast.Inspect(body.List[0], func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == v {
			keeps = true
		}
		return true
	})
	switch s := body.List[0].(type) {
	case *ast.ExprStmt, *ast.ReturnStmt:
		return keeps
	case *ast.AssignStmt:
		return keeps && len(s.Rhs) == 1 && isCall(s.Rhs[0], "append")
	}
	return false
}

func isCall(e ast.Expr, name string) bool {
	c, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := c.Fun.(*ast.Ident)
	return ok && id.Name == name
}

// answersFalse reports whether body is return false.
func answersFalse(body *ast.BlockStmt) bool {
	if len(body.List) != 1 {
		return false
	}
	r, ok := body.List[0].(*ast.ReturnStmt)
	if !ok || len(r.Results) != 1 {
		return false
	}
	id, ok := r.Results[0].(*ast.Ident)
	return ok && id.Name == "false"
}

// modulo11 reports whether body computes something modulo 11.
func modulo11(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if b, ok := n.(*ast.BinaryExpr); ok && b.Op == token.REM {
			if l, ok := b.Y.(*ast.BasicLit); ok && l.Value == "11" {
				found = true
			}
		}
		return !found
	})
	return found
}
