# Python 3 with a virtualenv in .tools/venv holding the Python peer's pinned
# packages (nats-py, aiohttp, pyarrow, pandas). Tests find it through $PYTHON.
PYTHON_REQUIREMENTS="apps/interop-python/requirements.txt"
setup_python() {
  local py
  py=$(command -v python3 || true)
  [ -n "$py" ] || { apt_install python3 python3-venv; py=$(command -v python3); }
  "$py" -c 'import sys; assert sys.version_info >= (3, 9)' 2>/dev/null || die "Python >= 3.9 is required, found $("$py" --version 2>&1)"
  local venv="$REPO_ROOT/.tools/venv"
  if [ ! -x "$venv/bin/python" ]; then
    if ! "$py" -m venv "$venv" >/dev/null 2>&1; then
      rm -rf "$venv"
      apt_install python3-venv
      "$py" -m venv "$venv" || die "cannot create a Python virtualenv in $venv"
    fi
  fi
  local stamp="$venv/.requirements.sha256"
  local want
  want=$(sha256sum "$PYTHON_REQUIREMENTS" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "pip install -r $PYTHON_REQUIREMENTS (into .tools/venv)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$PYTHON_REQUIREMENTS" || die "pip install failed"
    echo "$want" > "$stamp"
  fi
}
