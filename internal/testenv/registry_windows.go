package testenv

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// SetRegistry writes registry values (uint32, string, []byte; nil deletes) for the length of a test and puts the
// old ones back. Real Windows only with NEWAPI_DOCTOR_TEST_REGISTRY=1: the
// test changes the user's proxy settings while it runs.
func SetRegistry(t *testing.T, root registry.Key, path string, values map[string]any) {
	t.Helper()
	if !Wine() && os.Getenv("NEWAPI_DOCTOR_TEST_REGISTRY") != "1" {
		t.Skip("changes this user's proxy settings while it runs: set NEWAPI_DOCTOR_TEST_REGISTRY=1 (always on under wine)")
	}
	k, _, err := registry.CreateKey(root, path, registry.ALL_ACCESS)
	if errors.Is(err, registry.ErrNotExist) || errors.Is(err, os.ErrPermission) {
		t.Skipf("cannot write %s: %v (HKLM needs Administrator)", path, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() }) // first in, last out: after the restores
	for name, v := range values {
		old := make([]byte, 4096)
		n, typ, oldErr := k.GetValue(name, old)
		t.Cleanup(func() {
			if oldErr != nil {
				k.DeleteValue(name)
			} else {
				restoreValue(k, name, typ, old[:n])
			}
		})
		switch v := v.(type) {
		case uint32:
			err = k.SetDWordValue(name, v)
		case string:
			err = k.SetStringValue(name, v)
		case []byte:
			err = k.SetBinaryValue(name, v)
		case nil:
			err = k.DeleteValue(name)
			if errors.Is(err, registry.ErrNotExist) {
				err = nil
			}
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

func restoreValue(k registry.Key, name string, typ uint32, b []byte) {
	switch typ {
	case registry.DWORD:
		if len(b) >= 4 {
			k.SetDWordValue(name, uint32(b[0])|uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24)
		}
	case registry.SZ, registry.EXPAND_SZ:
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		k.SetStringValue(name, windows.UTF16ToString(u))
	default:
		k.SetBinaryValue(name, b)
	}
}
