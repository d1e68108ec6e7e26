# Sourced by scripts/setup, scripts/test and .ci/run: where the set-up puts
# the Python tools it installs (schemathesis, zizmor, check-jsonschema), and
# that folder on PATH. A virtual environment of our own, because Debian's
# python3 is "externally managed" (PEP 668): pip refuses to install into it.
#
# The folder goes at the END of PATH: a tool the machine already has (say
# from pyenv or pipx) wins, and the set-up installs only what is missing.
WORKSHOP_VENV="${WORKSHOP_VENV:-${WORKSHOP_CACHE:-$HOME/.cache/workshop}/venv}"
case ":$PATH:" in
  *":$WORKSHOP_VENV/bin:"*) ;;
  *) PATH="$PATH:$WORKSHOP_VENV/bin" ;;
esac
export WORKSHOP_VENV PATH
