{
  description = "goflake: build, cross-compile and ship Go programs with Nix";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      cargoToml = builtins.fromTOML (builtins.readFile ./Cargo.toml);
    in
    {
      packages = forAllSystems (pkgs: {
        default = pkgs.rustPlatform.buildRustPackage {
          pname = "goflake";
          inherit (cargoToml.workspace.package) version;
          src = pkgs.lib.cleanSource ./.;
          cargoLock.lockFile = ./Cargo.lock;
          cargoBuildFlags = [
            "--package"
            "goflake"
          ];
          # The test suite drives real Nix builds; it runs in CI (scripts/test), not in the
          # sandbox.
          doCheck = false;
          # `goflake ci` pins the workflows to the goflake they were made with: this commit
          # and its narHash (a build from a dirty tree has no commit, and asks for --goflake).
          env = pkgs.lib.optionalAttrs (self ? rev) {
            GOFLAKE_FLAKE_REF = "github:goflake/goflake/${self.rev}?narHash=${self.narHash}";
          };
          nativeBuildInputs = [ pkgs.installShellFiles ];
          # Completions and man pages come from the binary itself (its clap definition).
          postInstall = pkgs.lib.optionalString (pkgs.stdenv.buildPlatform.canExecute pkgs.stdenv.hostPlatform) ''
            installShellCompletion --cmd goflake \
              --bash <($out/bin/goflake completions bash) \
              --zsh <($out/bin/goflake completions zsh) \
              --fish <($out/bin/goflake completions fish)
            $out/bin/goflake man --dir man
            installManPage man/*.1
          '';
          meta = {
            description = "Build, cross-compile and ship Go programs with Nix";
            license = with pkgs.lib.licenses; [
              mit
              asl20
            ];
            mainProgram = "goflake";
          };
        };
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.default}/bin/goflake";
        };
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${pkgs.stdenv.hostPlatform.system}.default ];
          packages = with pkgs; [
            cargo
            clippy
            rustfmt
            rust-analyzer
            go
            cargo-insta
            nixfmt
          ];
        };
      });

      # `nix fmt` formats every Nix file of the tree (current Nix passes the formatter no paths).
      formatter = forAllSystems (pkgs: pkgs.nixfmt-tree);

      # `nix flake init -t github:goflake/goflake#cli` (or #wasm, #service).
      templates = {
        cli = {
          path = ./templates/cli;
          description = "A Go command-line program built for every target";
        };
        wasm = {
          path = ./templates/wasm;
          description = "A Go program for js/wasm and wasip1/wasm";
        };
        service = {
          path = ./templates/service;
          description = "A Go HTTP service";
        };
        default = self.templates.cli;
      };
    };
}
