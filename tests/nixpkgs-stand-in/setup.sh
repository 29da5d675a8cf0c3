# The stand-in's generic builder: nixpkgs' standard phases, each either the attribute of
# that name (a script) or the default below, with runHook for pre/post hooks.
set -o pipefail
shopt -s nullglob

# Builds here are unsandboxed: Go's telemetry would create $HOME (/homeless-shelter), and Nix
# refuses every later build while that directory exists. Keep HOME inside the build.
export HOME="$TMPDIR/home"

runHook() {
  local hook="$1"
  if [ -n "${!hook:-}" ]; then
    eval "${!hook}"
  fi
}

# setup.sh of nixpkgs defines this for builders that join list attributes.
concatStringsSep() {
  local sep="$1" name="$2" IFS=' '
  local -a items
  read -r -a items <<<"${!name:-}"
  local IFS="$sep"
  echo "${items[*]}"
}

defaultUnpackPhase() {
  runHook preUnpack
  cp -r --no-preserve=mode "$src" "$TMPDIR/source"
  cd "$TMPDIR/source"
  runHook postUnpack
}

defaultPatchPhase() {
  runHook prePatch
  for p in ${patches:-}; do
    patch -p1 <"$p"
  done
  runHook postPatch
}

defaultConfigurePhase() { runHook preConfigure; runHook postConfigure; }
defaultBuildPhase() { runHook preBuild; runHook postBuild; }
defaultCheckPhase() { runHook preCheck; runHook postCheck; }
defaultInstallPhase() { runHook preInstall; mkdir -p "$out"; runHook postInstall; }

runPhase() {
  local phase="$1"
  if [ -n "${!phase:-}" ]; then
    eval "${!phase}"
  else
    "default${phase^}"
  fi
}

phases=${phases:-unpackPhase patchPhase configurePhase buildPhase checkPhase installPhase}
for phase in $phases; do
  case "$phase" in
    unpackPhase) [ -n "${src:-}" ] || continue ;;
    checkPhase) [ -n "${doCheck:-}" ] || continue ;;
  esac
  echo "running $phase"
  runPhase "$phase"
done
