package x

import "testing"

func decode(b []byte) byte { return b[len(b)] }

func TestDecode(t *testing.T) {
	if decode([]byte("ab")) != 'b' {
		t.Fatal("bad")
	}
}
