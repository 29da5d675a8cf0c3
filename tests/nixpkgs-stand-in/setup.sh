# The stand-in's generic builder: nixpkgs' standard phases, each either the attribute of
# that name (a script) or the default below, with runHook for pre/post hooks.
set -o pipefail
shopt -s nullglob

# In nixpkgs' sandbox HOME=/homeless-shelter, which does not exist and cannot be created.
# Builds here are unsandboxed and run as root, who could create it (and Nix then refuses
# every later build): HOME is below a regular file instead, so writing there fails for root
# too (ENOTDIR), as it fails in the sandbox.
: >"$TMPDIR/no-home"
export HOME="$TMPDIR/no-home/homeless-shelter"

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
