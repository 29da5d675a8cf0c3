package main

import (
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	if !strings.HasPrefix(describe(), "hello from ") {
		t.Fatalf("describe = %q", describe())
	}
}
