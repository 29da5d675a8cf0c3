package main

import "testing"

func TestGreeting(t *testing.T) {
	if got := greeting("nix"); got != "hello, nix (version "+version+")" {
		t.Fatalf("greeting = %q", got)
	}
}
