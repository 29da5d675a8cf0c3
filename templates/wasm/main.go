// Command wasm is a starting point for a Go program that runs as WebAssembly: in a browser or
// Node (js/wasm, with wasm_exec.js) and under a WASI runtime (wasip1/wasm).
package main

import (
	"fmt"
	"runtime"
)

// version is the program's own; the flake stamps its release version over it
// (-X main.version=<version>), from the newest v* tag once there is one.
var version = "0.1.0"

func describe() string {
	return fmt.Sprintf("hello from %s/%s (version %s)", runtime.GOOS, runtime.GOARCH, version)
}

func main() {
	fmt.Println(describe())
}
