# Sourced by the tool scripts. tool_venv VENV PACKAGE VERSION BIN: makes VENV hold PACKAGE==VERSION, installing it
# when `VENV/bin/BIN --version` does not end in VERSION (a venv that no longer runs, e.g. after the folder moved, is
# made anew).
tool_venv() {
  local venv=$1 package=$2 version=$3 bin=$4
  "$venv/bin/$bin" --version 2>/dev/null | grep -qE "(^| )$version\$" && return 0
  echo "installing $package $version into $venv" >&2
  python3 -m venv --clear "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check "$package==$version"
}
