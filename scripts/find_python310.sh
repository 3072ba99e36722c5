#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 supports 3.8-3.10 only).
# Looks at $PYTHON310, python3.10 on PATH, pyenv's versions, then /usr/bin.
set -euo pipefail

is_310() { [ -x "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }

candidates=()
if [ -n "${PYTHON310:-}" ]; then
    is_310 "$PYTHON310" || echo "warning: PYTHON310=$PYTHON310 is not a Python 3.10; looking elsewhere" >&2
    candidates+=("$PYTHON310")
fi
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
pyenv_root=$( (command -v pyenv >/dev/null && pyenv root) 2>/dev/null || echo "$HOME/.pyenv")
for dir in $(ls -d "$pyenv_root"/versions/3.10.* 2>/dev/null | sort -V -r); do
    candidates+=("$dir/bin/python3.10")
done
candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)

for python in "${candidates[@]}"; do
    if is_310 "$python"; then
        echo "$python"
        exit 0
    fi
done

cat >&2 <<'MSG'
Python 3.10 was not found, and Rasa 3.6 runs on Python 3.8-3.10 only.
Install it, then run the command again, for example:
  pyenv install 3.10.13                      # with pyenv
  sudo apt-get install python3.10-venv       # Debian/Ubuntu where packaged
or point to an existing interpreter:
  PYTHON310=/path/to/python3.10 make run
MSG
exit 1
