package testenv

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
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

// TestStartRetriesOnlyWinesGap: a start that failed with wine's
// ERROR_INTERNAL_ERROR is retried with a fresh command under wine only; any
// other error, or the same one elsewhere, is returned at once.
func TestStartRetriesOnlyWinesGap(t *testing.T) {
	gap := &fs.PathError{Op: "fork/exec", Path: "newapi-doctor.exe", Err: errInternal}
	other := &fs.PathError{Op: "fork/exec", Path: "newapi-doctor.exe", Err: syscall.ENOENT}
	for _, tc := range []struct {
		name      string
		wine      bool
		errs      []error // what each start returns; nil starts
		wantBuilt int
		wantErr   error
	}{
		{"wine gap once, then started", true, []error{gap, nil}, 2, nil},
		{"wine gap twice, then started", true, []error{gap, gap, nil}, 3, nil},
		{"wine gap every time", true, []error{gap, gap, gap, gap, gap}, startAttempts, errInternal},
		{"other error under wine", true, []error{other, nil}, 1, syscall.ENOENT},
		{"same errno natively", false, []error{gap, nil}, 1, errInternal},
		{"started at once", false, []error{nil}, 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var built []*exec.Cmd
			calls := 0
			cmd, err := start(func() *exec.Cmd {
				c := exec.Command("newapi-doctor.exe")
				built = append(built, c)
				return c
			}, tc.wine, func(*exec.Cmd) error {
				err := tc.errs[calls]
				calls++
				return err
			})
			if len(built) != tc.wantBuilt {
				t.Fatalf("built %d commands, want %d", len(built), tc.wantBuilt)
			}
			if tc.wantErr == nil {
				if err != nil || cmd != built[len(built)-1] {
					t.Fatalf("want the last command started, got %v %v", cmd, err)
				}
				return
			}
			if cmd != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("want error %v, got %v %v", tc.wantErr, cmd, err)
			}
			if len(built) == startAttempts && !strings.Contains(err.Error(), string(GapCreateProcess)) {
				t.Errorf("the last error does not name the gap: %v", err)
			}
		})
	}
}
