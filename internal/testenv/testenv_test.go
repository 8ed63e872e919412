package testenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestNoBareTempDir keeps the Windows tests runnable under wine: testing's
// own TempDir cleanup fails there (GapDeleteEx) and fails the test, so tests
// use TempDir from this package. A bare t.TempDir() is caught here, on Linux,
// before it breaks the wine step of CI.
func TestNoBareTempDir(t *testing.T) {
	bare := regexp.MustCompile(`\b(t|tb)\.TempDir\(\)`)
	root := filepath.Join("..", "..")
	var found []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		// Files for other OSes never run under wine.
		if !strings.HasSuffix(p, "_test.go") || strings.Contains(filepath.ToSlash(p), "internal/testenv/") ||
			strings.HasSuffix(p, "_linux_test.go") || strings.HasSuffix(p, "_unix_test.go") || strings.HasSuffix(p, "_darwin_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if bare.MatchString(line) {
				found = append(found, p+":"+strconv.Itoa(i+1))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("use testenv.TempDir(t), not t.TempDir() (wine cannot RemoveAll; see internal/testenv): %s", strings.Join(found, ", "))
	}
}
