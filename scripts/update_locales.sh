#!/usr/bin/env bash
# Refresh and compile the translation catalogues in zoneops/locale.
#
#   scripts/update_locales.sh            # from anywhere inside the repository
#
# en       the project's own strings (msgids are Chinese); translate the new empty entries.
# zh_Hans  the project's own strings (msgstr stays empty: the msgid already is Chinese)
#          plus every string of the installed libraries (django-unfold incl. contrib,
#          django-simple-history, django-axes, Django itself) that their own zh_Hans
#          catalogues do NOT translate. Strings a library already translates are left out,
#          so ours never shadows theirs.
#
# Existing translations are kept (msgmerge); a string that disappears becomes an obsolete
# "#~" entry; a changed string may come back "#, fuzzy" (fuzzy entries are not compiled:
# check them and remove the flag). A zh_Hans entry whose translator comment contains
# "zoneops: override" is kept even though a library translates it (use sparingly: it
# replaces the library's wording everywhere, e.g. a wrong translation in Django's catalogue).
# The .mo files are compiled and committed, so an install needs no gettext.
# zh_Hans/djangojs.po (admin JavaScript strings Django lacks) is kept by hand and compiled here too.
# Needs GNU gettext (apt-get install gettext) and uv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCALE="$ROOT/zoneops/locale"
WRAP=(--no-wrap)
# What makemessages must not read (dot folders such as .venv are skipped by Django already).
IGNORE=(-i .venv -i "*/.venv/*" -i node_modules -i "*/node_modules/*" -i tests -i "*/tests/*"
        -i "test_*.py" -i conftest.py -i migrations -i static -i locale)

for tool in msgfmt msgmerge msgcat msgattrib msgunfmt xgettext; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install gettext" >&2; exit 1; }
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# Settings are imported by the management commands; keep them away from a real data folder.
export ZONEOPS_DATA_DIR="${ZONEOPS_DATA_DIR:-$TMP/data}"
export DJANGO_SETTINGS_MODULE=zoneops.config.settings
cd "$ROOT"

# 1. The project's own strings -> en/django.po (+ the template $LOCALE/django.pot).
mkdir -p "$LOCALE/en/LC_MESSAGES" "$LOCALE/zh_Hans/LC_MESSAGES"
(cd "$ROOT/zoneops" && uv run zoneops makemessages -l en "${WRAP[@]}" -e py,html,txt \
    "${IGNORE[@]}" --keep-pot -v 0)
mv "$LOCALE/django.pot" "$TMP/project.pot"
EN="$LOCALE/en/LC_MESSAGES/django.po"
if grep -q '^"Language: \\n"' "$EN"; then  # just created by makemessages: finish its header
    sed -i -e 's/^"Language: \\n"/"Language: en\\n"/' "$EN"
    sed -i -e '0,/^#, fuzzy$/{/^#, fuzzy$/d}' "$EN"
fi

# 2. The libraries: their templates (what they may show) and zh_Hans catalogues (what they
#    already translate), for every app in INSTALLED_APPS that is not ours.
uv run python - "$TMP" "$ROOT" <<'PY'
import os
import sys
from pathlib import Path

import django

tmp, root = Path(sys.argv[1]), Path(sys.argv[2]).resolve()
django.setup()
from django.apps import apps  # noqa: E402

django_dir = Path(django.__file__).resolve().parent
sources, templates, catalogues = set(), [], []


def catalogue_dir(locale_dir: Path) -> None:
    en_po = locale_dir / "en" / "LC_MESSAGES" / "django.po"
    zh_mo = locale_dir / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    if en_po.exists():
        templates.append(en_po)
    if zh_mo.exists():
        catalogues.append(zh_mo)


catalogue_dir(django_dir / "conf" / "locale")
for app in apps.get_app_configs():
    path = Path(app.path).resolve()
    if path.is_relative_to(root / "zoneops"):
        continue
    if path.is_relative_to(django_dir):
        catalogue_dir(path / "locale")  # Django ships a full en template per app
    else:
        top = Path(sys.modules[app.name.split(".")[0]].__file__).resolve().parent
        sources.add(top)  # third-party: extract its strings from the source
        for loc in top.rglob("locale"):
            catalogue_dir(loc)
(tmp / "sources.txt").write_text("".join(f"{p}\n" for p in sorted(sources)))
(tmp / "templates.txt").write_text("".join(f"{p}\n" for p in templates))
(tmp / "catalogues.txt").write_text("".join(f"{p}\n" for p in dict.fromkeys(catalogues)))
PY

mkdir -p "$TMP/src/locale"
while read -r pkg; do cp -r "$pkg" "$TMP/src/"; done <"$TMP/sources.txt"
(cd "$TMP/src" && env -u DJANGO_SETTINGS_MODULE uv run --project "$ROOT" django-admin \
    makemessages -l zh_Hans "${WRAP[@]}" -e py,html,txt -i "*/static/*" -i "*/locale/*" \
    -i "*/tests/*" -i "*/migrations/*" --keep-pot -v 0)
mapfile -t TEMPLATES <"$TMP/templates.txt"
msgcat --use-first "${WRAP[@]}" -o "$TMP/library.pot" "$TMP/src/locale/django.pot" "${TEMPLATES[@]}"

i=0
while read -r mo; do
    i=$((i + 1)); msgunfmt "${WRAP[@]}" -o "$TMP/have.$i.po" "$mo"
done <"$TMP/catalogues.txt"
msgcat --use-first "${WRAP[@]}" -o "$TMP/have.po" "$TMP"/have.*.po

# The gaps: library strings no library catalogue translates.
msgmerge -q --no-fuzzy-matching "${WRAP[@]}" -o "$TMP/merged.po" "$TMP/have.po" "$TMP/library.pot"
msgattrib --untranslated --no-obsolete "${WRAP[@]}" -o "$TMP/gaps.pot" "$TMP/merged.po"

# 3. zh_Hans = project strings + library gaps (+ deliberate overrides), merged into the
#    existing file.
ZH="$LOCALE/zh_Hans/LC_MESSAGES/django.po"
PARTS=("$TMP/project.pot" "$TMP/gaps.pot")
if [[ -f "$ZH" ]]; then
    msgattrib --no-obsolete "${WRAP[@]}" "$ZH" | msggrep -C -e "zoneops: override" "${WRAP[@]}" \
        -o "$TMP/overrides.po" || true
    if [[ -s "$TMP/overrides.po" ]]; then PARTS+=("$TMP/overrides.po"); fi
fi
msgcat --use-first "${WRAP[@]}" -o "$TMP/zh_Hans.pot" "${PARTS[@]}"
if [[ ! -f "$ZH" ]]; then
    msginit --no-translator -l zh_CN.UTF-8 -i "$TMP/zh_Hans.pot" -o "$ZH" "${WRAP[@]}"
    sed -i -e 's/^"Language: zh_CN\\n"/"Language: zh_Hans\\n"/' \
        -e '/^"Plural-Forms: /d' \
        -e '/^"Content-Transfer-Encoding: /a "Plural-Forms: nplurals=1; plural=0;\\n"' "$ZH"
else
    msgmerge -q --update --backup=none --previous "${WRAP[@]}" "$ZH" "$TMP/zh_Hans.pot"
fi

# 4. Compile (djangojs.po included).
for po in "$LOCALE"/*/LC_MESSAGES/django*.po; do
    msgfmt --check-format -o "${po%.po}.mo" "$po"
done

# 5. What is left to translate: en, every entry; zh_Hans, the library (non-Chinese) entries.
for po in "$LOCALE"/*/LC_MESSAGES/django.po; do
    echo "${po#"$ROOT"/}: $(msgfmt --statistics -o /dev/null "$po" 2>&1)"
done
msgattrib --untranslated --no-obsolete "${WRAP[@]}" "$LOCALE/zh_Hans/LC_MESSAGES/django.po" \
    >"$TMP/zh_todo.po"
msgattrib --untranslated --no-obsolete "${WRAP[@]}" "$LOCALE/en/LC_MESSAGES/django.po" >"$TMP/en_todo.po"
msgattrib --only-fuzzy --no-obsolete "${WRAP[@]}" "$LOCALE/en/LC_MESSAGES/django.po" >>"$TMP/en_todo.po"
msgattrib --only-fuzzy --no-obsolete "${WRAP[@]}" "$LOCALE/zh_Hans/LC_MESSAGES/django.po" \
    >>"$TMP/zh_todo.po"
python3 - "$TMP" <<'PY'
import re
import sys

for lang, name in (("en", "en_todo.po"), ("zh_Hans", "zh_todo.po")):
    text = open(f"{sys.argv[1]}/{name}", encoding="utf-8").read()
    todo = []
    for block in text.split("\n\n"):
        m = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not m:
            continue
        msgid = "".join(re.findall(r'"(.*)"', m.group(1)))
        if not msgid:
            continue
        if lang == "zh_Hans" and "#, fuzzy" not in block and re.search(r"[\u4e00-\u9fff]", msgid):
            continue  # the project's own Chinese strings: nothing to translate
        todo.append(("fuzzy  " if "#, fuzzy" in block else "empty  ") + msgid)
    print(f"{lang}: {len(todo)} entr{'y' if len(todo) == 1 else 'ies'} to translate")
    for line in dict.fromkeys(todo):
        print("    " + line)
PY
