package capillary_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportedIdentifiersAreDocumented holds the project rule that every exported identifier
// has a doc comment starting with its name (a parenthesised const or var group may share one).
func TestExportedIdentifiersAreDocumented(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "capillarytest", "bulk"} {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		fset := token.NewFileSet()
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			for _, problem := range undocumented(f) {
				t.Errorf("%s: %s", fset.Position(problem.pos), problem.what)
			}
		}
	}
}

type docProblem struct {
	pos  token.Pos
	what string
}

func undocumented(f *ast.File) []docProblem {
	var out []docProblem
	check := func(pos token.Pos, name string, doc *ast.CommentGroup) {
		if !ast.IsExported(name) {
			return
		}
		if doc == nil {
			out = append(out, docProblem{pos, name + " has no doc comment"})
			return
		}
		text := strings.TrimSpace(doc.Text())
		first, _, _ := strings.Cut(text, " ")
		if strings.TrimRight(first, ":,.") != name {
			out = append(out, docProblem{pos, name + "'s doc comment does not start with its name: " + first})
		}
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv != nil && !exportedReceiver(d.Recv) {
				continue
			}
			check(d.Pos(), d.Name.Name, d.Doc)
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					doc := s.Doc
					if doc == nil && !d.Lparen.IsValid() {
						doc = d.Doc
					}
					check(s.Pos(), s.Name.Name, doc)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if !ast.IsExported(n.Name) {
							continue
						}
						if s.Doc == nil && d.Doc != nil && d.Lparen.IsValid() {
							continue // documented as a group
						}
						doc := s.Doc
						if doc == nil {
							doc = d.Doc
						}
						if doc == nil && s.Comment != nil {
							continue // a trailing line comment documents one value of a group
						}
						check(n.Pos(), n.Name, doc)
					}
				}
			}
		}
	}
	return out
}

func exportedReceiver(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if idx, ok := typ.(*ast.IndexExpr); ok {
		typ = idx.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && ast.IsExported(id.Name)
}
