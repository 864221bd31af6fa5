package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/httpapi"
)

// emittedCodes reads the error codes the server can answer from the
// source: the root package's E… string constants, and the codes this
// package writes as literals. A new code is found without being listed
// anywhere.
func emittedCodes(t *testing.T) map[string]string {
	t.Helper()
	codes := map[string]string{} // code → where it is defined
	fset := token.NewFileSet()
	for _, dir := range []string{"..", "."} {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		var files []*ast.File
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.GenDecl:
					if n.Tok != token.CONST || dir != ".." {
						return true
					}
					for _, spec := range n.Specs {
						vs := spec.(*ast.ValueSpec)
						for i, name := range vs.Names {
							if !regexp.MustCompile(`^E[A-Z]+$`).MatchString(name.Name) || i >= len(vs.Values) {
								continue
							}
							if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								code, _ := strconv.Unquote(lit.Value)
								codes[code] = fset.Position(name.Pos()).String()
							}
						}
					}
				case *ast.KeyValueExpr:
					if key, ok := n.Key.(*ast.Ident); ok && key.Name == "Code" && dir == "." {
						if lit, ok := n.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							code, _ := strconv.Unquote(lit.Value)
							codes[code] = fset.Position(lit.Pos()).String()
						}
					}
				}
				return true
			})
		}
	}
	if len(codes) < 10 {
		t.Fatalf("found only %d error codes in the source: %v", len(codes), codes)
	}
	return codes
}

// Every code the server can answer is in the Error schema's enum, with
// its status in the descriptions, and the enum lists nothing else.
func TestOpenAPIListsEveryErrorCode(t *testing.T) {
	doc := loadOpenAPI(t)
	code := obj(doc, "components", "schemas", "Error", "properties", "error", "properties", "code")
	enum, _ := code["enum"].([]any)
	desc, _ := code["description"].(string)
	info, _ := obj(doc, "info")["description"].(string)
	documented := map[string]bool{}
	for _, v := range enum {
		documented[v.(string)] = true
	}
	emitted := emittedCodes(t)
	for c, where := range emitted {
		if !documented[c] {
			t.Errorf("code %q (%s) is not in the Error code enum", c, where)
		}
		status, ok := httpapi.StatusOf(c)
		if c == "method_not_allowed" {
			status, ok = http.StatusMethodNotAllowed, true
		}
		if !ok {
			t.Errorf("code %q (%s) has no HTTP status", c, where)
			continue
		}
		mention := c + " " + strconv.Itoa(status)
		if !strings.Contains(desc, mention) || !strings.Contains(info, mention) {
			t.Errorf("the code's and the API's descriptions do not say %q", mention)
		}
	}
	for c := range documented {
		if _, ok := emitted[c]; !ok {
			t.Errorf("the enum lists %q, which the server never answers", c)
		}
	}
}

// Every route says who may call it: the public ones have no security
// requirement, every other one lists its roles in x-roles, and those are
// exactly the roles the server lets through, as a probe of each route
// with each role's token finds; the refusals it can answer for a role or
// a path parameter (403, 400) are documented.
func TestOpenAPIDocumentsEveryRoutesRoles(t *testing.T) {
	doc := loadOpenAPI(t)
	paths := obj(doc, "paths")
	s := newStack(t)
	key, _ := s.addPlugin()
	s.tokens["visitor"], _ = s.visitor(key, `{}`)
	api := httpapi.New(httpapi.Config{Engine: s.eng, Feed: s.feed, Directory: s.directory(), Config: s.db, Logger: quietLog()})
	client := &http.Client{Timeout: 10 * time.Second}
	param := regexp.MustCompile(`\{[a-z_]+\}`)

	// allowed probes route with role's token. A role is refused by the
	// route's role check, and on two routes by a rule for the whole route
	// that the handler applies: visitors run only their side's commands,
	// agents read no queue's waits.
	allowed := func(method, path, role string) bool {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var body io.Reader
		if method != "GET" && method != "DELETE" {
			body = strings.NewReader(`{}`)
		}
		req, _ := http.NewRequestWithContext(ctx, method, s.srv.URL+param.ReplaceAllString(path, "999999"), body)
		req.Header.Set("Authorization", "Bearer "+s.tokens[role])
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s as %s: %v", method, path, role, err)
		}
		defer res.Body.Close() // a stream is not read
		if res.StatusCode != http.StatusForbidden {
			return true
		}
		var e struct{ Error struct{ Message string } }
		json.NewDecoder(res.Body).Decode(&e)
		switch e.Error.Message {
		case fmt.Sprintf("the %s role may not do this", role), "a visitor may only send, recall, rate and end",
			"agents may read only their own rows of the agent reports":
			return false
		}
		return true
	}

	roles := []string{"supervisor", "agent", "integration", "visitor"}
	for _, route := range api.Routes() {
		method, path, _ := strings.Cut(route, " ")
		expanded := []string{path}
		if path == commandRoute {
			expanded = expanded[:0]
			for _, c := range sessionCommands() {
				expanded = append(expanded, "/api/v1/sessions/{id}/"+c)
			}
		}
		for _, p := range expanded {
			op := obj(paths, p, strings.ToLower(method))
			if op == nil {
				continue // TestOpenAPIDocumentsEveryRoute reports it
			}
			xroles, hasRoles := op["x-roles"].([]any)
			if sec, ok := op["security"].([]any); ok && len(sec) == 0 {
				if hasRoles {
					t.Errorf("%s %s is public but lists roles %v", method, p, xroles)
				}
				continue
			}
			if !hasRoles || len(xroles) == 0 {
				t.Errorf("%s %s does not list its roles (x-roles)", method, p)
				continue
			}
			var documented []string
			for _, r := range xroles {
				documented = append(documented, r.(string))
			}
			// A route that refuses a role answers 403, one with a
			// path parameter 400 for a bad one: both are documented.
			if len(documented) < len(roles)+1 && obj(op, "responses", "403") == nil {
				t.Errorf("%s %s refuses some roles but documents no 403", method, p)
			}
			if param.MatchString(p) && obj(op, "responses", "400") == nil {
				t.Errorf("%s %s takes a path parameter but documents no 400", method, p)
			}
			if !slices.Contains(documented, "admin") {
				t.Errorf("%s %s: x-roles %v lack admin, who may do everything", method, p, documented)
			}
			for _, role := range roles {
				if got, want := allowed(method, p, role), slices.Contains(documented, role); got != want {
					t.Errorf("%s %s: the server lets %s through: %v; x-roles %v", method, p, role, got, documented)
				}
			}
		}
	}
}
