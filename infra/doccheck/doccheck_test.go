// Package doccheck_test keeps the repository's documentation a front door
// that stands alone: README.md short, every link and section citation
// pointing at a file and heading inside the repository, and nothing
// referring to documents a clone does not have.
package doccheck_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// maxReadmeLines keeps README.md something a newcomer reads in five
// minutes; the rest belongs under docs/.
const maxReadmeLines = 250

// root is the repository's top directory (this package is infra/doccheck).
const root = "../.."

// self is this file, which names what it forbids.
const self = "infra/doccheck/doccheck_test.go"

func TestReadmeIsShort(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(raw, []byte("\n")); n > maxReadmeLines {
		t.Errorf("README.md has %d lines, at most %d: move reference material to docs/ (api.md, operations.md, recovery.md, ARCHITECTURE.md) and link it", n, maxReadmeLines)
	}
}

// Every relative link of the documentation names a file inside the
// repository, and a heading of it when the link has an anchor.
func TestDocLinksResolveInsideTheRepository(t *testing.T) {
	docs := markdownDocs(t)
	if len(docs) < 5 {
		t.Fatalf("found only %d Markdown documents (%v): README.md, SECURITY.md and docs/*.md are expected", len(docs), docs)
	}
	checked := 0
	for _, doc := range docs {
		raw, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range links(string(raw)) {
			checked++
			if msg := resolve(doc, l.target); msg != "" {
				t.Errorf("%s:%d: link %q %s", doc, l.line, l.target, msg)
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked only %d links: is the link parser broken?", checked)
	}
}

// Code and configuration cite documentation by file and, optionally, a
// quoted heading (`docs/api.md "Large files"`, the start of its title) or an
// anchor (`docs/api.md#large-files`): each must exist.
func TestSectionCitationsNameRealHeadings(t *testing.T) {
	cite := regexp.MustCompile(`(?:^|[^\w/.-])((?:docs|bench|events)/[\w.-]+\.md|README\.md|SECURITY\.md|README)(?:#([\w-]+)|,? "([^"]{1,120})")?`)
	checked := 0
	for _, name := range trackedTextFiles(t) {
		if name == self || strings.HasSuffix(name, ".md") {
			continue // Markdown links are TestDocLinksResolveInsideTheRepository's
		}
		raw, _ := os.ReadFile(filepath.Join(root, name))
		for _, m := range cite.FindAllStringSubmatchIndex(string(raw), -1) {
			s := string(raw)
			doc := s[m[2]:m[3]]
			if doc == "README" {
				doc = "README.md"
			}
			line := 1 + strings.Count(s[:m[0]], "\n")
			checked++
			heads, err := headings(doc)
			if err != nil {
				t.Errorf("%s:%d cites %s, which does not exist", name, line, doc)
				continue
			}
			switch {
			case m[4] >= 0 && !heads.slugs[s[m[4]:m[5]]]:
				t.Errorf("%s:%d cites %s#%s: no such heading", name, line, doc, s[m[4]:m[5]])
			case m[6] >= 0 && !heads.titled(unwrap(s[m[6]:m[7]])):
				t.Errorf("%s:%d cites %s %q: no heading of it starts so", name, line, doc, unwrap(s[m[6]:m[7]]))
			}
		}
	}
	if checked == 0 {
		t.Error("no file cites the documentation: is the pattern broken?")
	}
}

// No tracked file refers to the design notes and API documents the project
// was started from, which a clone does not have, or to any path above it.
func TestNothingPointsOutsideTheRepository(t *testing.T) {
	forbidden := []string{"DESIGN.md", "DESIGN §", "shared/seeds", "000_9cc371bbc73bad5e", "004_6c25b543accc77a8"}
	up := regexp.MustCompile(`(?:\.\./)+shared\b`)
	files := trackedTextFiles(t)
	for _, name := range files {
		if name == self {
			continue
		}
		raw, _ := os.ReadFile(filepath.Join(root, name))
		for i, ln := range strings.Split(string(raw), "\n") {
			for _, f := range forbidden {
				if strings.Contains(ln, f) {
					t.Errorf("%s:%d refers to %q, which is not in the repository: cite docs/ARCHITECTURE.md or docs/api.md, or state the fact", name, i+1, f)
				}
			}
			for _, p := range up.FindAllString(ln, -1) {
				if escapes(path.Join(path.Dir(name), p)) {
					t.Errorf("%s:%d refers to %s, outside the repository", name, i+1, p)
				}
			}
		}
	}
}

// A Go statement quoted in the documentation as a function's main is one a
// main really has, so the example compiles.
func TestQuotedMainsAreReal(t *testing.T) {
	var mains []byte
	found, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if err != nil || len(found) == 0 {
		t.Fatalf("no functions/*/main.go: %v", err)
	}
	for _, f := range found {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mains = append(mains, raw...)
	}
	for _, doc := range markdownDocs(t) {
		raw, _ := os.ReadFile(filepath.Join(root, doc))
		for _, q := range regexp.MustCompile("lambda\\.Start\\([^`\n]*\\)").FindAllString(string(raw), -1) {
			if !bytes.Contains(mains, []byte(q)) {
				t.Errorf("%s quotes %s, which no functions/*/main.go says", doc, q)
			}
		}
	}
}

// unwrap joins a title a comment wrapped over lines ("Running it in\n//
// production").
func unwrap(title string) string {
	return strings.Join(strings.Fields(regexp.MustCompile(`\n\s*(?://+|#+|\*)`).ReplaceAllString(title, " ")), " ")
}

// trackedTextFiles are the repository's files as git sees them (tracked,
// and new files not ignored: what a clone will have), without binary ones.
func trackedTextFiles(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v (the test reads the files a clone has; it needs git and a checkout)", err)
	}
	var names []string
	for _, n := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		raw, err := os.ReadFile(filepath.Join(root, n))
		if err != nil || bytes.IndexByte(raw, 0) >= 0 {
			continue // deleted in the work tree, or binary
		}
		names = append(names, n)
	}
	if len(names) < 100 {
		t.Fatalf("git ls-files lists only %d text files", len(names))
	}
	return names
}

// markdownDocs are the tracked Markdown documents.
func markdownDocs(t *testing.T) []string {
	t.Helper()
	var docs []string
	for _, n := range trackedTextFiles(t) {
		if strings.HasSuffix(n, ".md") {
			docs = append(docs, n)
		}
	}
	return docs
}

type link struct {
	target string
	line   int
}

var (
	mdLink   = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	htmlLink = regexp.MustCompile(`\b(?:href|src)="([^"]+)"`)
	inline   = regexp.MustCompile("`[^`\n]*`")
)

// links are the link targets of a Markdown document outside code.
func links(doc string) []link {
	var out []link
	fenced := false
	for i, ln := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(ln), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		ln = inline.ReplaceAllString(ln, "")
		for _, re := range []*regexp.Regexp{mdLink, htmlLink} {
			for _, m := range re.FindAllStringSubmatch(ln, -1) {
				out = append(out, link{target: m[1], line: i + 1})
			}
		}
	}
	return out
}

var scheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// resolve checks one link of doc; "" means it is good.
func resolve(doc, target string) string {
	if scheme.MatchString(target) {
		return "" // a web address
	}
	file, anchor, _ := strings.Cut(target, "#")
	name := doc
	if file != "" {
		if strings.HasPrefix(file, "/") {
			return "is absolute: link relative to the document"
		}
		name = path.Join(path.Dir(doc), file)
		if escapes(name) {
			return "leaves the repository"
		}
		if _, err := os.Stat(filepath.Join(root, name)); err != nil {
			return "names no file of the repository"
		}
	}
	if anchor == "" {
		return ""
	}
	if !strings.HasSuffix(name, ".md") {
		return "has an anchor into a file that is not Markdown"
	}
	heads, err := headings(name)
	if err != nil {
		return err.Error()
	}
	if !heads.slugs[anchor] {
		return fmt.Sprintf("names no heading of %s (its anchors: %s)", name, strings.Join(heads.list, ", "))
	}
	return ""
}

// escapes reports whether a cleaned repository-relative path leaves it.
func escapes(p string) bool {
	p = path.Clean(p)
	return p == ".." || strings.HasPrefix(p, "../")
}

type headingSet struct {
	slugs  map[string]bool
	titles []string
	list   []string
}

// titled reports whether a heading starts with title (citations may
// shorten a long heading).
func (h headingSet) titled(title string) bool {
	for _, t := range h.titles {
		if strings.HasPrefix(strings.ToLower(t), strings.ToLower(title)) {
			return true
		}
	}
	return false
}

// headings reads a document's headings and their GitHub anchors.
func headings(doc string) (headingSet, error) {
	raw, err := os.ReadFile(filepath.Join(root, doc))
	if err != nil {
		return headingSet{}, err
	}
	h := headingSet{slugs: map[string]bool{}}
	seen := map[string]int{}
	fenced := false
	for _, ln := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(strings.TrimSpace(ln), "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(ln, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(ln, "#"))
		plain := strings.ReplaceAll(title, "`", "")
		s := slug(plain)
		if n := seen[s]; n > 0 {
			seen[s]++
			s = fmt.Sprintf("%s-%d", s, n)
		} else {
			seen[s] = 1
		}
		h.slugs[s] = true
		h.titles = append(h.titles, plain)
		h.list = append(h.list, s)
	}
	return h, nil
}

// slug is GitHub's anchor for a heading: lower case, spaces to hyphens,
// punctuation other than hyphens and underscores dropped.
func slug(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Every repository path and Go test the documentation names in code spans
// exists, so a moved file or a renamed test cannot leave a document behind.
func TestDocNamesExistingPathsAndTests(t *testing.T) {
	files := trackedTextFiles(t)
	tests := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Benchmark|Example)\w*)\(`)
	for _, n := range files {
		if strings.HasSuffix(n, "_test.go") {
			raw, _ := os.ReadFile(filepath.Join(root, n))
			for _, m := range decl.FindAllStringSubmatch(string(raw), -1) {
				tests[m[1]] = true
			}
		}
	}
	if len(tests) < 100 {
		t.Fatalf("found only %d Go tests", len(tests))
	}
	top := regexp.MustCompile(`^(?:functions|shared|infra|cmd|filegate|events|openapi|web|bench|docs)/[\w./*-]*$|^(?:template\.yaml|samconfig\.toml|Makefile|go\.mod|SECURITY\.md|README\.md)$`)
	testName := regexp.MustCompile(`^(?:Test|Fuzz|Benchmark)[A-Z]\w*$`)
	span := regexp.MustCompile("`([^`\n]+)`")
	paths, names := 0, 0
	for _, doc := range markdownDocs(t) {
		raw, _ := os.ReadFile(filepath.Join(root, doc))
		for i, ln := range strings.Split(string(raw), "\n") {
			for _, m := range span.FindAllStringSubmatch(ln, -1) {
				s := m[1]
				switch {
				case testName.MatchString(s) && doc != "SECURITY.md": // TestSecurityTableNamesRealTests reads that one
					names++
					if !tests[s] {
						t.Errorf("%s:%d names %s, which no _test.go file defines", doc, i+1, s)
					}
				case top.MatchString(s):
					paths++
					found, _ := filepath.Glob(filepath.Join(root, strings.TrimSuffix(s, "/")))
					if len(found) == 0 {
						t.Errorf("%s:%d names %s, which is not in the repository", doc, i+1, s)
					}
				}
			}
		}
	}
	if paths < 20 || names < 10 {
		t.Errorf("checked only %d paths and %d test names: is the pattern broken?", paths, names)
	}
}
