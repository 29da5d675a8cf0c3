module example.com/wasm

go 1.25
