package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// Every command opens the database through openStore, which gives the same messages for a
// missing, held or damaged database and hands over the server's store over SSH: a command
// that called store.Open itself would skip them. openStore is the one caller.
func TestCommandsOpenTheStoreThroughOpenStore(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Open" {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "store" && fn.Name.Name != "openStore" {
					t.Errorf("%s: %s calls store.Open; open the database with openStore", fset.Position(sel.Pos()), fn.Name.Name)
				}
				return true
			})
		}
	}
}
