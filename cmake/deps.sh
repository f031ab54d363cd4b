# Sourced by the project's scripts: makes sure the Debian packages machgen needs are
# present. As root it installs what is missing with apt-get; otherwise it prints the
# exact command to run and stops.
machgen_require_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "machgen needs these packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

MACHGEN_BUILD_PACKAGES=(build-essential cmake ninja-build pkg-config re2c bison)
MACHGEN_TEST_PACKAGES=(libcriterion-dev gnumach-dev clang)
