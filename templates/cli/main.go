// Command cli is a starting point for a command-line program built with goflake.
package main

import (
	"flag"
	"fmt"
	"os"
)

// version is the program's own; the flake stamps its release version over it
// (-X main.version=<version>), from the newest v* tag once there is one.
var version = "0.1.0"

func greeting(name string) string {
	return fmt.Sprintf("hello, %s (version %s)", name, version)
}

func main() {
	name := flag.String("name", "world", "who to greet")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version)
		os.Exit(0)
	}
	fmt.Println(greeting(*name))
}
