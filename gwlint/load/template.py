"""Unrendered templates, in any file kind: what marks a file as a template, and where.

A template is rendered before nginx or php-fpm reads it (Ansible/Salt Jinja, the nginx image's
envsubst of /etc/nginx/templates/*.template at start, envplate, sed-style placeholders), so
linting it as config reports nonsense: `pm.max_children = {{ x }}` is no number, and a fix
would overwrite a placeholder. A template is reported (GW903, info) and not linted.

PHP's own `${VAR}` in php.ini and FPM files (and, from PHP 8.3, `${VAR:-default}`) is native
syntax, not a template: the value is known only at run time (see `is_env_value`).
"""

import re

from gwlint.errors import InputError


class TemplateFile(InputError):
    """A file with unrendered template syntax: reported (GW903) and not linted."""


# file names of templates: `default.conf.template` (the nginx image, envsubst), `www.conf.j2`...
TEMPLATE_SUFFIXES = (".template", ".tmpl", ".tpl", ".j2", ".jinja", ".jinja2", ".erb", ".mustache")
_JINJA = (("{{", "}}"), ("{%", "%}"))
# placeholders outside comments: (kinds where it marks a template, what it is, the literal it starts
# with, pattern). A pattern is compiled (and cached by re) only for a file holding its literal:
# most files hold none of them. Each pattern starts with its literal (the lookbehind after it) so
# that re scans for that literal fast.
_PLACEHOLDERS = (
    (("nginx",), "envplate/shell `${VAR:-default}`", "${", r"\$\{[A-Za-z_]\w*:?[-=?+][^}]*\}"),
    (("nginx", "ini"), "`<VAR>` placeholder", "<", r"<(?<![?P\w<]<)(?!(?:HTML|HEAD|BODY|TITLE|PRE|DIV|SPAN|"
                                                   r"CENTER|SCRIPT|STYLE|META|[ABIPU]|BR|HR|H[1-6])>)[A-Z][A-Z0-9_]*>"),
    (("nginx", "ini"), "`%var%` placeholder", "%", r"%(?<![%\w]%)[A-Za-z_]\w{2,}%(?![%\w{])"),
    (("nginx", "ini"), "`__VAR__` placeholder", "__", r"__(?<!\w__)[A-Z][A-Z0-9_]*[A-Z0-9]__(?!\w)"),
    (("nginx", "ini"), "`@var@` placeholder", "@", r"@(?<![\w@.]@)[A-Za-z_]\w*@(?![\w@.])"),
)
_ENV = r"\$\{[^}]*\}"
_ENVSUBST = r"\$\{?[A-Z_][A-Z0-9_]*\b"  # envsubst's variables are the environment's: upper case


def template_suffix(rel: str) -> str | None:
    """The template suffix of a file name (`.template`, `.j2`...), else None."""
    name = rel.rpartition("/")[2]
    return next((s for s in TEMPLATE_SUFFIXES if name.endswith(s) and name != s), None)


def find_template(text: str, rel: str, kind: str) -> tuple[int, str] | None:
    """(line, what) of the first mark of an unrendered template in an nginx or INI (`kind`) file."""
    suffix = template_suffix(rel)
    if "{{" in text or "{%" in text:
        for number, line in enumerate(text.split("\n"), 1):
            for opener, closer in _JINJA:
                start = line.find(opener)
                if start != -1 and line.find(closer, start + 2) != -1:  # linear: no regex on long lines
                    return number, f"Jinja `{opener} {closer}`"
    found = []
    for kinds, what, literal, source in _PLACEHOLDERS:  # one C-speed scan per pattern: most files match none
        if kind not in kinds or literal not in text:
            continue
        pattern = re.compile(source)
        pos = 0
        while (m := pattern.search(text, pos)) is not None:
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            end = end if end != -1 else len(text)
            if pattern.search(_code(text[start:end], kind)):
                found.append((text.count("\n", 0, start) + 1, what))
                break
            pos = end  # that line is a comment: the next line
    if found:
        return min(found)
    if suffix is not None:
        for number, line in enumerate(text.split("\n"), 1):
            if re.search(_ENVSUBST, _code(line, kind)):
                return number, f"a `*{suffix}` file, envsubst `$VAR`"
        return 1, f"a `*{suffix}` file"
    return None


def _code(line: str, kind: str) -> str:
    """The part of a line that is not a comment (nginx `#`, INI `;` and `#` lines)."""
    stripped = line.strip()
    if not stripped or stripped[0] == "#" or (kind == "ini" and stripped[0] == ";"):
        return ""
    if kind == "ini":
        quoted, out = None, []
        for ch in stripped:
            if quoted:
                quoted = None if ch == quoted else quoted
            elif ch in "\"'":
                quoted = ch
            elif ch == ";":
                break
            out.append(ch)
        return "".join(out)
    hashes = re.search(r"(?:^|\s)#", stripped)  # a `#` starting a token opens a comment
    return stripped[:hashes.start()] if hashes else stripped


def is_env_value(value: str) -> bool:
    """True when an INI value takes part of its text from the environment (`${VAR}`): PHP and
    php-fpm substitute it at start, so its value is unknown here, not wrong."""
    return "${" in value and re.search(_ENV, value) is not None
